package fakeowui

import (
	"net/http"
	"strings"
)

// handleImport is POST /api/v1/models/import (doc §3.8). Bad ids are
// skipped silently. Import is not atomic: an element that fails ModelForm
// validation (400 on 0.12.4, 500 before) or a refused overwrite (401)
// aborts the request, and the elements before it stay imported.
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
	u, b := c.user, s.opts.Behaviour
	if !u.admin() && !s.perms().ModelsImport {
		return detailResp(http.StatusUnauthorized, msgUnauthorized)
	}
	ordered := importOrder(c.raw, len(items))
	for i, it := range items {
		elem := cloneMap(it.(map[string]any)) // checked by f.list
		py := ordered[i]
		id, isStr := elem["id"].(string)
		if !isStr || !s.validModelID(id) {
			continue
		}
		if bm, ok := elem["base_model_id"].(string); ok && bm == id && !b.KeepsSelfBaseModelID {
			elem["base_model_id"] = nil
			py = py.set("base_model_id", nil)
		}
		if r, ok := s.rows[id]; ok {
			if !canModify(u, r) {
				if b.ImportSkipsUnwritable { // 0.9.0–0.11.0
					continue
				}
				return detailResp(http.StatusUnauthorized, msgModelIDTaken)
			}
			if !u.admin() && !b.NoNonAdminBaseModelChecks && r.baseModelID != nil {
				v, has := elem["base_model_id"]
				if !has {
					v = *r.baseModelID
				}
				if v == nil || v == "" { // would turn it into a base row
					continue
				}
			}
			if resp := s.importOver(r, elem, py, u, c.now); resp != nil {
				return resp
			}
			continue
		}
		for _, k := range []string{"meta", "params"} {
			if _, has := elem[k]; !has {
				elem[k] = map[string]any{}
				py = py.set(k, pyDict{})
			}
		}
		form, errs := s.parseModelForm(elem, formMode{python: true})
		if len(errs) > 0 {
			return s.importError(errs, py)
		}
		if !u.admin() && !b.NoNonAdminBaseModelChecks {
			if form.BaseModelID == nil || *form.BaseModelID == "" {
				continue
			}
			if s.isProviderID(id) {
				return detailResp(http.StatusUnauthorized, msgModelIDTaken)
			}
		}
		if resp := s.checkBackground(form.Meta, nil); resp != nil {
			return resp
		}
		r := s.newRow(form, u.ID, c.now)
		s.setGrants(r, s.allowedGrants(u, normalizeGrants(form.Grants)), c.now)
		s.insert(r, u.ID, form.CommitMessage)
	}
	return jsonResp(http.StatusOK, true)
}

// importOrder re-decodes the elements of an import body keeping their key
// order, for pydantic's error text; nil entries where that fails.
func importOrder(raw []byte, n int) []pyDict {
	out := make([]pyDict, n)
	v, err := decodePy(raw)
	if err != nil {
		return out
	}
	root, _ := v.(pyDict)
	models, _ := root.get("models")
	list, _ := models.([]any)
	for i := range min(n, len(list)) {
		out[i], _ = list[i].(pyDict)
	}
	return out
}

// importError answers an element that fails ModelForm: pydantic's text,
// with 400 on 0.12.4 (ValueError) and 500 before.
func (s *Server) importError(errs []valErr, py pyDict) *response {
	status := http.StatusBadRequest
	if s.opts.Behaviour.ImportInvalidElementIs500 {
		status = http.StatusInternalServerError
	}
	var root any
	if py != nil {
		root = py
	}
	return detailResp(status, pydanticMessage("ModelForm", errs, root))
}

// importOver writes an import element over an existing row, as
// ModelForm(**{**existing.model_dump(), **element}): top-level keys of the
// element win, params is replaced (absent means {}), meta is merged
// key-wise (0.11.0+) or replaced, and is_active and base_model_id stay
// unless given. Grants are left alone on 0.12.4; before, they changed if
// the element listed them.
func (s *Server) importOver(r *row, elem map[string]any, py pyDict, u *user, now int64) *response {
	b := s.opts.Behaviour
	stored := s.wire(r)
	grants := make([]any, len(stored.AccessGrants))
	for i, g := range stored.AccessGrants {
		grants[i] = map[string]any{"principal_type": g.PrincipalType, "principal_id": g.PrincipalID, "permission": g.Permission}
	}
	var base any
	if stored.BaseModelID != nil {
		base = *stored.BaseModelID
	}
	merged := map[string]any{
		"id": stored.ID, "user_id": stored.UserID, "base_model_id": base, "name": stored.Name,
		"params": stored.Params, "meta": map[string]any(stored.Meta), "access_grants": grants,
		"is_active": stored.IsActive, "updated_at": stored.UpdatedAt, "created_at": stored.CreatedAt,
	}
	dump := pyDict{}
	if stored.VersionID != "" {
		dump = append(dump, pyItem{"version_id", stored.VersionID})
	}
	for _, k := range []string{"id", "user_id", "base_model_id", "name", "params", "meta", "access_grants", "is_active", "updated_at", "created_at"} {
		v := merged[k]
		if k == "meta" {
			v = stored.Meta
		}
		dump = append(dump, pyItem{k, toPy(v)})
	}
	for k, v := range elem {
		merged[k] = v
	}
	for _, it := range py {
		dump = dump.set(it.key, it.val)
	}
	if _, has := elem["params"]; !has {
		merged["params"] = map[string]any{}
		dump = dump.set("params", pyDict{})
	}
	em, hasMeta := elem["meta"]
	switch {
	case b.ImportReplacesMeta: // ≤0.10.x
		if !hasMeta {
			merged["meta"] = map[string]any{}
		}
	default:
		meta := map[string]any(stored.Meta)
		pyMeta, _ := toPy(stored.Meta).(pyDict)
		switch em := em.(type) {
		case nil: // absent, or null (Python: `or {}`)
		case map[string]any:
			for k, v := range em {
				meta[k] = v
			}
			pm, _ := py.get("meta")
			if pm, ok := pm.(pyDict); ok {
				for _, it := range pm {
					pyMeta = pyMeta.set(it.key, it.val)
				}
			}
		default:
			if b.UntypedMetaAndParams {
				meta = nil // fall through to the form's type error
				merged["meta"] = em
			} else {
				return detailResp(http.StatusInternalServerError, "'"+pyType(em)+"' object is not a mapping")
			}
		}
		if meta != nil {
			merged["meta"] = meta
			dump = dump.set("meta", pyMeta)
		}
	}
	form, errs := s.parseModelForm(merged, formMode{python: true})
	if len(errs) > 0 {
		return s.importError(errs, dump)
	}
	meta, params := cloneMap(form.Meta), cloneMap(form.Params)
	s.keepUnsent(meta, params, r.meta, r.params)
	if resp := s.checkBackground(meta, r.meta); resp != nil {
		return resp
	}
	before := r.snapshot()
	r.name, r.meta, r.params, r.isActive = form.Name, s.storeMeta(meta), params, form.IsActive
	r.baseModelID = form.BaseModelID
	if _, has := elem["access_grants"]; has && b.UpdateAppliesGrants {
		s.setGrants(r, s.allowedGrants(u, normalizeGrants(form.Grants)), now)
	}
	r.updatedAt = now
	s.setVersion(r, before, u.ID, form.CommitMessage, now)
	return nil
}

// syncModel is one validated SyncModelsForm element (a full ModelModel).
type syncModel struct {
	form      modelForm
	createdAt int64
	grants    []any
}

// handleSync is POST /api/v1/models/sync (doc §3.9): write every listed
// model, then DELETE every row not listed. On 0.12.4 rows that exist keep
// owner, created_at and grants; new rows belong to the caller.
func (s *Server) handleSync(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	b := s.opts.Behaviour
	f := &fields{obj: obj, loc: []any{"body"}}
	items, _ := f.list("models", false, false) // defaults to []
	var models []syncModel
	for i, it := range items {
		if m, ok := it.(map[string]any); ok {
			models = append(models, s.parseModelModel(m, []any{"body", "models", i}, f))
		}
	}
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	if b.SyncTakesOverRows {
		return s.syncTakeOver(c, models)
	}
	for i := range models {
		m := &models[i]
		if prev, ok := s.rows[m.form.ID]; ok {
			s.keepUnsent(m.form.Meta, m.form.Params, prev.meta, prev.params, "background_image_url", "voice_avatar")
			if resp := s.checkBackground(m.form.Meta, prev.meta); resp != nil {
				return resp
			}
		} else if resp := s.checkBackground(m.form.Meta, nil); resp != nil {
			return resp
		}
	}
	// Models.sync_models builds a ModelForm per element inside one
	// transaction: a whitespace id or a new id listed twice raises, and
	// the rollback leaves everything as it was.
	fresh := map[string]bool{}
	for _, m := range models {
		if !b.WhitespaceIDsAllowed && (m.form.ID == "" || strings.ContainsFunc(m.form.ID, pyIsSpace)) {
			return internalError()
		}
		if _, ok := s.rows[m.form.ID]; !ok {
			if fresh[m.form.ID] {
				return internalError()
			}
			fresh[m.form.ID] = true
		}
	}
	if s.dbFailing {
		return s.falsyOr500([]any{})
	}
	listed := map[string]bool{}
	written := make([]*row, 0, len(models))
	for _, m := range models {
		listed[m.form.ID] = true
		r, ok := s.rows[m.form.ID]
		if !ok {
			r = s.newRow(m.form, c.user.ID, c.now)
			s.setGrants(r, normalizeGrants(m.grants), c.now)
			s.insert(r, c.user.ID, nil)
			written = append(written, r)
			continue
		}
		before := r.snapshot()
		r.baseModelID, r.name = m.form.BaseModelID, m.form.Name
		r.meta, r.params, r.isActive = s.storeMeta(cloneMap(m.form.Meta)), storeParams(cloneMap(m.form.Params)), m.form.IsActive
		r.updatedAt = c.now
		if b.SyncReplacesGrants {
			s.setGrants(r, normalizeGrants(m.grants), c.now)
		}
		s.setVersion(r, before, c.user.ID, nil, c.now)
		written = append(written, r)
	}
	for id := range s.rows {
		if !listed[id] {
			delete(s.rows, id)
		}
	}
	return jsonResp(http.StatusOK, s.wireRows(written))
}

// syncTakeOver is sync up to 0.11.0: every listed row is upserted with the
// caller as owner, the listed created_at and the listed grants, and the
// answer is every row after the sync.
func (s *Server) syncTakeOver(c *call, models []syncModel) *response {
	if s.dbFailing {
		return s.falsyOr500([]any{})
	}
	if s.opts.Behaviour.SyncLocksOnSQLite {
		for _, m := range models {
			if _, exists := s.rows[m.form.ID]; exists {
				return jsonResp(http.StatusOK, []any{}) // rolled back: nothing changed
			}
		}
	}
	listed := map[string]bool{}
	for _, m := range models {
		listed[m.form.ID] = true
		r, exists := s.rows[m.form.ID]
		if !exists {
			r = &row{id: m.form.ID}
		}
		r.userID, r.baseModelID, r.name = c.user.ID, m.form.BaseModelID, m.form.Name
		r.meta, r.params, r.isActive = cloneMap(m.form.Meta), cloneMap(m.form.Params), m.form.IsActive
		r.createdAt, r.updatedAt = m.createdAt, c.now
		var gs []Grant
		for _, g := range normalizeGrants(m.grants) {
			if g.PrincipalType != "anyone" {
				gs = append(gs, g)
			}
		}
		s.setGrants(r, gs, c.now)
		if !exists {
			s.insert(r, c.user.ID, nil)
		}
	}
	for id := range s.rows {
		if !listed[id] {
			delete(s.rows, id)
		}
	}
	return jsonResp(http.StatusOK, s.wireRows(s.sortedRows()))
}

// parseModelModel validates a full ModelModel, appending errors to parent
// so that all elements are reported together, as pydantic does.
func (s *Server) parseModelModel(obj map[string]any, loc []any, parent *fields) syncModel {
	f := &fields{obj: obj, loc: loc}
	var m syncModel
	if !s.opts.Behaviour.NoModelHistory {
		f.nullableStr("version_id") // accepted, never used: "imported version IDs are never local"
	}
	m.form.ID = f.str("id", true)
	f.str("user_id", true) // required, then ignored
	m.form.BaseModelID, m.form.HasBaseModelID = f.nullableStr("base_model_id")
	m.form.Name = f.str("name", true)
	m.form.Params = s.paramsField(f, false)
	m.form.Meta = s.metaField(f, false)
	grants, _ := f.list("access_grants", false, false)
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
		m.grants = append(m.grants, map[string]any{"principal_type": pt, "principal_id": pid, "permission": perm})
	}
	m.form.IsActive = f.boolean("is_active", true, true)
	f.integer("updated_at", true)
	m.createdAt = f.integer("created_at", true)
	parent.errs = append(parent.errs, f.errs...)
	return m
}
