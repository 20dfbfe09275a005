package fakeowui

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// This file reproduces just enough of pydantic v2 / FastAPI validation for
// the request shapes of the models API: which fields are required, which may
// be null, and the 422 items clients see.

// parseBody decodes a JSON request body. FastAPI does this before running
// any dependency, so a malformed body is a 422 even without credentials.
// An empty body yields present=false.
func parseBody(body []byte) (v any, present bool, resp *response) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, false, nil
	}
	if err := json.Unmarshal(body, &v); err != nil {
		pos := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			pos = int(se.Offset)
		}
		return nil, false, validationResp([]valErr{{
			Type: "json_invalid", Loc: []any{"body", pos}, Msg: "JSON decode error",
			Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()},
		}})
	}
	return v, true, nil
}

// bodyObject requires the parsed body to be a JSON object, as a pydantic
// form model does.
func bodyObject(c *call) (map[string]any, *response) {
	if !c.hasBody {
		return nil, validationResp([]valErr{{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: nil}})
	}
	m, ok := c.body.(map[string]any)
	if !ok {
		return nil, validationResp([]valErr{{
			Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: c.body,
		}})
	}
	return m, nil
}

// queryParam returns the last value of a query parameter, as Starlette does.
func queryParam(q url.Values, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// requiredQuery answers 422 when a required query parameter is absent.
func requiredQuery(q url.Values, name string) (string, *response) {
	v, ok := queryParam(q, name)
	if !ok {
		return "", validationResp([]valErr{{Type: "missing", Loc: []any{"query", name}, Msg: "Field required", Input: nil}})
	}
	return v, nil
}

// fields validates the members of one JSON object and collects errors in
// declaration order, like pydantic.
type fields struct {
	obj  map[string]any
	loc  []any
	errs []valErr
}

func (f *fields) at(name ...any) []any {
	return append(slices.Clone(f.loc), name...)
}

func (f *fields) fail(typ, msg string, input any, name ...any) {
	f.errs = append(f.errs, valErr{Type: typ, Loc: f.at(name...), Msg: msg, Input: input})
}

// get returns the raw member; a missing required member is recorded.
func (f *fields) get(name string, required bool) (any, bool) {
	v, ok := f.obj[name]
	if !ok && required {
		f.fail("missing", "Field required", f.obj, name)
	}
	return v, ok
}

func (f *fields) str(name string, required bool) string {
	v, ok := f.get(name, required)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		f.fail("string_type", "Input should be a valid string", v, name)
	}
	return s
}

// nullableStr is an Optional[str]: absent, null, or a string.
func (f *fields) nullableStr(name string) (val *string, present bool) {
	v, ok := f.get(name, false)
	if !ok || v == nil {
		return nil, ok
	}
	s, isStr := v.(string)
	if !isStr {
		f.fail("string_type", "Input should be a valid string", v, name)
		return nil, true
	}
	return &s, true
}

// model is a nested pydantic model (ModelMeta, ModelParams): an object.
// A request body is validated from JSON, which reports a non-object as
// model_attributes_type; import builds its forms in Python, which reports
// model_type.
func (f *fields) model(name, class string, required, python bool) map[string]any {
	v, ok := f.get(name, required)
	if !ok {
		return nil
	}
	m, isObj := v.(map[string]any)
	switch {
	case isObj:
	case python:
		f.errs = append(f.errs, valErr{
			Type: "model_type", Loc: f.at(name), Msg: "Input should be a valid dictionary or instance of " + class,
			Input: v, Ctx: map[string]any{"class_name": class},
		})
	default:
		f.fail("model_attributes_type", "Input should be a valid dictionary or object to extract fields from", v, name)
	}
	return m
}

// list is a list[dict] (or list[dict|None] when allowNullItems); a null
// value is a list_type error, since none of these fields is Optional.
func (f *fields) list(name string, required, allowNullItems bool) (items []any, present bool) {
	v, ok := f.get(name, required)
	if !ok {
		return nil, false
	}
	l, isList := v.([]any)
	if !isList {
		f.fail("list_type", "Input should be a valid list", v, name)
		return nil, true
	}
	for i, it := range l {
		if _, isObj := it.(map[string]any); isObj || (it == nil && allowNullItems) {
			continue
		}
		f.fail("dict_type", "Input should be a valid dictionary", it, name, i)
	}
	return l, true
}

// idPattern is `^\S+$` as pydantic-core's (Unicode-aware) regex engine
// applies it: non-empty, no White_Space character.
const idPattern = `^\S+$`

// patternID checks a string field against idPattern (0.12.4 ModelForm.id
// and ModelAccessGrantsForm.id).
func (f *fields) patternID(name, v string) {
	if v != "" && !strings.ContainsFunc(v, unicode.IsSpace) {
		return
	}
	f.errs = append(f.errs, valErr{
		Type: "string_pattern_mismatch", Loc: f.at(name), Msg: "String should match pattern '" + idPattern + "'",
		Input: v, Ctx: map[string]any{"pattern": idPattern},
	})
}

// boolean accepts what pydantic's lax mode accepts.
func (f *fields) boolean(name string, required, def bool) bool {
	v, ok := f.get(name, required)
	if !ok {
		return def
	}
	switch v := v.(type) {
	case bool:
		return v
	case float64:
		if v == 0 || v == 1 {
			return v == 1
		}
	case string:
		switch strings.ToLower(v) {
		case "1", "on", "t", "true", "y", "yes":
			return true
		case "0", "off", "f", "false", "n", "no":
			return false
		}
		f.fail("bool_parsing", "Input should be a valid boolean, unable to interpret input", v, name)
		return def
	}
	f.fail("bool_type", "Input should be a valid boolean", v, name)
	return def
}

func (f *fields) integer(name string, required bool) int64 {
	v, ok := f.get(name, required)
	if !ok {
		return 0
	}
	n, isNum := v.(float64)
	switch {
	case !isNum:
		f.fail("int_type", "Input should be a valid integer", v, name)
	case n != float64(int64(n)):
		f.fail("int_from_float", "Input should be a valid integer, got a number with a fractional part", v, name)
	}
	return int64(n)
}

// modelForm is a validated ModelForm (create, update, import elements).
// Presence flags matter because update treats absent and null differently.
type modelForm struct {
	CommitMessage  *string
	ID             string
	BaseModelID    *string
	HasBaseModelID bool
	Name           string
	Meta           map[string]any
	Params         map[string]any
	Grants         []any
	HasGrants      bool // key present (its value may still be null)
	NullGrants     bool // key present with null value
	IsActive       bool
	HasIsActive    bool
}

// formMode says where a ModelForm comes from.
type formMode struct {
	loc    []any // error location prefix: ["body"] for request bodies
	python bool  // built in Python (import) rather than decoded from JSON
}

// parseModelForm validates obj as the emulated release's ModelForm.
func (s *Server) parseModelForm(obj map[string]any, mode formMode) (modelForm, []valErr) {
	b := s.opts.Behaviour
	f := &fields{obj: obj, loc: mode.loc}
	var m modelForm
	if !b.NoModelHistory {
		m.CommitMessage, _ = f.nullableStr("commit_message")
	}
	m.ID = f.str("id", true)
	if _, isStr := obj["id"].(string); isStr && !b.WhitespaceIDsAllowed {
		f.patternID("id", m.ID)
	}
	m.BaseModelID, m.HasBaseModelID = f.nullableStr("base_model_id")
	m.Name = f.str("name", true)
	m.Meta = s.metaField(f, mode.python)
	m.Params = s.paramsField(f, mode.python)
	if v, ok := obj["access_grants"]; ok && v == nil {
		m.HasGrants, m.NullGrants = true, true
		if b.nullGrantsRejected() {
			f.fail("list_type", "Input should be a valid list", nil, "access_grants")
		}
	} else {
		// 0.12.4: list[dict] | None; 0.9.6–0.11.0: list[dict|None].
		m.Grants, m.HasGrants = f.list("access_grants", false, b.UpdateAppliesGrants)
	}
	m.IsActive = f.boolean("is_active", false, true)
	_, m.HasIsActive = obj["is_active"]
	return m, f.errs
}

// metaField validates the required "meta" member of f as a ModelMeta and
// returns it normalized (nil if it is not an object).
func (s *Server) metaField(f *fields, python bool) map[string]any {
	m := f.model("meta", "ModelMeta", true, python)
	if m == nil {
		return nil
	}
	sub := &fields{obj: m, loc: f.at("meta")}
	m = s.normalizeMeta(m, sub, python)
	f.errs = append(f.errs, sub.errs...)
	return m
}

// paramsField is metaField for "params" (ModelParams).
func (s *Server) paramsField(f *fields, python bool) map[string]any {
	p := f.model("params", "ModelParams", true, python)
	if p == nil {
		return nil
	}
	sub := &fields{obj: p, loc: f.at("params")}
	p = s.normalizeParams(p, sub, python)
	f.errs = append(f.errs, sub.errs...)
	return p
}

// typedMetaKeys are ModelMeta's declared fields (0.12.4), in order.
var typedMetaKeys = []string{
	"profile_image_url", "background_image_url", "description", "i18n",
	"capabilities", "knowledge", "voice", "voice_avatar",
}

// normalizeMeta applies ModelMeta's validators to a copy of meta: tags are
// normalized to [{"name"}] (stripped; empty and non-string names dropped),
// a profile_image_url that is not an allowed form is silently cleared to
// null, and (0.12.4) the typed keys are type-checked. The read-only
// chat_variables_schema is dropped, as Open WebUI drops it before storing.
func (s *Server) normalizeMeta(meta map[string]any, f *fields, python bool) map[string]any {
	meta = cloneMap(meta)
	f.obj = meta
	delete(meta, "chat_variables_schema")
	if tags, ok := meta["tags"]; ok {
		meta["tags"] = normalizeTags(tags)
	}
	untyped := s.opts.Behaviour.UntypedMetaAndParams
	if v, ok := meta["profile_image_url"]; ok && v != nil {
		str, isStr := v.(string)
		switch {
		case !isStr && untyped:
			f.fail("string_type", "Input should be a valid string", v, "profile_image_url")
		case !isStr || !validProfileImageURL(str):
			meta["profile_image_url"] = nil
		}
	}
	if untyped {
		return meta
	}
	if v, ok := meta["background_image_url"]; ok && v != nil {
		str, isStr := v.(string)
		msg := "Invalid image URL."
		if isStr {
			msg = "Invalid background image URL: must reference an internal file."
		}
		if !isStr || !backgroundURL().MatchString(str) {
			f.errs = append(f.errs, valErr{Type: "value_error", Loc: f.at("background_image_url"),
				Msg: "Value error, " + msg, Input: v, Ctx: map[string]any{"error": msg}})
		}
	}
	if v, ok := meta["description"]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			f.fail("string_type", "Input should be a valid string", v, "description")
		}
	}
	for _, k := range []string{"i18n", "capabilities"} {
		if v, ok := meta[k]; ok && v != nil {
			if _, isObj := v.(map[string]any); !isObj {
				f.fail("dict_type", "Input should be a valid dictionary", v, k)
			}
		}
	}
	if v, ok := meta["knowledge"]; ok && v != nil {
		if _, isList := v.([]any); !isList {
			f.fail("list_type", "Input should be a valid list", v, "knowledge")
		}
	}
	if v, ok := meta["voice"]; ok && v != nil {
		f.model("voice", "ModelVoice", false, python)
	}
	if v, ok := meta["voice_avatar"]; ok && v != nil {
		f.model("voice_avatar", "ModelVoiceAvatar", false, python)
	}
	return meta
}

// normalizeParams applies ModelParams (0.12.4): model_controls must be an
// object of control definitions (only their required keys are checked
// here). An empty one is kept in the form, so that update can tell it from
// an absent one, and dropped when stored (storeParams).
func (s *Server) normalizeParams(params map[string]any, f *fields, python bool) map[string]any {
	params = cloneMap(params)
	if s.opts.Behaviour.UntypedMetaAndParams {
		return params
	}
	v, ok := params["model_controls"]
	if !ok {
		return params
	}
	controls, isObj := v.(map[string]any)
	if !isObj {
		f.fail("dict_type", "Input should be a valid dictionary", v, "model_controls")
		return params
	}
	keys := make([]string, 0, len(controls))
	for k := range controls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, isObj := controls[k].(map[string]any)
		if !isObj {
			cs := &fields{obj: controls, loc: f.at("model_controls")}
			cs.model(k, "ModelControl", false, python)
			f.errs = append(f.errs, cs.errs...)
			continue
		}
		cf := &fields{obj: c, loc: f.at("model_controls", k)}
		cf.get("label", true)
		cf.get("options", true)
		f.errs = append(f.errs, cf.errs...)
	}
	return params
}

// storeMeta is how the fake keeps meta (0.12.4): without the typed keys
// that are null. Open WebUI stores them as null; responses list them
// anyway, so the difference only shows in Model, which stays comparable
// whether a row came from PutModel or from a request.
func (s *Server) storeMeta(meta map[string]any) map[string]any {
	if s.opts.Behaviour.UntypedMetaAndParams {
		return meta
	}
	for _, k := range typedMetaKeys {
		if v, ok := meta[k]; ok && v == nil {
			delete(meta, k)
		}
	}
	return meta
}

// storeParams drops an empty model_controls, which ModelParams never dumps.
func storeParams(params map[string]any) map[string]any {
	if c, ok := params["model_controls"].(map[string]any); ok && len(c) == 0 {
		delete(params, "model_controls")
	}
	return params
}

// normalizeTags is normalize_model_tags: strings and {"name"} objects
// become {"name": stripped}; anything else, and blank names, are dropped.
// A non-list becomes [].
func normalizeTags(v any) []any {
	tags, _ := v.([]any)
	out := []any{}
	for _, t := range tags {
		var name any = t
		if m, ok := t.(map[string]any); ok {
			name = m["name"]
		}
		if s, ok := name.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, map[string]any{"name": strings.TrimSpace(s)})
		}
	}
	return out
}

var (
	userImagePath = lazyRE(`^/api/v1/users/[^/?#]+/profile/image$`)
	dataImageURI  = lazyRE(`(?i)^data:image/(gif|jpeg|png|webp);base64,`)
	backgroundURL = lazyRE(`^/api/v1/files/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/content$`)
)

// validProfileImageURL is validate_image_url of utils/validate.py: empty,
// a known static path, a user profile image route, an http(s) URL with a
// host, or a raster data: URI.
func validProfileImageURL(s string) bool {
	switch s {
	case "", "/user.png", "/favicon.png", "/static/favicon.png":
		return true
	}
	if userImagePath().MatchString(s) || dataImageURI().MatchString(s) {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) && u.Hostname() != ""
}

// validModelID is is_valid_model_id: non-empty, at most 256 characters
// and, on 0.12.4, no character Python's str.isspace accepts.
func (s *Server) validModelID(id string) bool {
	if id == "" || utf8.RuneCountInString(id) > 256 {
		return false
	}
	return s.opts.Behaviour.WhitespaceIDsAllowed || !strings.ContainsFunc(id, pyIsSpace)
}

// pyIsSpace is Python's str.isspace for one character: Unicode White_Space
// plus the separators U+001C–U+001F.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// lazyRE compiles expr on first use, so that linking the fake into the
// server (--demo) costs nothing at start-up.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
