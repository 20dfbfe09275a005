package fakeowui

import (
	"bytes"
	"encoding/json"
	"math"
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

// value writes decoded JSON exactly as encoding/json does.
func TestValueMatchesEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, true, false, "s<&>\u2028", 0.0, math.Copysign(0, -1), 1.0, -1.5, 0.1, 1e20, 1e21, 123456789e15, 1e-6, 1e-7, 9.99e-7, -2.5e-10,
		5e-324, math.MaxFloat64, float64(1 << 53), 12345678901234567890.0,
		map[string]any{}, []any{}, map[string]any(nil), []any(nil),
		map[string]any{"b": []any{1.0, "x", nil, map[string]any{"z": true, "a": []any{}}}, "a": 2.0, "é": "ü", "<": ">"},
		int64(7), json.Number("12.50"), metaJSON{"description": "d", "x": 1.0}, pyDict{{"k", "v"}},
	} {
		var b bytes.Buffer
		if err := newValueEncoder(&b).value(v); err != nil {
			t.Fatalf("value(%#v): %v", v, err)
		}
		if want := encodeJSON(v); !bytes.Equal(b.Bytes(), want) {
			t.Errorf("value(%#v) = %s, encoding/json gives %s", v, b.Bytes(), want)
		}
	}
	var b bytes.Buffer
	if err := newValueEncoder(&b).value(map[string]any{"x": math.NaN()}); err == nil {
		t.Errorf("NaN encoded as %s, want encoding/json's error", b.Bytes())
	}
}

// FuzzAppendValue: any JSON document, decoded, is written back exactly as
// encoding/json writes it.
func FuzzAppendValue(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.5e-7,1e21,-0,"\u2028<>"],"b":{"c":null,"d":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		var b bytes.Buffer
		if err := newValueEncoder(&b).value(v); err != nil {
			t.Fatal(err)
		}
		if want := encodeJSON(v); !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("value(%s) = %s, encoding/json gives %s", data, b.Bytes(), want)
		}
	})
}
