package fakeowui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Model history (0.12.4): every create, and every update, import or sync
// that changes name, base_model_id, params or meta, adds a snapshot; the
// row's version_id names the current one. Owner, admins with the bypass
// and write-grant holders may read it; others get 403.

const historyPageSize = 20

type historyJSON struct {
	ID            string            `json:"id"`
	ModelID       string            `json:"model_id"`
	ParentID      *string           `json:"parent_id"`
	UserID        string            `json:"user_id"`
	CommitMessage *string           `json:"commit_message"`
	CreatedAt     int64             `json:"created_at"`
	User          map[string]string `json:"user"`
}

type historyEntryJSON struct {
	historyJSON
	Snapshot snapshotJSON `json:"snapshot"`
}

func (s *Server) historyItem(r *row, e historyEntry) historyJSON {
	h := historyJSON{ID: e.id, ModelID: r.id, ParentID: e.parentID, UserID: e.userID,
		CommitMessage: e.commitMessage, CreatedAt: e.createdAt}
	if u := s.userByID(e.userID); u != nil {
		h.User = map[string]string{"name": u.Name}
	}
	return h
}

// historyModel is authorized_model_history: 404 NOT_FOUND, then 403.
func (s *Server) historyModel(c *call) (*row, *response) {
	id, bad := requiredQuery(c.query, "id")
	if bad != nil {
		return nil, bad
	}
	r, ok := s.rows[id]
	if !ok {
		return nil, detailResp(http.StatusNotFound, msgNotFound)
	}
	if !s.canWrite(c.user, r) {
		return nil, detailResp(http.StatusForbidden, msgAccessProhibited)
	}
	return r, nil
}

// historyPage parses ?page= (an int, default 1, at least 1).
func historyPage(c *call) (int, *response) {
	v, ok := queryParam(c.query, "page")
	if !ok {
		return 1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, validationResp([]valErr{{
			Type: "int_parsing", Loc: []any{"query", "page"},
			Msg: "Input should be a valid integer, unable to parse string as an integer", Input: v,
		}})
	}
	return max(1, n), nil
}

// handleHistory is GET /api/v1/models/model/history?id=&page=: 20 entries
// a page, newest first.
func (s *Server) handleHistory(c *call) *response {
	r, bad := s.historyModel(c)
	if bad != nil {
		return bad
	}
	page, bad := historyPage(c)
	if bad != nil {
		return bad
	}
	entries := slices.Clone(r.history)
	slices.SortStableFunc(entries, func(a, b historyEntry) int {
		if c := cmpInt(b.createdAt, a.createdAt); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	start := min((page-1)*historyPageSize, len(entries))
	end := min(start+historyPageSize, len(entries))
	out := make([]historyJSON, 0, end-start)
	for _, e := range entries[start:end] {
		out = append(out, s.historyItem(r, e))
	}
	return jsonResp(http.StatusOK, out)
}

func (r *row) historyEntry(id string) (int, bool) {
	i := slices.IndexFunc(r.history, func(e historyEntry) bool { return e.id == id })
	return i, i >= 0
}

// handleHistoryEntry is GET /api/v1/models/model/history/{history_id}?id=.
func (s *Server) handleHistoryEntry(c *call) *response {
	r, bad := s.historyModel(c)
	if bad != nil {
		return bad
	}
	i, ok := r.historyEntry(c.pathItem)
	if !ok {
		return detailResp(http.StatusNotFound, msgVersionNotFound)
	}
	e := r.history[i]
	return jsonResp(http.StatusOK, historyEntryJSON{historyJSON: s.historyItem(r, e), Snapshot: e.snapshot})
}

// handleHistoryDelete is DELETE /api/v1/models/model/history/{history_id}?id=.
// The current version cannot be deleted; children are re-parented.
func (s *Server) handleHistoryDelete(c *call) *response {
	r, bad := s.historyModel(c)
	if bad != nil {
		return bad
	}
	if c.pathItem == r.versionID {
		return detailResp(http.StatusBadRequest, msgCurrentVersion)
	}
	i, ok := r.historyEntry(c.pathItem)
	if !ok {
		return detailResp(http.StatusNotFound, msgVersionNotFound)
	}
	gone := r.history[i]
	for j := range r.history {
		if p := r.history[j].parentID; p != nil && *p == gone.id {
			r.history[j].parentID = gone.parentID
		}
	}
	r.history = slices.Delete(r.history, i, i+1)
	return jsonResp(http.StatusOK, true)
}

// handleSetVersion is POST /api/v1/models/model/update/version?id= with
// {"version_id"}: the model takes that snapshot's name, base_model_id,
// params and meta (keeping is_active, grants and meta.hidden), and the
// snapshot becomes the current version. No new entry is written.
func (s *Server) handleSetVersion(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	vid := f.str("version_id", true)
	var errs []valErr
	if _, ok := queryParam(c.query, "id"); !ok {
		errs = append(errs, valErr{Type: "missing", Loc: []any{"query", "id"}, Msg: "Field required", Input: nil})
	}
	if errs = append(errs, f.errs...); len(errs) > 0 {
		return validationResp(errs)
	}
	r, bad := s.historyModel(c)
	if bad != nil {
		return bad
	}
	i, ok := r.historyEntry(vid)
	if !ok {
		return detailResp(http.StatusNotFound, msgVersionNotFound)
	}
	sn := r.history[i].snapshot
	if !s.opts.Behaviour.WhitespaceIDsAllowed && (r.id == "" || strings.ContainsFunc(r.id, unicode.IsSpace)) {
		return internalError() // ModelForm(id=...) fails on a legacy id
	}
	if !c.user.admin() && r.baseModelID != nil && (sn.BaseModelID == nil || *sn.BaseModelID == "") {
		return detailResp(http.StatusForbidden, msgAccessProhibited)
	}
	if sn.BaseModelID != nil && *sn.BaseModelID != "" && !s.modelAvailable(*sn.BaseModelID) {
		return detailResp(http.StatusBadRequest, "The base model is unavailable.")
	}
	meta := cloneMap(sn.Meta)
	delete(meta, "hidden")
	if h, ok := r.meta["hidden"]; ok {
		meta["hidden"] = h
	}
	r.name, r.params, r.meta = sn.Name, cloneMap(sn.Params), s.storeMeta(meta)
	r.baseModelID = nil
	if sn.BaseModelID != nil {
		b := *sn.BaseModelID
		r.baseModelID = &b
	}
	r.versionID = vid
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, s.wire(r))
}

// modelAvailable reports whether id is in the full runtime model list: a
// provider model (not hidden by an inactive base row) or an active custom
// model.
func (s *Server) modelAvailable(id string) bool {
	r, hasRow := s.rows[id]
	if _, ok := s.provider(id); ok {
		return !hasRow || !r.isBase() || r.isActive
	}
	return hasRow && !r.isBase() && r.isActive
}
