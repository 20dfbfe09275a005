package fakeowui

import (
	"net/http"
	"strings"
	"time"
)

// Routes that live in Open WebUI's main.py and auths router rather than in
// the models router.

// faviconPNG is a valid 1x1 PNG served as /static/favicon.png.
const faviconPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\b\x02\x00\x00\x00\x90wS\xde" +
	"\x00\x00\x00\x10IDATx\xdab\x92\xcf\x7f\r\b\x00\x00\xff\xff\x022\x01|\xfa\xf5C6\x00\x00\x00\x00IEND\xaeB`\x82"

func handleFavicon(*call) *response {
	return &response{status: http.StatusOK, header: http.Header{"Content-Type": {"image/png"}}, body: []byte(faviconPNG)}
}

func handleStatusTrue(*call) *response {
	return jsonResp(http.StatusOK, map[string]bool{"status": true})
}

func (s *Server) handleVersion(*call) *response {
	if s.opts.Behaviour.VersionWithoutDeploymentID {
		return jsonResp(http.StatusOK, map[string]string{"version": s.opts.Version})
	}
	return jsonResp(http.StatusOK, struct {
		Version      string `json:"version"`
		DeploymentID string `json:"deployment_id"`
	}{s.opts.Version, ""})
}

// handleSessionUser is GET /api/v1/auths/. The real response also echoes
// the token; the fake leaves it out so it never hands credentials back.
// On 0.12.4 only a session token gets here (route flag human).
func (s *Server) handleSessionUser(c *call) *response {
	u := c.user
	return jsonResp(http.StatusOK, map[string]any{
		"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role,
		"profile_image_url": "/user.png",
	})
}

// handleUserInfo is GET /api/v1/users/{id}/info (routers/users.py): any
// verified user may read another user's name and e-mail; an unknown id is
// 400 "user not found".
func (s *Server) handleUserInfo(c *call) *response {
	u := s.userByID(c.pathItem)
	if u == nil {
		return detailResp(http.StatusBadRequest, "We could not find what you're looking for :/")
	}
	return jsonResp(http.StatusOK, map[string]any{
		"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "groups": []any{}, "is_active": false,
	})
}

// fillProviderMaps is what a model listing does to Open WebUI's in-memory
// provider maps: it fills them all.
func (s *Server) fillProviderMaps() {
	s.mapsFilled["openai"] = true
	s.mapsFilled["ollama"] = true
	s.modelsFilled = true
}

// providerItems are the live provider models in the shape main.py builds
// (doc §3.4): OpenAI connections first, then Ollama.
func (s *Server) providerItems() []map[string]any {
	var openai, ollama []map[string]any
	for _, p := range s.providers {
		if p.ownedBy == "ollama" {
			ollama = append(ollama, map[string]any{
				"id": p.id, "name": p.id, "object": "model", "created": 0, "owned_by": "ollama",
				"ollama": map[string]any{
					"name": p.id, "model": p.id,
					"modified_at": time.Unix(p.created, 0).UTC().Format(time.RFC3339),
					"size":        0, "digest": "", "details": map[string]any{},
					"urls": []int{0}, "connection_type": "local",
				},
				"loaded": false, "connection_type": "local", "tags": []any{},
			})
			continue
		}
		openai = append(openai, map[string]any{
			"id": p.id, "object": "model", "created": p.created, "owned_by": "openai",
			"connection_type": "external", "name": p.id,
			"openai":   map[string]any{"id": p.id, "object": "model", "created": p.created, "owned_by": p.ownedBy, "connection_type": "external"},
			"provider": "", "urlIdx": 0,
		})
	}
	return append(openai, ollama...)
}

// handleProviderModels is GET /api/models/base (admin): the live provider
// list. Like any listing it refills the provider maps.
func (s *Server) handleProviderModels(*call) *response {
	s.fillProviderMaps()
	return jsonResp(http.StatusOK, map[string]any{"data": s.providerItems()})
}

// handleRuntimeModels is GET /api/models and GET /api/v1/models: what the
// chat UI lists. Provider models, with a base-model row's name and info
// applied (an inactive one hides the model), plus the active custom
// models, filtered by read access for non-admins (an admin also sees
// provider models nobody configured). It refills the provider maps. The
// shape is simplified: no functions, arena models or default metadata.
func (s *Server) handleRuntimeModels(c *call) *response {
	s.fillProviderMaps()
	u := c.user
	items := s.providerItems()
	lookup := map[string]map[string]any{}
	isProvider := map[string]bool{}
	for _, it := range items {
		id := it["id"].(string)
		isProvider[id] = true
		if it["owned_by"] == "ollama" {
			short := strings.SplitN(id, ":", 2)[0]
			if _, ok := lookup[short]; !ok {
				lookup[short] = it
			}
		}
		lookup[id] = it
	}
	hidden := map[string]bool{}
	rowOf := map[string]*row{} // the row that gives an item its info
	for _, r := range s.sortedRows() {
		if r.isBase() {
			it, ok := lookup[r.id]
			if !ok {
				continue
			}
			if !r.isActive {
				hidden[it["id"].(string)] = true
				continue
			}
			it["name"] = r.name
			it["info"] = s.runtimeInfo(r)
			rowOf[it["id"].(string)] = r
			continue
		}
		if !r.isActive || isProvider[r.id] {
			continue
		}
		it := map[string]any{
			"id": r.id, "name": r.name, "object": "model", "created": r.createdAt,
			"owned_by": "openai", "connection_type": nil, "preset": true,
		}
		base := lookup[*r.baseModelID]
		if base == nil {
			base = lookup[strings.SplitN(*r.baseModelID, ":", 2)[0]]
		}
		if base != nil {
			it["owned_by"], it["connection_type"] = base["owned_by"], base["connection_type"]
		}
		it["info"] = s.runtimeInfo(r)
		items = append(items, it)
		rowOf[r.id] = r
	}
	data := []map[string]any{}
	for _, it := range items {
		id := it["id"].(string)
		if hidden[id] {
			continue
		}
		r := rowOf[id]
		switch {
		case r == nil && !u.admin():
			continue // nobody configured access: admins only
		case r != nil && !s.canList(u, r):
			continue
		}
		it["actions"], it["filters"] = []any{}, []any{}
		var tags []any
		if info, ok := it["info"].(modelJSON); ok {
			tags = append(tags, normalizeTags(info.Meta["tags"])...)
		}
		tags = append(tags, normalizeTags(it["tags"])...)
		seen := map[string]bool{}
		it["tags"] = []any{}
		for _, t := range tags {
			name := t.(map[string]any)["name"].(string)
			if !seen[name] {
				seen[name] = true
				it["tags"] = append(it["tags"].([]any), t)
			}
		}
		data = append(data, it)
	}
	return jsonResp(http.StatusOK, map[string]any{"data": data})
}

// runtimeInfo is a row as /api/models embeds it: ModelModel with public
// params only and no profile image.
func (s *Server) runtimeInfo(r *row) modelJSON {
	m := s.wire(r)
	addChatVariables(&m)
	delete(m.Meta, "profile_image_url")
	public := map[string]any{}
	if c, ok := m.Params["model_controls"].(map[string]any); ok && len(c) > 0 {
		public["model_controls"] = c
	}
	if v, ok := m.Params["compact_token_threshold"]; ok {
		public["compact_token_threshold"] = v
	}
	m.Params = public
	return m
}

// handleUnload is POST /api/models/unload. A DB row that is not a provider
// model is resolved through its base_model_id chain (0.10.0+; before,
// see Behaviour.UnloadIgnoresBaseChain). Only
// providers in a filled provider map are found; a successful unload
// empties the map of its connection type.
func (s *Server) handleUnload(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	id := f.str("model", true)
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	seen := map[string]bool{}
	for {
		if p, ok := s.provider(id); ok && s.mapsFilled[p.connection()] {
			if !p.canUnload {
				// The provider setting of a plain OpenAI connection is
				// empty, which the message renders as "default".
				return detailResp(http.StatusBadRequest, `Provider "default" does not support model unloading`)
			}
			if !s.opts.Behaviour.UnloadKeepsProviderMaps {
				s.mapsFilled[p.connection()] = false
				s.modelsFilled = false
			}
			if p.connection() == "ollama" {
				return jsonResp(http.StatusOK, map[string]bool{"status": true})
			}
			// llama.cpp's own answer, passed through as-is.
			return jsonResp(http.StatusOK, map[string]any{"success": true, "model": p.id})
		}
		r, ok := s.rows[id]
		if !ok || r.isBase() || seen[id] || s.opts.Behaviour.UnloadIgnoresBaseChain {
			return detailResp(http.StatusNotFound, `Model "`+id+`" not found`)
		}
		seen[id] = true
		id = *r.baseModelID
	}
}
