package fakeowui

import "net/http"

// routeTable lists every built-in route of the emulated release. Paths are
// matched exactly, except that a key ending in "/{}" matches one more path
// segment (history_id); model ids travel in the query string or the body.
func (s *Server) routeTable() map[string]route {
	const m = "/api/v1/models"
	b := s.opts.Behaviour
	routes := map[string]route{
		// /api/v1/models router (doc §3.1–§3.16)
		"GET " + m + "/list":                 {auth: authVerified, h: s.handleList},
		"GET " + m + "/base":                 {auth: authAdmin, h: s.handleBase},
		"GET " + m + "/tags":                 {auth: authVerified, h: s.handleTags},
		"POST " + m + "/create":              {auth: authVerified, body: true, h: s.handleCreate},
		"GET " + m + "/export":               {auth: authVerified, h: s.handleExport},
		"POST " + m + "/import":              {auth: authVerified, body: true, h: s.handleImport},
		"POST " + m + "/sync":                {auth: authAdmin, body: true, h: s.handleSync},
		"GET " + m + "/model":                {auth: authVerified, h: s.handleGet},
		"GET " + m + "/model/profile/image":  {auth: authVerified, h: s.handleProfileImage},
		"POST " + m + "/model/toggle":        {auth: authVerified, h: s.handleToggle},
		"POST " + m + "/model/update":        {auth: authVerified, body: true, h: s.handleUpdate},
		"POST " + m + "/model/delete":        {auth: authVerified, body: true, h: s.handleDelete},
		"DELETE " + m + "/delete/all":        {auth: authAdmin, h: s.handleDeleteAll},
		"POST " + m + "/model/access/update": {auth: authVerified, body: true, h: s.handleAccessUpdate},
		// main.py (doc §3.4, §3.17, §6)
		"GET /api/models":               {auth: authVerified, h: s.handleRuntimeModels},
		"GET /api/v1/models":            {auth: authVerified, h: s.handleRuntimeModels},
		"GET /api/models/base":          {auth: authAdmin, h: s.handleProviderModels},
		"POST /api/models/unload":       {auth: authAdmin, body: true, h: s.handleUnload},
		"GET /api/version":              {h: s.handleVersion},
		"GET /api/v1/auths/":            {auth: authVerified, human: true, h: s.handleSessionUser},
		"GET /api/v1/users/user/status": {auth: authVerified, h: s.handleSessionUser},
		"GET /api/v1/users/{}/info":     {auth: authVerified, h: s.handleUserInfo},
		"GET /health":                   {h: handleStatusTrue},
		"GET /ready":                    {h: handleStatusTrue},
		"GET /static/favicon.png":       {h: handleFavicon},
	}
	if !b.NoBaseModelTagsRoute { // 0.10.0+
		routes["GET "+m+"/base/tags"] = route{auth: authAdmin, h: s.handleBaseTags}
	}
	if !b.NoAllModelsRoute { // 0.12.4
		routes["GET "+m+"/all"] = route{auth: authAdmin, h: s.handleAll}
	}
	if !b.NoModelHistory { // 0.12.4
		routes["GET "+m+"/model/history"] = route{auth: authVerified, h: s.handleHistory}
		routes["GET "+m+"/model/history/{}"] = route{auth: authVerified, h: s.handleHistoryEntry}
		routes["DELETE "+m+"/model/history/{}"] = route{auth: authVerified, h: s.handleHistoryDelete}
		routes["POST "+m+"/model/update/version"] = route{auth: authVerified, body: true, h: s.handleSetVersion}
	}
	return routes
}

// spaPage stands in for the bundled frontend's index.html.
const spaPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Open WebUI</title></head>
<body><div id="app"></div></body>
</html>
`

// fallback mimics the SPA static mount at "/" that catches everything the
// API does not route (doc pitfall 17): GETs get index.html with 200, other
// methods get 405. It also applies to known paths with the wrong method.
func fallback(method string) *response {
	if method == http.MethodGet || method == http.MethodHead {
		return textResp(http.StatusOK, ctHTML, spaPage)
	}
	return detailResp(http.StatusMethodNotAllowed, msgMethodNotAllowed)
}
