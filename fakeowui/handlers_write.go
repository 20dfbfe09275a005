package fakeowui

import "net/http"

// handleCreate is POST /api/v1/models/create (doc §3.6). Check order
// matters: permission, taken id (401!), then id length.
func (s *Server) handleCreate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	form, errs := parseModelForm(obj, []any{"body"}, true)
	if len(errs) > 0 {
		return validationResp(errs)
	}
	u := c.user
	if !u.admin() && !s.perms().WorkspaceModels {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	if _, taken := s.rows[form.ID]; taken {
		status := s.opts.Behaviour.ModelIDTakenStatus
		if status == 0 {
			status = http.StatusUnauthorized
		}
		return detailResp(status, msgModelIDTaken)
	}
	if !validModelID(form.ID) {
		return detailResp(http.StatusBadRequest, msgModelIDTooLong)
	}
	r := s.newRow(form, u.ID, c.now)
	s.setGrants(r, s.filterGrants(u, normalizeGrants(form.Grants)), c.now)
	s.insert(r)
	return jsonResp(http.StatusOK, r.wire())
}

func (s *Server) newRow(form modelForm, owner string, now int64) *row {
	return &row{
		id: form.ID, userID: owner, baseModelID: form.BaseModelID, name: form.Name,
		meta: cloneMap(form.Meta), params: cloneMap(form.Params), isActive: form.IsActive,
		createdAt: now, updatedAt: now,
	}
}

// handleUpdate is POST /api/v1/models/model/update (doc §3.13): a full
// replace with a few preserved fields, and the 0.9.6+ access_grants trap.
func (s *Server) handleUpdate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	b := s.opts.Behaviour
	form, errs := parseModelForm(obj, []any{"body"}, !b.UpdateNullKeepsGrants)
	if len(errs) > 0 {
		return validationResp(errs)
	}
	r, ok := s.rows[form.ID]
	if !ok {
		return detailResp(http.StatusUnauthorized, msgNotFound)
	}
	if !canModify(c.user, r) {
		return detailResp(http.StatusBadRequest, msgAccessProhibited)
	}
	if !form.HasGrants && !b.UpdateKeepsOmittedGrants {
		// The handler re-validates its own dump, whose access_grants is None
		// for a non-nullable list: an uncaught pydantic error (issue #28513).
		return internalError()
	}
	meta := cloneMap(form.Meta)
	if _, has := meta["profile_image_url"]; !has { // 0.11.0: absent key keeps the image
		if v, stored := r.meta["profile_image_url"]; stored {
			meta["profile_image_url"] = v
		}
	}
	r.name, r.meta, r.params, r.isActive = form.Name, meta, cloneMap(form.Params), form.IsActive
	if form.HasBaseModelID { // 0.10.2+: absent key keeps base_model_id
		r.baseModelID = form.BaseModelID
	}
	if form.HasGrants && !form.NullGrants {
		s.setGrants(r, s.filterGrants(c.user, normalizeGrants(form.Grants)), c.now)
	}
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, r.wire())
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
	r.isActive = !r.isActive
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, r.wire())
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
	delete(s.rows, id) // grants live in the row, so they go with it
	return jsonResp(http.StatusOK, true)
}

// handleDeleteAll is DELETE /api/v1/models/delete/all: every row, base and
// custom.
func (s *Server) handleDeleteAll(*call) *response {
	s.rows = map[string]*row{}
	return jsonResp(http.StatusOK, true)
}

// handleAccessUpdate is POST /api/v1/models/model/access/update (doc
// §3.16, 0.8.1+ auto-create, 0.11.0 updated_at bump).
func (s *Server) handleAccessUpdate(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	id := f.str("id", true)
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
		// minimal base-model row.
		n := id
		if name != nil && *name != "" {
			n = *name
		}
		r = &row{
			id: id, userID: u.ID, name: n, meta: map[string]any{}, params: map[string]any{},
			isActive: true, createdAt: c.now, updatedAt: c.now,
		}
		s.insert(r)
	case !canModify(u, r):
		return detailResp(http.StatusBadRequest, msgAccessProhibited)
	}
	s.setGrants(r, s.filterGrants(u, normalizeGrants(items)), c.now)
	r.updatedAt = c.now
	return jsonResp(http.StatusOK, r.wire())
}
