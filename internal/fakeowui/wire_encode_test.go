package fakeowui

import (
	"bytes"
	"testing"
)

// appendString escapes exactly as encoding/json without HTML escaping.
func TestAppendString(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted" \back\slash /slash`, "<html> & 'x'", "\b\f\n\r\t\x00\x01\x1f\x7f",
		"é日本🚀", "\u2028\u2029 x\u2028", "\xff\xfe bad \xc3 utf8 \xe2\x80", "\xed\xa0\x80 surrogate", "\uFFFD",
	} {
		var b bytes.Buffer
		appendString(&b, s)
		if want := encodeJSON(s); !bytes.Equal(b.Bytes(), want) {
			t.Errorf("appendString(%q) = %s, encoding/json gives %s", s, b.Bytes(), want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("\u2028<&>\x00\xff\"\\")
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		appendString(&b, s)
		if want := encodeJSON(s); !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("appendString(%q) = %s, encoding/json gives %s", s, b.Bytes(), want)
		}
	})
}

// The hand-written model answers are byte for byte what encoding/json
// makes of the same values, for every row of the demo data and the golden
// test's rows, on both behaviours.
func TestAppendersMatchEncodingJSON(t *testing.T) {
	for _, b := range []Behaviour{{}, Behaviour011()} {
		f := New(Options{Behaviour: b})
		SeedDemo(f)
		for _, m := range wireModels() {
			f.PutModel(m)
		}
		var models modelList
		var items []modelAccessJSON
		var exports exportList
		for _, r := range f.sortedRows() {
			m := f.wire(r)
			models = append(models, m)
			item := modelAccessJSON{modelJSON: f.wire(r), WriteAccess: len(items)%2 == 0}
			if owner := f.userByID(r.userID); owner != nil && len(items)%3 > 0 {
				item.User = &userJSON{ID: owner.ID, Name: owner.Name + " <&>\u2028", Role: owner.Role, Email: owner.Email}
			}
			addChatVariables(&item.modelJSON)
			items = append(items, item)
			bg := "data:x \"y\""
			exp := modelExportJSON{modelJSON: f.wire(r)}
			if len(exports)%2 == 0 {
				exp.BackgroundImageData = &bg
			}
			exports = append(exports, exp)
		}
		nilGrants := f.wire(f.sortedRows()[0])
		nilGrants.AccessGrants, nilGrants.Params, nilGrants.Meta = nil, nil, nil
		for _, tc := range []struct {
			name      string
			fast, ref any
		}{
			{"models", models, []modelJSON(models)},
			{"no models", modelList{}, []modelJSON{}},
			{"nil fields", nilGrants, struct{ modelJSON }{nilGrants}},
			{"items", listPage{items: items, total: 1234}, map[string]any{"items": items, "total": 1234}},
			{"no items", listPage{items: []modelAccessJSON{}}, map[string]any{"items": []modelAccessJSON{}, "total": 0}},
			{"exports", exports, []modelExportJSON(exports)},
		} {
			got := jsonResp(200, tc.fast).body
			if _, ok := tc.fast.(appender); !ok {
				t.Fatalf("%s: %T is not written by hand", tc.name, tc.fast)
			}
			if want := encodeJSON(tc.ref); !bytes.Equal(got, want) {
				t.Errorf("%s (UntypedMetaAndParams %v): hand-written\n%s\nencoding/json\n%s", tc.name, b.UntypedMetaAndParams, got, want)
			}
		}
	}
}

// isTypedMetaKey (a switch, for speed) knows exactly typedMetaKeys.
func TestIsTypedMetaKey(t *testing.T) {
	for _, k := range typedMetaKeys {
		if !isTypedMetaKey(k) {
			t.Errorf("isTypedMetaKey(%q) = false", k)
		}
	}
	for _, k := range []string{"tags", "hidden", "chat_variables_schema", "Description", ""} {
		if isTypedMetaKey(k) {
			t.Errorf("isTypedMetaKey(%q) = true", k)
		}
	}
	if len(typedMetaKeys) != 8 {
		t.Fatalf("typedMetaKeys has %d keys; update isTypedMetaKey", len(typedMetaKeys))
	}
}
