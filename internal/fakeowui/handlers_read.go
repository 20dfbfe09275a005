package fakeowui

import (
	"encoding/base64"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// pageSize is PAGE_ITEM_COUNT of the models router; clients cannot change it.
const pageSize = 30

// handleList is GET /api/v1/models/list (doc §3.1).
func (s *Server) handleList(c *call) *response {
	u := c.user
	page := 1
	if v, ok := queryParam(c.query, "page"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return validationResp([]valErr{{
				Type: "int_parsing", Loc: []any{"query", "page"},
				Msg: "Input should be a valid integer, unable to parse string as an integer", Input: v,
			}})
		}
		page = max(1, n)
	}
	query, _ := queryParam(c.query, "query")
	view, _ := queryParam(c.query, "view_option")
	tag, _ := queryParam(c.query, "tag")
	orderBy, _ := queryParam(c.query, "order_by")
	direction, _ := queryParam(c.query, "direction")
	bypass := s.bypass(u)
	needle := strings.ToLower(string(encodeJSON(tag)))

	var rows []*row
	for _, r := range s.sortedRows() {
		if r.isBase() || (!bypass && !s.canList(u, r)) {
			continue
		}
		if query != "" && !s.matchesQuery(r, query) {
			continue
		}
		if (view == "created" && r.userID != u.ID) || (view == "shared" && r.userID == u.ID) {
			continue
		}
		// The tag filter: a case-insensitive search for the quoted tag in
		// the JSON text of meta; like the real SQL LIKE, it also matches
		// any other string value equal to the tag.
		if tag != "" && !strings.Contains(r.lowerMetaJSON(), needle) {
			continue
		}
		rows = append(rows, r)
	}

	// Open WebUI orders only when asked, or by created_at desc when the
	// filter is completely empty (admin with bypass, no params). Otherwise
	// SQL has no ORDER BY; insertion order stands in for that.
	filterEmpty := bypass && query == "" && view == "" && tag == "" && orderBy == "" && direction == ""
	var less func(a, b *row) int
	switch orderBy {
	case "name":
		less = func(a, b *row) int { return strings.Compare(a.name, b.name) }
	case "created_at":
		less = func(a, b *row) int { return cmpInt(a.createdAt, b.createdAt) }
	case "updated_at":
		less = func(a, b *row) int { return cmpInt(a.updatedAt, b.updatedAt) }
	default:
		if filterEmpty {
			less = func(a, b *row) int { return cmpInt(a.createdAt, b.createdAt) }
			direction = "desc"
		}
	}
	if less != nil {
		if direction != "asc" {
			asc := less
			less = func(a, b *row) int { return asc(b, a) }
		}
		slices.SortStableFunc(rows, less)
	}

	total := len(rows)
	start := min((page-1)*pageSize, total)
	end := min(start+pageSize, total)
	items := make([]modelAccessJSON, 0, end-start)
	for _, r := range rows[start:end] {
		write := s.canWrite(u, r)
		item := modelAccessJSON{modelJSON: s.wire(r), WriteAccess: write}
		if owner := s.userByID(r.userID); owner != nil {
			item.User = &userJSON{ID: owner.ID, Name: owner.Name, Role: owner.Role, Email: owner.Email}
		}
		addChatVariables(&item.modelJSON)
		delete(item.Meta, "profile_image_url") // 0.9.2+
		if !write && !s.opts.Behaviour.ListKeepsParams {
			item.Params = map[string]any{} // 0.11.0
		}
		items = append(items, item)
	}
	return jsonResp(http.StatusOK, listPage{items: items, total: total})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// matchesQuery is the case-insensitive `query` filter: name, base model id,
// and (0.8.0+) the owner's name and email.
func (s *Server) matchesQuery(r *row, q string) bool {
	q = strings.ToLower(q)
	hay := []string{r.name}
	if r.baseModelID != nil {
		hay = append(hay, *r.baseModelID)
	}
	if owner := s.userByID(r.userID); owner != nil {
		hay = append(hay, owner.Name, owner.Email)
	}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), q) {
			return true
		}
	}
	return false
}

// handleTags is GET /api/v1/models/tags: tags of readable custom models.
func (s *Server) handleTags(c *call) *response {
	var rows []*row
	for _, r := range s.sortedRows() {
		if !r.isBase() && s.canList(c.user, r) {
			rows = append(rows, r)
		}
	}
	return jsonResp(http.StatusOK, sortedTags(rows))
}

func (s *Server) baseRows() []*row {
	var rows []*row
	for _, r := range s.sortedRows() {
		if r.isBase() {
			rows = append(rows, r)
		}
	}
	return rows
}

// handleBase is GET /api/v1/models/base: DB base-model rows, optionally
// those carrying an exact tag name (0.10.0+).
func (s *Server) handleBase(c *call) *response {
	tag, _ := queryParam(c.query, "tag")
	var rows []*row
	for _, r := range s.baseRows() {
		if tag == "" || slices.Contains(tagNames(r.meta), tag) {
			rows = append(rows, r)
		}
	}
	return jsonResp(http.StatusOK, s.wireRows(rows))
}

// handleAll is GET /api/v1/models/all (0.12.4, admin): every row, base and
// custom, as ModelResponse.
func (s *Server) handleAll(*call) *response {
	return jsonResp(http.StatusOK, s.wireRows(s.sortedRows()))
}

// handleBaseTags is GET /api/v1/models/base/tags (0.10.0+).
func (s *Server) handleBaseTags(*call) *response {
	return jsonResp(http.StatusOK, sortedTags(s.baseRows()))
}

// handleExport is GET /api/v1/models/export: custom models the caller owns
// or may write (all of them for an admin with the bypass). 0.12.4 takes an
// optional repeated ?ids= and adds background_image_data to each item.
func (s *Server) handleExport(c *call) *response {
	u := c.user
	if !u.admin() && !s.perms().ModelsExport {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	plain := s.opts.Behaviour.ExportIsPlainModelModel
	want, filtered := c.query["ids"]
	var rows []*row
	for _, r := range s.sortedRows() {
		if r.isBase() || !s.canWrite(u, r) || (filtered && !plain && !slices.Contains(want, r.id)) {
			continue
		}
		rows = append(rows, r)
	}
	if plain {
		return jsonResp(http.StatusOK, s.wireRows(rows))
	}
	if filtered {
		got := map[string]bool{}
		for _, r := range rows {
			got[r.id] = true
		}
		for _, id := range want {
			if !got[id] {
				return detailResp(http.StatusForbidden, msgAccessProhibited)
			}
		}
	}
	out := make(exportList, 0, len(rows))
	for _, r := range rows {
		if bg, _ := r.meta["background_image_url"].(string); bg != "" {
			// The image would be inlined from the file store; the fake
			// has no files, so the file is always missing.
			return detailResp(http.StatusBadRequest, "Could not export background for model "+r.id+".")
		}
		out = append(out, modelExportJSON{modelJSON: s.wire(r)})
	}
	return jsonResp(http.StatusOK, out)
}

// handleGet is GET /api/v1/models/model?id= (0.7.0+ status codes).
func (s *Server) handleGet(c *call) *response {
	id, bad := requiredQuery(c.query, "id")
	if bad != nil {
		return bad
	}
	r, ok := s.rows[id]
	if !ok {
		return detailResp(http.StatusNotFound, msgNotFound)
	}
	if !s.canRead(c.user, r) {
		return detailResp(http.StatusUnauthorized, msgAccessProhibited)
	}
	write := s.canWrite(c.user, r)
	item := modelAccessJSON{modelJSON: s.wire(r), WriteAccess: write} // user stays null here
	addChatVariables(&item.modelJSON)
	if !write {
		item.Params = map[string]any{} // 0.9.5+
	}
	return jsonResp(http.StatusOK, item)
}

var allowedImageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// handleProfileImage is GET /api/v1/models/model/profile/image?id= (doc
// §3.11, 0.9.6+). It never answers 404: anything it cannot serve becomes a
// redirect to the default favicon, and so does (0.12.4) a model the caller
// may not read, so that model ids cannot be probed.
func (s *Server) handleProfileImage(c *call) *response {
	id, bad := requiredQuery(c.query, "id")
	if bad != nil {
		return bad
	}
	const fallbackURL = "/static/favicon.png"
	r, ok := s.rows[id]
	if !ok {
		return redirect(fallbackURL)
	}
	u := c.user
	if !s.opts.Behaviour.ProfileImageIgnoresAccess && !s.bypass(u) && r.userID != u.ID && !hasExactGrant(u, r, "read") {
		return redirect(fallbackURL)
	}
	url, _ := r.meta["profile_image_url"].(string)
	switch {
	case strings.HasPrefix(url, "http"):
		if s.opts.Behaviour.NoProfileImageForwarding {
			return redirect(fallbackURL)
		}
		return redirect(url)
	case strings.HasPrefix(url, "data:"):
		header, payload, found := strings.Cut(strings.TrimPrefix(url, "data:"), ",")
		ctype, isB64 := strings.CutSuffix(header, ";base64")
		if !found || !isB64 || !slices.Contains(allowedImageTypes, ctype) {
			return redirect(fallbackURL)
		}
		img, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return redirect(fallbackURL)
		}
		return &response{status: http.StatusOK, body: img, header: http.Header{
			"Content-Type":           {ctype},
			"Content-Disposition":    {"inline"},
			"X-Content-Type-Options": {"nosniff"},
			"Etag":                   {`"` + strconv.FormatInt(r.updatedAt, 10) + `"`},
		}}
	case strings.HasPrefix(url, "/static/"):
		if p := path.Clean(url); strings.HasPrefix(p, "/static/") {
			return redirect(p)
		}
	}
	return redirect(fallbackURL)
}
