package fakeowui

import "net/http"

// handleImport is POST /api/v1/models/import (doc §3.8). Bad elements are
// skipped silently; an element that fails ModelForm validation aborts with
// 500 and the pydantic message, keeping what was already imported.
func (s *Server) handleImport(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	items, _ := f.list("models", true, false)
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	u := c.user
	if !u.admin() && !s.perms().ModelsImport {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	for _, it := range items {
		elem := it.(map[string]any) // checked by f.list
		id, _ := elem["id"].(string)
		if !validModelID(id) {
			continue
		}
		if r, ok := s.rows[id]; ok {
			if !canModify(u, r) { // 0.9.0+
				continue
			}
			if resp := s.importOver(r, elem, u, c.now); resp != nil {
				return resp
			}
			continue
		}
		merged := cloneMap(elem)
		for _, k := range []string{"meta", "params"} {
			if _, has := merged[k]; !has {
				merged[k] = map[string]any{}
			}
		}
		form, errs := parseModelForm(merged, nil, true)
		if len(errs) > 0 {
			return detailResp(http.StatusInternalServerError, pydanticMessage("ModelForm", errs))
		}
		r := s.newRow(form, u.ID, c.now)
		s.setGrants(r, s.filterGrants(u, normalizeGrants(form.Grants)), c.now)
		s.insert(r)
	}
	return jsonResp(http.StatusOK, true)
}

// importOver merges an import element over an existing row: top-level keys
// of the element win, params is replaced (absent means {}), meta is merged
// key-wise (0.11.0) or replaced, and grants change only if the element
// lists them.
func (s *Server) importOver(r *row, elem map[string]any, u *user, now int64) *response {
	stored := r.wire()
	merged := map[string]any{
		"id": stored.ID, "user_id": stored.UserID, "name": stored.Name,
		"params": stored.Params, "meta": stored.Meta, "is_active": stored.IsActive,
		"updated_at": stored.UpdatedAt, "created_at": stored.CreatedAt,
	}
	if stored.BaseModelID != nil {
		merged["base_model_id"] = *stored.BaseModelID
	} else {
		merged["base_model_id"] = nil
	}
	grants := make([]any, len(stored.AccessGrants))
	for i, g := range stored.AccessGrants {
		grants[i] = map[string]any{"principal_type": g.PrincipalType, "principal_id": g.PrincipalID, "permission": g.Permission}
	}
	merged["access_grants"] = grants
	for k, v := range elem {
		merged[k] = v
	}
	if _, has := elem["params"]; !has {
		merged["params"] = map[string]any{}
	}
	em, hasMeta := elem["meta"]
	switch {
	case s.opts.Behaviour.ImportReplacesMeta && !hasMeta:
		merged["meta"] = map[string]any{}
	case !s.opts.Behaviour.ImportReplacesMeta && hasMeta:
		if em, ok := em.(map[string]any); ok {
			meta := cloneMap(r.meta)
			for k, v := range em {
				meta[k] = v
			}
			merged["meta"] = meta
		}
	}
	form, errs := parseModelForm(merged, nil, true)
	if len(errs) > 0 {
		return detailResp(http.StatusInternalServerError, pydanticMessage("ModelForm", errs))
	}
	r.name, r.meta, r.params, r.isActive = form.Name, cloneMap(form.Meta), cloneMap(form.Params), form.IsActive
	r.baseModelID = form.BaseModelID
	if _, has := elem["access_grants"]; has {
		s.setGrants(r, s.filterGrants(u, normalizeGrants(form.Grants)), now)
	}
	r.updatedAt = now
	return nil
}

// syncModel is one validated SyncModelsForm element (a full ModelModel).
type syncModel struct {
	form      modelForm
	createdAt int64
	grants    []Grant
}

// handleSync is POST /api/v1/models/sync (doc §3.9): upsert every listed
// model as the caller, then DELETE every row not listed.
func (s *Server) handleSync(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	items, _ := f.list("models", false, false) // defaults to []
	var models []syncModel
	for i, it := range items {
		if m, ok := it.(map[string]any); ok {
			models = append(models, parseModelModel(m, []any{"body", "models", i}, f))
		}
	}
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	listed := map[string]bool{}
	for _, m := range models {
		listed[m.form.ID] = true
		r, ok := s.rows[m.form.ID]
		if !ok {
			r = &row{id: m.form.ID}
			s.insert(r)
		}
		r.userID, r.baseModelID, r.name = c.user.ID, m.form.BaseModelID, m.form.Name
		r.meta, r.params, r.isActive = cloneMap(m.form.Meta), cloneMap(m.form.Params), m.form.IsActive
		r.createdAt, r.updatedAt = m.createdAt, c.now
		s.setGrants(r, m.grants, c.now)
	}
	for id := range s.rows {
		if !listed[id] {
			delete(s.rows, id)
		}
	}
	return jsonResp(http.StatusOK, wireRows(s.sortedRows()))
}

// parseModelModel validates a full ModelModel, appending errors to parent
// so that all elements are reported together, as pydantic does.
func parseModelModel(obj map[string]any, loc []any, parent *fields) syncModel {
	f := &fields{obj: obj, loc: loc}
	var m syncModel
	m.form.ID = f.str("id", true)
	f.str("user_id", true) // required, then overridden by the caller's id
	m.form.BaseModelID, m.form.HasBaseModelID = f.nullableStr("base_model_id")
	m.form.Name = f.str("name", true)
	m.form.Params = f.model("params", "ModelParams", true)
	m.form.Meta = f.model("meta", "ModelMeta", true)
	grants, _ := f.list("access_grants", false, false)
	var raw []any
	for j, g := range grants {
		gm, ok := g.(map[string]any)
		if !ok {
			continue
		}
		gf := &fields{obj: gm, loc: f.at("access_grants", j)}
		gf.str("id", true)
		gf.str("resource_type", true)
		gf.str("resource_id", true)
		pt := gf.str("principal_type", true)
		pid := gf.str("principal_id", true)
		perm := gf.str("permission", true)
		gf.integer("created_at", true)
		f.errs = append(f.errs, gf.errs...)
		raw = append(raw, map[string]any{"principal_type": pt, "principal_id": pid, "permission": perm})
	}
	m.grants = normalizeGrants(raw)
	m.form.IsActive = f.boolean("is_active", true, true)
	f.integer("updated_at", true)
	m.createdAt = f.integer("created_at", true)
	if len(f.errs) == 0 {
		m.form.Meta = normalizeMeta(m.form.Meta, f)
	}
	parent.errs = append(parent.errs, f.errs...)
	return m
}
