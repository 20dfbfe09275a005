package fakeowui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unsafe"
)

// Grant is one access grant as clients send it.
type Grant struct {
	PrincipalType string `json:"principal_type"` // "user" or "group" ("anyone" only ever comes from sync)
	PrincipalID   string `json:"principal_id"`   // user id, group id, or "*" (all users)
	Permission    string `json:"permission"`     // "read" or "write"
}

// Model is one row of Open WebUI's model table. A nil BaseModelID makes it a
// base-model row (per-model overrides of a provider model); otherwise it is
// a custom (workspace) model.
type Model struct {
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	BaseModelID  *string        `json:"base_model_id"`
	Name         string         `json:"name"`
	Meta         map[string]any `json:"meta"`
	Params       map[string]any `json:"params"`
	AccessGrants []Grant        `json:"access_grants"`
	IsActive     bool           `json:"is_active"`
	CreatedAt    int64          `json:"created_at"`
	UpdatedAt    int64          `json:"updated_at"`
}

// row is the stored form of a Model. seq stands in for SQLite's rowid: the
// order Open WebUI returns rows in when a query has no ORDER BY.
type row struct {
	seq         int64
	id          string
	userID      string
	baseModelID *string
	name        string
	meta        map[string]any
	params      map[string]any
	grants      []grantRow
	isActive    bool
	createdAt   int64
	updatedAt   int64
	versionID   string         // id of the current history entry (0.12.4)
	history     []historyEntry // oldest first
	// metaText caches the lower-cased JSON of meta for the tag filter,
	// keyed by the meta map it was made from: writes always replace the
	// map, never edit it in place.
	metaText   string
	metaTextOf unsafe.Pointer
}

// lowerMetaJSON is what the tag filter scans (SQL LIKE over the meta column).
func (r *row) lowerMetaJSON() string {
	p := reflect.ValueOf(r.meta).UnsafePointer()
	if r.metaText == "" || r.metaTextOf != p {
		r.metaText, r.metaTextOf = strings.ToLower(string(encodeJSON(r.meta))), p
	}
	return r.metaText
}

// historyEntry is one row of 0.12.4's model_history table: an immutable
// snapshot of name, base_model_id, params and meta.
type historyEntry struct {
	id            string
	parentID      *string
	snapshot      snapshotJSON
	userID        string
	commitMessage *string
	createdAt     int64
}

type grantRow struct {
	Grant
	id        string
	createdAt int64
}

func (r *row) isBase() bool { return r.baseModelID == nil }

// provider is one live provider model (GET /api/models/base, unload).
type provider struct {
	id, ownedBy string
	canUnload   bool
	created     int64
}

// connection is the provider map the model lives in: "ollama" or "openai".
func (p provider) connection() string {
	if p.ownedBy == "ollama" {
		return "ollama"
	}
	return "openai"
}

// insert stores a new row at the end of the insertion order, with its
// first history entry, written by userID at the row's updated_at.
func (s *Server) insert(r *row, userID string, commit *string) {
	s.seq++
	r.seq = s.seq
	s.rows[r.id] = r
	r.history = nil
	s.addVersion(r, userID, commit, r.updatedAt)
}

// addVersion records the row's current snapshot as a new history entry and
// makes it the current version.
func (s *Server) addVersion(r *row, userID string, commit *string, now int64) {
	s.versionSeq++
	e := historyEntry{
		id:       fmt.Sprintf("00000000-0000-4000-9000-%012d", s.versionSeq),
		snapshot: r.snapshot(), userID: userID, commitMessage: commit, createdAt: now,
	}
	if r.versionID != "" {
		p := r.versionID
		e.parentID = &p
	}
	r.history = append(r.history, e)
	r.versionID = e.id
}

// snapshotJSON is model_snapshot(): what a history entry keeps.
type snapshotJSON struct {
	Name        string         `json:"name"`
	BaseModelID *string        `json:"base_model_id"`
	Params      map[string]any `json:"params"`
	Meta        metaJSON       `json:"meta"`
}

// snapshot is the row's current snapshot: meta as ModelMeta dumps it,
// without "hidden" and chat_variables_schema.
func (r *row) snapshot() snapshotJSON {
	// A history entry outlives the row's current maps: deep copy.
	meta := readMeta(cloneMap(r.meta))
	delete(meta, "hidden")
	delete(meta, "chat_variables_schema")
	sn := snapshotJSON{Name: r.name, Params: cloneMap(r.params), Meta: meta}
	if r.baseModelID != nil {
		b := *r.baseModelID
		sn.BaseModelID = &b
	}
	return sn
}

// setVersion records a new history entry if the snapshot changed since the
// current one (0.12.4 update, import and sync).
func (s *Server) setVersion(r *row, before snapshotJSON, userID string, commit *string, now int64) {
	if s.opts.Behaviour.NoModelHistory || reflect.DeepEqual(jsonValue(before), jsonValue(r.snapshot())) {
		return
	}
	s.addVersion(r, userID, commit, now)
}

// setGrants replaces a row's grants. Every replace mints new grant ids, as
// Open WebUI deletes and re-inserts them.
func (s *Server) setGrants(r *row, gs []Grant, now int64) {
	r.grants = make([]grantRow, 0, len(gs))
	for _, g := range gs {
		s.grantSeq++
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", s.grantSeq)
		r.grants = append(r.grants, grantRow{Grant: g, id: id, createdAt: now})
	}
}

// sortedRows returns rows in insertion order.
func (s *Server) sortedRows() []*row {
	out := make([]*row, 0, len(s.rows))
	for _, r := range s.rows {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *row) int { return cmpInt(a.seq, b.seq) })
	return out
}

// PutModel stores m directly, replacing any row with the same id (which
// keeps its place in the insertion order). Nil Meta/Params become {};
// zero timestamps become now. The row gets a fresh history with one entry
// (its version_id), as rows migrated to 0.12 do. No request is logged.
func (s *Server) PutModel(m Model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r := &row{
		id: m.ID, userID: m.UserID, name: m.Name, isActive: m.IsActive,
		meta: jsonMap(m.Meta), params: jsonMap(m.Params),
		createdAt: m.CreatedAt, updatedAt: m.UpdatedAt,
	}
	if m.BaseModelID != nil {
		b := *m.BaseModelID
		r.baseModelID = &b
	}
	if r.createdAt == 0 {
		r.createdAt = now
	}
	if r.updatedAt == 0 {
		r.updatedAt = r.createdAt
	}
	s.setGrants(r, m.AccessGrants, r.updatedAt)
	if old, ok := s.rows[m.ID]; ok {
		r.seq = old.seq
		s.rows[m.ID] = r
		// Like the 0.12 migration, a stored row starts with one history
		// entry by its owner.
		s.addVersion(r, r.userID, nil, r.updatedAt)
		return
	}
	s.insert(r, r.userID, nil)
}

// Model returns a deep copy of the row with that id.
func (s *Server) Model(id string) (Model, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rows[id]
	if !ok {
		return Model{}, false
	}
	return r.export(), true
}

// Models returns deep copies of all rows, sorted by id.
func (s *Server) Models() []Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Model, 0, len(s.rows))
	for _, r := range s.rows {
		out = append(out, r.export())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddProviderModel adds (or replaces) a live provider model. ownedBy is the
// connection type, "openai" or "ollama"; canUnload says whether unloading is
// supported (Ollama, or an OpenAI connection with provider llama.cpp).
func (s *Server) AddProviderModel(id, ownedBy string, canUnload bool) {
	s.addProvider(provider{id: id, ownedBy: ownedBy, canUnload: canUnload})
}

// addProvider stores p; a zero created means now.
func (s *Server) addProvider(p provider) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.created == 0 {
		p.created = s.now()
	}
	for i := range s.providers {
		if s.providers[i].id == p.id {
			s.providers[i] = p
			return
		}
	}
	s.providers = append(s.providers, p)
}

func (s *Server) provider(id string) (provider, bool) {
	for _, p := range s.providers {
		if p.id == id {
			return p, true
		}
	}
	return provider{}, false
}

func (r *row) export() Model {
	m := Model{
		ID: r.id, UserID: r.userID, Name: r.name, IsActive: r.isActive,
		Meta: cloneMap(r.meta), Params: cloneMap(r.params),
		AccessGrants: make([]Grant, len(r.grants)),
		CreatedAt:    r.createdAt, UpdatedAt: r.updatedAt,
	}
	if r.baseModelID != nil {
		b := *r.baseModelID
		m.BaseModelID = &b
	}
	for i, g := range r.grants {
		m.AccessGrants[i] = g.Grant
	}
	return m
}

// Wire shapes. Field order follows Open WebUI's pydantic models.

type grantJSON struct {
	ID            string `json:"id"`
	ResourceType  string `json:"resource_type"`
	ResourceID    string `json:"resource_id"`
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Permission    string `json:"permission"`
	CreatedAt     int64  `json:"created_at"`
}

// modelJSON is ModelModel (and ModelResponse, which is identical).
// VersionID is empty, and left out, when the emulated release has no
// model history.
type modelJSON struct {
	VersionID    string         `json:"version_id,omitempty"`
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	BaseModelID  *string        `json:"base_model_id"`
	Name         string         `json:"name"`
	Params       map[string]any `json:"params"`
	Meta         metaJSON       `json:"meta"`
	AccessGrants []grantJSON    `json:"access_grants"`
	IsActive     bool           `json:"is_active"`
	UpdatedAt    int64          `json:"updated_at"`
	CreatedAt    int64          `json:"created_at"`
}

type userJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	Email string `json:"email"`
}

// modelAccessJSON is ModelAccessResponse: ModelModel + user + write_access.
type modelAccessJSON struct {
	modelJSON
	User        *userJSON `json:"user"`
	WriteAccess bool      `json:"write_access"`
}

// modelExportJSON is 0.12.4's ModelExportResponse.
type modelExportJSON struct {
	modelJSON
	BackgroundImageData *string `json:"background_image_data"`
}

// wire renders r as the emulated release's ModelModel. Meta and params
// are copied one level deep only: callers add, drop or replace top-level
// keys of the answer, and never edit a nested value (the row's writes
// replace whole maps too), so the nested values can be shared.
func (s *Server) wire(r *row) modelJSON {
	m := modelJSON{
		ID: r.id, UserID: r.userID, BaseModelID: r.baseModelID, Name: r.name,
		Params:       shallowMap(r.params),
		AccessGrants: make([]grantJSON, len(r.grants)),
		IsActive:     r.isActive, UpdatedAt: r.updatedAt, CreatedAt: r.createdAt,
	}
	b := s.opts.Behaviour
	if b.UntypedMetaAndParams {
		m.Meta = shallowMap(r.meta)
	} else {
		m.Meta = readMeta(r.meta)
		if c, ok := m.Params["model_controls"].(map[string]any); ok && len(c) == 0 {
			delete(m.Params, "model_controls")
		}
	}
	if !b.NoModelHistory {
		m.VersionID = r.versionID
	}
	for i, g := range r.grants {
		m.AccessGrants[i] = grantJSON{
			ID: g.id, ResourceType: "model", ResourceID: r.id,
			PrincipalType: g.PrincipalType, PrincipalID: g.PrincipalID, Permission: g.Permission,
			CreatedAt: g.createdAt,
		}
	}
	return m
}

func (s *Server) wireRows(rows []*row) modelList {
	out := make(modelList, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.wire(r))
	}
	return out
}

// metaJSON is a meta object that encodes ModelMeta's typed keys first, in
// declaration order, then the extra keys sorted (Go maps keep no order).
type metaJSON map[string]any

func (m metaJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := m.appendJSON(newValueEncoder(&b)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// appendJSON writes the object into e's buffer, with one encoder for all
// its values (a fresh encoder per key and value cost more than the
// encoding itself).
func (m metaJSON) appendJSON(e valueEncoder) error {
	o := e.object()
	for _, k := range typedMetaKeys {
		if v, ok := m[k]; ok {
			o.key(k) // plain ASCII names: they encode as themselves
			if err := e.value(v); err != nil {
				return err
			}
		}
	}
	extra := make([]string, 0, len(m))
	for k := range m {
		if !isTypedMetaKey(k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		if o.n > 0 {
			e.b.WriteByte(',')
		}
		o.n++
		appendString(e.b, k)
		e.b.WriteByte(':')
		if err := e.value(m[k]); err != nil {
			return err
		}
	}
	o.end()
	return nil
}

// isTypedMetaKey reports whether k is one of typedMetaKeys.
func isTypedMetaKey(k string) bool {
	switch k {
	case "profile_image_url", "background_image_url", "description", "i18n",
		"capabilities", "knowledge", "voice", "voice_avatar":
		return true
	}
	return false
}

// typedMeta is meta as ModelMeta dumps it: every typed key present, null
// when unset. Like wire, it copies only the top level.
func typedMeta(meta map[string]any) metaJSON {
	out := make(metaJSON, len(meta)+len(typedMetaKeys))
	for k, v := range meta {
		out[k] = v
	}
	for _, k := range typedMetaKeys {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
	}
	return out
}

// readMeta is what 0.12.4 returns for stored meta: it re-validates the row
// on every read, so tags come back normalized and an invalid profile image
// as null, and the typed keys are all present.
func readMeta(meta map[string]any) metaJSON {
	out := typedMeta(meta)
	if tags, ok := out["tags"]; ok {
		out["tags"] = normalizeTags(tags)
	}
	if v := out["profile_image_url"]; v != nil {
		if str, ok := v.(string); !ok || !validProfileImageURL(str) {
			out["profile_image_url"] = nil
		}
	}
	return out
}

// jsonValue round-trips v through JSON, for comparing snapshots.
func jsonValue(v any) any {
	var out any
	if err := json.Unmarshal(encodeJSON(v), &out); err != nil {
		panic(fmt.Sprintf("fakeowui: round trip: %v", err))
	}
	return out
}

// jsonMap normalizes arbitrary Go values into what encoding/json decodes
// (map[string]any, []any, float64...), so stored data looks the same
// whether it came from a request or from PutModel. Nil becomes {}.
func jsonMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("fakeowui: model data is not JSON-encodable: %v", err))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("fakeowui: model data round trip: %v", err))
	}
	return out
}

// shallowMap copies the top level of m. Nil becomes {}, as in cloneMap.
func shallowMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// cloneMap deep-copies decoded JSON. Nil becomes {} because Open WebUI
// never returns null for meta or params.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cloneValue(x)
		}
		return out
	}
	return v
}

// tagNames lists meta.tags names; tags may be {"name": ...} objects or
// plain strings.
func tagNames(meta map[string]any) []string {
	tags, _ := meta["tags"].([]any)
	var out []string
	for _, t := range tags {
		switch t := t.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			if n, ok := t["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

// sortedTags collects the sorted, de-duplicated tag names of rows.
func sortedTags(rows []*row) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, r := range rows {
		for _, t := range tagNames(r.meta) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}
