package owui

import (
	"encoding/json"
	"reflect"
	"testing"
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
