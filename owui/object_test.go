package owui

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestObjectReadsWhatAMapWould(t *testing.T) {
	cases := []struct {
		name, raw string
	}{
		{"null", `null`},
		{"empty", `{}`},
		{"empty with space", " { \n } "},
		{"flat", `{"description":"d","n":1.5,"b":true,"z":null}`},
		{"nested", `{"tags":[{"name":"a"},"b"],"x":{"y":[1,{"}":"]"}]},"description":"after"}`},
		{"escapes", `{"de\u0073cription":"a\"b\\","q\"k":"v","description2":"\u00e9"}`},
		{"repeated key, last wins", `{"description":"first","description":"second"}`},
		{"space everywhere", ` { "description" : "d" , "tags" : [ "t" ] , "n" : -1e3 } `},
		{"numbers before the key", `{"a":1,"b":-0.5e+2,"c":[1,2],"description":"d"}`},
	}
	keys := []string{"description", "tags", "x", "n", "b", "z", "q\"k", "description2", "missing", "a", "c"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var o Object
			if err := json.Unmarshal([]byte(tc.raw), &o); err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tc.raw), &want); err != nil {
				t.Fatal(err)
			}
			if got := o.Map(); !reflect.DeepEqual(got, want) {
				t.Fatalf("Map() = %#v, want %#v", got, want)
			}
			if o.IsNull() != (want == nil) || o.Empty() != (len(want) == 0) {
				t.Errorf("IsNull %v Empty %v for %s", o.IsNull(), o.Empty(), tc.raw)
			}
			for _, k := range keys {
				wv, wok := want[k]
				gv, gok := o.Get(k)
				if gok != wok || !reflect.DeepEqual(gv, wv) || o.Has(k) != wok {
					t.Errorf("Get(%q) = %#v, %v; want %#v, %v", k, gv, gok, wv, wok)
				}
				ws, _ := wv.(string)
				if gs := o.String(k); gs != ws {
					t.Errorf("String(%q) = %q, want %q", k, gs, ws)
				}
			}
		})
	}
}

func TestObjectKeepsTheBytesItWasSent(t *testing.T) {
	raw := `{"params":{"z":1, "a":{"b":"<x>"}},"meta":null}`
	var m struct {
		Params Object `json:"params"`
		Meta   Object `json:"meta"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	if got := string(m.Params.Raw()); got != `{"z":1, "a":{"b":"<x>"}}` {
		t.Errorf("Raw() = %s", got)
	}
	if got := string(m.Meta.Raw()); got != "null" || !m.Meta.IsNull() {
		t.Errorf("null meta: Raw() = %s", got)
	}
	// Written back in the sender's key order; encoding/json compacts it and
	// escapes HTML characters as it would have in a map.
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"params":{"z":1,"a":{"b":"\u003cx\u003e"}},"meta":null}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
}

func TestObjectRepairsInvalidUTF8AsAMapWould(t *testing.T) {
	raw := []byte("{\"description\":\"a\xffb\",\"k\xfe\":1}")
	o, err := RawObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(o.Raw()) || o.String("description") != "a\uFFFDb" || !o.Has("k\uFFFD") {
		t.Errorf("Raw() = %q", o.Raw())
	}
}

func TestObjectRefusesWhatAMapRefused(t *testing.T) {
	for _, raw := range []string{`"s"`, `[1]`, `1`, `true`} {
		var m struct {
			Meta Object `json:"meta"`
		}
		if err := json.Unmarshal([]byte(`{"meta":`+raw+`}`), &m); err == nil {
			t.Errorf("meta %s: no error", raw)
		}
		if _, err := RawObject([]byte(raw)); err == nil {
			t.Errorf("RawObject(%s): no error", raw)
		}
	}
	if _, err := RawObject([]byte(`{"a":`)); err == nil {
		t.Error("RawObject of broken JSON: no error")
	}
}

func TestObjectOfRoundTrips(t *testing.T) {
	m := map[string]any{"description": "d", "tags": []any{map[string]any{"name": "a"}}}
	o := ObjectOf(m)
	if !reflect.DeepEqual(o.Map(), m) || o.String("description") != "d" {
		t.Errorf("ObjectOf(%v) reads back %v", m, o.Map())
	}
	if !ObjectOf(nil).IsNull() || !EmptyObject().Empty() || EmptyObject().IsNull() {
		t.Error("nil map must give null, EmptyObject {}")
	}
	// Map gives the caller its own copy.
	o.Map()["description"] = "changed"
	if o.String("description") != "d" {
		t.Error("editing Map()'s result changed the Object")
	}
}

// FuzzObjectGet checks the one-key walk against a full decode.
func FuzzObjectGet(f *testing.F) {
	f.Add(`{"description":"d","tags":[{"name":"a"}]}`, "description")
	f.Add(`{"a\"":{"b":"}"},"a\"":[1,"\\"]}`, "a\"")
	f.Add(` {"k" : null , "k2":"\u0041"} `, "k2")
	f.Fuzz(func(t *testing.T, raw, key string) {
		var want map[string]any
		if json.Unmarshal([]byte(raw), &want) != nil || want == nil {
			return
		}
		o, err := RawObject([]byte(raw))
		if err != nil {
			t.Fatalf("RawObject(%q): %v", raw, err)
		}
		wv, wok := want[key]
		gv, gok := o.Get(key)
		if gok != wok || !reflect.DeepEqual(gv, wv) {
			t.Fatalf("%s: Get(%q) = %#v, %v; want %#v, %v", raw, key, gv, gok, wv, wok)
		}
		if o.Empty() != (len(want) == 0) {
			t.Fatalf("%s: Empty() = %v", raw, o.Empty())
		}
	})
}

// namesFromMap is meta.tags read from the fully decoded map, as tools did
// before Names.
func namesFromMap(m map[string]any, key string) []string {
	list, _ := m[key].([]any)
	var out []string
	for _, t := range list {
		switch v := t.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			if n, ok := v["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

func TestObjectNames(t *testing.T) {
	cases := []struct {
		raw  string
		want []string
	}{
		{`{"tags":[{"name":"a"},{"name":"b"}]}`, []string{"a", "b"}},
		{`{"tags":["old","style"]}`, []string{"old", "style"}},
		{`{"tags":[ {"id":1,"name":"x\"y","name":"last"} , 3, null, {"name":7}, ["n"], "s\u00e9" ]}`, []string{"last", "sé"}},
		{`{"tags":[]}`, nil},
		{`{"tags":"a"}`, nil},
		{`{"tags":null}`, nil},
		{`{"other":[{"name":"a"}]}`, nil},
		{`{"x":{"tags":["nested"]},"tags":[{"name":""}]}`, []string{""}},
		{`null`, nil},
	}
	for _, c := range cases {
		o, err := RawObject([]byte(c.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Names("tags"); !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(got, namesFromMap(o.Map(), "tags")) {
			t.Errorf("%s: Names = %q, want %q", c.raw, got, c.want)
		}
	}
}

// FuzzObjectNames checks Names against the decode of the whole object.
func FuzzObjectNames(f *testing.F) {
	f.Add(`{"tags":[{"name":"a"},"b",{"name":1},{"n":"x","name":"y\\"}]}`)
	f.Add(`{"tags" : [ "\ud83d\ude00" , {"name":"\u0000"} ] }`)
	f.Fuzz(func(t *testing.T, raw string) {
		var want map[string]any
		if json.Unmarshal([]byte(raw), &want) != nil || want == nil {
			return
		}
		o, err := RawObject([]byte(raw))
		if err != nil {
			t.Fatalf("RawObject(%q): %v", raw, err)
		}
		if got, w := o.Names("tags"), namesFromMap(want, "tags"); !reflect.DeepEqual(got, w) {
			t.Fatalf("%s: Names = %q, want %q", raw, got, w)
		}
	})
}
