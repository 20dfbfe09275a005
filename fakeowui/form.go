package fakeowui

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
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
func (f *fields) model(name, class string, required bool) map[string]any {
	v, ok := f.get(name, required)
	if !ok {
		return nil
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		f.errs = append(f.errs, valErr{
			Type: "model_type", Loc: f.at(name), Msg: "Input should be a valid dictionary or instance of " + class,
			Input: v, Ctx: map[string]any{"class_name": class},
		})
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
}

// parseModelForm validates obj as a ModelForm. loc prefixes error
// locations ("body" for request bodies, nothing for import elements).
// A null access_grants is reported only when rejectNull is set: the form
// types it as a non-nullable list (0.9.6+).
func parseModelForm(obj map[string]any, loc []any, rejectNull bool) (modelForm, []valErr) {
	f := &fields{obj: obj, loc: loc}
	var m modelForm
	m.ID = f.str("id", true)
	m.BaseModelID, m.HasBaseModelID = f.nullableStr("base_model_id")
	m.Name = f.str("name", true)
	m.Meta = f.model("meta", "ModelMeta", true)
	m.Params = f.model("params", "ModelParams", true)
	if v, ok := obj["access_grants"]; ok && v == nil {
		m.HasGrants, m.NullGrants = true, true
		if rejectNull {
			f.fail("list_type", "Input should be a valid list", nil, "access_grants")
		}
	} else {
		m.Grants, m.HasGrants = f.list("access_grants", false, true)
	}
	m.IsActive = f.boolean("is_active", false, true)
	if len(f.errs) == 0 {
		m.Meta = normalizeMeta(m.Meta, f)
	}
	return m, f.errs
}

// normalizeMeta applies ModelMeta's validators: plain-string tags become
// {"name": s} (0.8.11+), and a profile_image_url that is not an allowed
// form is silently cleared to null (0.9.6+).
func normalizeMeta(meta map[string]any, f *fields) map[string]any {
	meta = cloneMap(meta)
	if v, ok := meta["profile_image_url"]; ok && v != nil {
		s, isStr := v.(string)
		switch {
		case !isStr:
			f.fail("string_type", "Input should be a valid string", v, "meta", "profile_image_url")
		case !validProfileImageURL(s):
			meta["profile_image_url"] = nil
		}
	}
	if tags, ok := meta["tags"].([]any); ok {
		for i, t := range tags {
			if s, isStr := t.(string); isStr {
				tags[i] = map[string]any{"name": s}
			}
		}
	}
	return meta
}

var (
	userImagePath = regexp.MustCompile(`^/api/v1/users/[^/]+/profile/image$`)
	dataImageURI  = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,`)
)

// validProfileImageURL is the allow-list of utils/validate.py (doc §4.3).
func validProfileImageURL(s string) bool {
	switch s {
	case "/user.png", "/favicon.png", "/static/favicon.png":
		return true
	}
	return userImagePath.MatchString(s) || strings.HasPrefix(s, "http://") ||
		strings.HasPrefix(s, "https://") || dataImageURI.MatchString(s)
}

// validModelID is is_valid_model_id: non-empty and at most 256 characters.
func validModelID(id string) bool {
	return id != "" && utf8.RuneCountInString(id) <= 256
}
