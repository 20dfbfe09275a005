package fakeowui

import (
	"net/http"
	"strings"
)

// handleCreate is POST /api/v1/models/create (doc §3.6). On 0.12.4 the
// checks run in the order permission → id rules → taken id → the
// non-admin base-model rules.
func (s *Server) handleCreate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	form, errs := s.parseModelForm(obj, formMode{loc: []any{"body"}})
	if len(errs) > 0 {
		return validationResp(errs)
	}
	u, b := c.user, s.opts.Behaviour
	if !u.admin() && !s.perms().WorkspaceModels {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	_, taken := s.rows[form.ID]
	if b.CreateChecksTakenBeforeID && taken {
		return s.takenResp()
	}
	if !s.validModelID(form.ID) {
		return detailResp(http.StatusBadRequest, msgModelIDTooLong)
	}
	s.dropSelfBase(&form)
	if taken {
		return s.takenResp()
	}
	if !u.admin() && !b.NoNonAdminBaseModelChecks {
		if form.BaseModelID == nil || *form.BaseModelID == "" {
			return detailResp(http.StatusUnauthorized, msgUnauthorized)
		}
		if s.isProviderID(form.ID) {
			return detailResp(http.StatusUnauthorized, msgModelIDTaken)
		}
	}
	if resp := s.checkBackground(form.Meta, nil); resp != nil {
		return resp
	}
	if s.dbFailing {
		if b.DBFailureAnswersFalsy {
			return detailResp(http.StatusUnauthorized, msgSomethingWrong)
		}
		return internalError()
	}
	r := s.newRow(form, u.ID, c.now)
	s.setGrants(r, s.allowedGrants(u, normalizeGrants(form.Grants)), c.now)
	s.insert(r, u.ID, form.CommitMessage)
	return jsonResp(http.StatusOK, s.wire(r))
}

func (s *Server) takenResp() *response {
	status := s.opts.Behaviour.ModelIDTakenStatus
	if status == 0 {
		status = http.StatusUnauthorized
	}
	return detailResp(status, msgModelIDTaken)
}

// dropSelfBase stores a base_model_id equal to the id as null (0.12.4).
func (s *Server) dropSelfBase(form *modelForm) {
	if !s.opts.Behaviour.KeepsSelfBaseModelID && form.BaseModelID != nil && *form.BaseModelID == form.ID {
		form.BaseModelID = nil
	}
}

// isProviderID reports whether a non-admin may not use id because a live
// provider model has it; for an Ollama model the name before ":" counts
// too. Open WebUI fills its model map first if a listing has not.
func (s *Server) isProviderID(id string) bool {
	if !s.modelsFilled {
		s.fillProviderMaps()
	}
	for _, p := range s.providers {
		if id == p.id || (p.ownedBy == "ollama" && id == strings.SplitN(p.id, ":", 2)[0]) {
			return true
		}
	}
	return false
}

// checkBackground is _verify_background_image: a new background image must
// be a readable file. The fake stores no files, so any new reference is
// inaccessible (0.12.4; the URL form is checked by the schema).
func (s *Server) checkBackground(meta map[string]any, previous map[string]any) *response {
	if s.opts.Behaviour.UntypedMetaAndParams {
		return nil
	}
	url, _ := meta["background_image_url"].(string)
	old, _ := previous["background_image_url"].(string)
	if url == "" || url == old {
		return nil
	}
	return detailResp(http.StatusForbidden, msgBackgroundDenied)
}

// keepUnsent carries over, on 0.12.4, what an update keeps when the form
// does not mention it: params.model_controls, and the meta keys Open WebUI
// preserves (profile_image_url, and with typed meta background_image_url
// and voice_avatar).
func (s *Server) keepUnsent(meta, params, oldMeta, oldParams map[string]any, metaKeys ...string) {
	for _, k := range metaKeys {
		if _, has := meta[k]; !has {
			if v, stored := oldMeta[k]; stored {
				meta[k] = v
			}
		}
	}
	if s.opts.Behaviour.UntypedMetaAndParams {
		return
	}
	if _, has := params["model_controls"]; !has {
		if c, ok := oldParams["model_controls"].(map[string]any); ok && len(c) > 0 {
			params["model_controls"] = cloneValue(c)
		}
	}
	storeParams(params)
}

func (s *Server) newRow(form modelForm, owner string, now int64) *row {
	return &row{
		id: form.ID, userID: owner, baseModelID: form.BaseModelID, name: form.Name,
		meta: s.storeMeta(cloneMap(form.Meta)), params: storeParams(cloneMap(form.Params)), isActive: form.IsActive,
		createdAt: now, updatedAt: now,
	}
}

// handleUpdate is POST /api/v1/models/model/update (doc §3.13): a full
// replace of name, meta and params, with a few preserved fields. 0.12.4
// ignores access_grants and keeps an omitted is_active.
func (s *Server) handleUpdate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	b := s.opts.Behaviour
	form, errs := s.parseModelForm(obj, formMode{loc: []any{"body"}})
	if len(errs) > 0 {
		return validationResp(errs)
	}
	r, ok := s.rows[form.ID]
	if !ok {
		return detailResp(http.StatusUnauthorized, msgNotFound)
	}
	u := c.user
	if !canModify(u, r) {
		return detailResp(http.StatusBadRequest, msgAccessProhibited)
	}
	if b.UpdateAppliesGrants && !form.HasGrants && !b.UpdateKeepsOmittedGrants {
		// The handler re-validates its own dump, whose access_grants is None
		// for a non-nullable list: an uncaught pydantic error (issue #28513).
		return internalError()
	}
	if !form.HasBaseModelID { // 0.10.2+: absent key keeps base_model_id
		form.BaseModelID = r.baseModelID
	}
	s.dropSelfBase(&form)
	if !u.admin() && !b.NoNonAdminBaseModelChecks && r.baseModelID != nil && (form.BaseModelID == nil || *form.BaseModelID == "") {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	meta, params := cloneMap(form.Meta), cloneMap(form.Params)
	kept := []string{"profile_image_url"} // 0.11.0+
	if !b.UntypedMetaAndParams {
		kept = append(kept, "voice_avatar", "background_image_url")
	}
	s.keepUnsent(meta, params, r.meta, r.params, kept...)
	if resp := s.checkBackground(meta, r.meta); resp != nil {
		return resp
	}
	if s.dbFailing {
		if b.DBFailureAnswersFalsy {
			return jsonResp(http.StatusOK, nil)
		}
		return internalError()
	}
	if s.conflicts > 0 {
		s.conflicts--
		return jsonResp(http.StatusConflict, map[string]any{"detail": map[string]string{"code": "version_conflict"}})
	}
	before := r.snapshot()
	r.name, r.meta, r.params, r.baseModelID = form.Name, s.storeMeta(meta), params, form.BaseModelID
	if form.HasIsActive || b.UpdateResetsOmittedIsActive {
		r.isActive = form.IsActive
	}
	if b.UpdateAppliesGrants && form.HasGrants && !form.NullGrants {
		s.setGrants(r, s.allowedGrants(u, normalizeGrants(form.Grants)), c.now)
	}
	r.updatedAt = c.now
	s.setVersion(r, before, u.ID, form.CommitMessage, c.now)
	return jsonResp(http.StatusOK, s.wire(r))
}

// handleToggle is POST /api/v1/models/model/toggle?id= (doc §3.12).
func (s *Server) handleToggle(c *call) *response {
	id, bad := requiredQuery(c.query, "id")
	if bad != nil {
		return bad
	}
	r, ok := s.rows[id]
	if !ok {
		return detailResp(http.StatusUnauthorized, msgNotFound)
	}
	if !canModify(c.user, r) {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	if s.dbFailing { // toggle_model_by_id swallows the error and returns None
		return detailResp(http.StatusBadRequest, msgToggleFailed)
	}
	r.isActive = !r.isActive
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, s.wire(r))
}

// handleDelete is POST /api/v1/models/model/delete with {"id"} (0.6.37+).
func (s *Server) handleDelete(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	id := f.str("id", true)
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	r, ok := s.rows[id]
	if !ok {
		return detailResp(http.StatusUnauthorized, msgNotFound)
	}
	if !canModify(c.user, r) {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	if s.dbFailing {
		return s.falsyOr500(false)
	}
	delete(s.rows, id) // grants and history live in the row, so they go with it
	return jsonResp(http.StatusOK, true)
}

// falsyOr500 is how a DB error surfaces: v with 200 up to 0.11.0, a
// plain-text 500 on 0.12.4.
func (s *Server) falsyOr500(v any) *response {
	if s.opts.Behaviour.DBFailureAnswersFalsy {
		return jsonResp(http.StatusOK, v)
	}
	return internalError()
}

// handleDeleteAll is DELETE /api/v1/models/delete/all: every row, base and
// custom.
func (s *Server) handleDeleteAll(*call) *response {
	if s.dbFailing {
		return s.falsyOr500(false)
	}
	s.rows = map[string]*row{}
	return jsonResp(http.StatusOK, true)
}

// handleAccessUpdate is POST /api/v1/models/model/access/update (doc
// §3.16, 0.8.1+ auto-create, 0.11.0 updated_at bump). On 0.12.4 a grant
// the caller may not give rejects the whole request.
func (s *Server) handleAccessUpdate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	b := s.opts.Behaviour
	f := &fields{obj: obj, loc: []any{"body"}}
	id := f.str("id", true)
	if _, isStr := obj["id"].(string); isStr && !b.WhitespaceIDsAllowed {
		f.patternID("id", id)
	}
	name, _ := f.nullableStr("name")
	items, _ := f.list("access_grants", true, false)
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	u := c.user
	r, ok := s.rows[id]
	switch {
	case !ok && !u.admin():
		return detailResp(http.StatusForbidden, msgAccessProhibited)
	case !ok:
		// An admin sharing a provider model that has no row yet gets a
		// minimal base-model row. It stays even if the grants are refused.
		n := id
		if name != nil && *name != "" {
			n = *name
		}
		r = &row{
			id: id, userID: u.ID, name: n, meta: map[string]any{}, params: map[string]any{},
			isActive: true, createdAt: c.now, updatedAt: c.now,
		}
		s.insert(r, u.ID, nil)
	case !canModify(u, r):
		return detailResp(http.StatusBadRequest, msgAccessProhibited)
	}
	grants := normalizeGrants(items)
	allowed := s.allowedGrants(u, grants)
	if len(allowed) != len(grants) && !b.AccessUpdateFiltersGrants {
		return detailResp(http.StatusForbidden, msgShareForbidden)
	}
	s.setGrants(r, allowed, c.now)
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, s.wire(r))
}
