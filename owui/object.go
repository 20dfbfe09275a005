package owui

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// Object is a JSON object of a model record (meta, params) kept as the
// bytes Open WebUI sent, after redaction. Open WebUI stores any extra keys
// verbatim, so a typed struct would lose them on a round trip; decoding them
// into maps on every read cost most of a get_model call's decoding, while
// most readers only pass them through or look at one key. Readers decode
// what they read: Get one top-level key, Map all of it.
//
// The zero Object is JSON null (an absent or null field), as a nil map was.
// An Object never changes once built, so copies may share its bytes.
type Object struct {
	raw []byte // a valid JSON object, or nil for null
}

// ObjectOf encodes m as an Object (nil gives null). For callers that build a
// record themselves (imports, tests); a value JSON cannot encode panics, as
// m is expected to hold only decoded JSON.
func ObjectOf(m map[string]any) Object {
	if m == nil {
		return Object{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("owui.ObjectOf: " + err.Error())
	}
	return Object{raw: b}
}

// EmptyObject is {}.
func EmptyObject() Object { return Object{raw: []byte("{}")} }

// RawObject wraps b, which must be a JSON object or null; anything else
// gives an error. b is copied.
func RawObject(b []byte) (Object, error) {
	var o Object
	if err := o.UnmarshalJSON(b); err != nil {
		return Object{}, err
	}
	if o.raw != nil && !json.Valid(o.raw) {
		return Object{}, errors.New("owui: not valid JSON")
	}
	return o, nil
}

var errNotObject = errors.New("owui: meta and params must be JSON objects")

// UnmarshalJSON keeps a copy of b (encoding/json has checked its syntax).
func (o *Object) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errNotObject
	case bytes.Equal(b, []byte("null")):
		o.raw = nil
		return nil
	case b[0] != '{':
		return errNotObject
	}
	if !utf8.Valid(b) {
		// Decoding would have turned invalid UTF-8 into U+FFFD; passing the
		// bytes through would send it on to clients. Rare: take the slow way.
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		*o = ObjectOf(m)
		return nil
	}
	o.raw = bytes.Clone(b)
	return nil
}

// MarshalJSON writes the bytes back (null for the zero Object).
func (o Object) MarshalJSON() ([]byte, error) {
	if o.raw == nil {
		return []byte("null"), nil
	}
	return o.raw, nil
}

// Raw is the object's JSON (null for the zero Object). Callers must not
// modify it.
func (o Object) Raw() json.RawMessage {
	if o.raw == nil {
		return json.RawMessage("null")
	}
	return o.raw
}

// IsNull reports whether the field was absent or null.
func (o Object) IsNull() bool { return o.raw == nil }

// Empty reports whether the object has no keys (null counts as empty).
func (o Object) Empty() bool {
	if o.raw == nil {
		return true
	}
	i := jsonscan.SkipSpace(o.raw, 1)
	return i < len(o.raw) && o.raw[i] == '}'
}

// Map decodes the whole object into a new map the caller owns (nil for
// null), as decoding the field into a map[string]any did.
func (o Object) Map() map[string]any {
	if o.raw == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(o.raw, &m); err != nil {
		return nil // unreachable: raw was checked when it was stored
	}
	return m
}

// Get decodes the value of one top-level key, as Map()[key] would give it
// (the last one wins when a key repeats), without decoding the others.
func (o Object) Get(key string) (any, bool) {
	v := o.lookup(key)
	if v == nil {
		return nil, false
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return nil, false
	}
	return x, true
}

// String is the value of key when it is a JSON string, else "".
func (o Object) String(key string) string {
	s, _ := stringValue(o.lookup(key))
	return s
}

// Names reads the list under key whose elements are strings or objects
// with a string "name" (meta.tags: [{"name": ...}], or plain strings before
// Open WebUI 0.8.11), decoding only the names. Other elements are skipped;
// a key that is not a list gives nil.
func (o Object) Names(key string) []string {
	v := o.lookup(key)
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var out []string
	for i := jsonscan.SkipSpace(v, 1); i < len(v) && v[i] != ']'; {
		end := jsonscan.ValidValue(v, i)
		switch el := v[i:end]; el[0] {
		case '"':
			if s, ok := stringValue(el); ok {
				out = append(out, s)
			}
		case '{':
			if s, ok := stringValue(Object{raw: el}.lookup("name")); ok {
				out = append(out, s)
			}
		}
		i = jsonscan.SkipSpace(v, end)
		if i < len(v) && v[i] == ',' {
			i = jsonscan.SkipSpace(v, i+1)
		}
	}
	return out
}

// stringValue decodes v when it is a JSON string.
func stringValue(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// Has reports whether key is present (with any value, null included).
func (o Object) Has(key string) bool { return o.lookup(key) != nil }

// lookup returns the raw value of the last top-level key equal to key, or
// nil. raw is valid JSON, so the walk only needs to find where strings and
// nested values end.
func (o Object) lookup(key string) []byte {
	if o.raw == nil {
		return nil
	}
	var found []byte
	m := jsonscan.ValidMembers(o.raw, 0)
	for m.Next() {
		if jsonscan.Equal(m.Key, key) {
			found = m.Value
		}
	}
	return found
}
