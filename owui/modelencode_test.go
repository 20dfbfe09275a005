package owui

import (
	"bytes"
	"encoding/json"
	"testing"
)

// checkAppendJSON asserts that AppendJSON writes json.Marshal's bytes, and
// appends to what b holds.
func checkAppendJSON(t *testing.T, m Model) {
	t.Helper()
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	got := m.AppendJSON([]byte("prefix"))
	if !bytes.HasPrefix(got, []byte("prefix")) || !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("AppendJSON =\n%s\njson.Marshal =\n%s", got, want)
	}
}

func rawObject(t testing.TB, s string) Object {
	t.Helper()
	o, err := RawObject([]byte(s))
	if err != nil {
		t.Fatalf("RawObject(%q): %v", s, err)
	}
	return o
}

func TestModelAppendJSON(t *testing.T) {
	base, empty, yes, no := "gpt-4o", "", true, false
	var decoded []Model
	if err := json.Unmarshal([]byte("["+grantsAnswer+"]"), &decoded); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    Model
	}{
		{"zero", Model{}},
		{"0.12.4 record", decoded[0]},
		{"every field", Model{VersionID: "v", ID: "team/bot:v2", UserID: "u", BaseModelID: &base, Name: "Bot",
			Params: rawObject(t, `{"temperature":0.7}`), Meta: rawObject(t, `{"tags":[{"name":"a"}]}`),
			IsActive: true, UpdatedAt: -1, CreatedAt: 1 << 62, User: &User{ID: "u", Name: "N", Email: "e@x", Role: "admin"}, WriteAccess: &yes,
			AccessGrants: []AccessGrant{{ID: "g", ResourceType: "model", ResourceID: "m", PrincipalType: "group", PrincipalID: "g1", Permission: "read", CreatedAt: 5}}}},
		{"empty base model id, write_access false", Model{BaseModelID: &empty, WriteAccess: &no}},
		{"empty grants, empty objects", Model{AccessGrants: []AccessGrant{}, Params: EmptyObject(), Meta: rawObject(t, " { \n } ")}},
		{"grants with empty optional fields", Model{AccessGrants: []AccessGrant{{}, {PrincipalID: "*"}, {ResourceID: "r"}, {CreatedAt: -3}}}},
		{"user with only an id", Model{User: &User{}}},
		{"user with a role", Model{User: &User{ID: "u", Role: "user"}}},
		{"HTML, quotes, controls in strings", Model{ID: `<script>&"\` + "\x00\x01\x1f\x7f\b\f\n\r\t", Name: "a</b>&amp;",
			User: &User{ID: "<", Name: ">", Email: "&", Role: "\u2028"}}},
		{"U+2028, U+2029, invalid UTF-8", Model{Name: "a\u2028b\u2029c\xffd\xe2\x80e\xed\xa0\x80", VersionID: "\xe2\x80\xa8\xe2\x80\xa9", ID: "é🚀"}},
		{"objects with space, HTML and separators", Model{
			Params: rawObject(t, " {\n\t\"a b\" : [ 1 , { \"c\" : \"x y\" } ] ,\r\n \"<&>\": \"</script>\" } "),
			Meta:   rawObject(t, `{"s":"\u2028 `+"\u2028\u2029"+` \" \\\" <\u003c> é","n":-1.5e-3,"t":true,"z":null,"e":{},"l":[]}`)}},
		{"object with invalid UTF-8, repaired on the way in", Model{Meta: rawObject(t, "{\"a\":\"\xff\xe2\x80\"}")}},
		{"object from a map", Model{Meta: ObjectOf(map[string]any{"k": "<v>", "n": 1.0, "l": []any{"\u2029"}})}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAppendJSON(t, tc.m) })
	}
}

// Every record of the bench export encodes as json.Marshal encodes it.
func TestModelAppendJSONBenchExport(t *testing.T) {
	var ms []Model
	if err := json.Unmarshal(benchExport(t, 100), &ms); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		checkAppendJSON(t, m)
	}
}

// FuzzModelAppendJSON: for any model (decoded from the input when it
// decodes, then with fuzzed strings, objects and optional fields set
// directly, invalid UTF-8 included), AppendJSON writes json.Marshal's bytes.
func FuzzModelAppendJSON(f *testing.F) {
	f.Add([]byte("["+grantsAnswer+"]"), "Bot <b>&</b>", "\u2028\xff\x00", []byte(`{"a":"<\u2029>","b":[1, 2]}`), uint16(0xffff), int64(7))
	f.Add([]byte(`[{"user":{"id":"u"},"write_access":false,"access_grants":[{}]}]`), "", "\"\\\n", []byte(" { } "), uint16(0), int64(0))
	f.Add([]byte(`[]`), "é🚀\t", "\xe2\x80\xa8", []byte("{\"\xe2\x80\xa9\":\"\xff\"}"), uint16(0x5555), int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 string, obj []byte, flags uint16, n int64) {
		var ms []Model
		var m Model
		if json.Unmarshal(data, &ms) == nil && len(ms) > 0 {
			m = ms[0]
		}
		bit := func(i int) bool { return flags&(1<<i) != 0 }
		if bit(0) {
			m.Name, m.ID = s1, s2
		}
		if bit(1) {
			m.VersionID, m.UserID = s2, s1
		}
		if bit(2) {
			m.BaseModelID = &s1
		}
		if o, err := RawObject(obj); err == nil {
			if bit(3) {
				m.Meta = o
			} else {
				m.Params = o
			}
		}
		if bit(4) {
			m.AccessGrants = append(m.AccessGrants, AccessGrant{ID: s1, ResourceType: s2, PrincipalID: s1, Permission: s2, CreatedAt: n})
		}
		if bit(5) {
			m.AccessGrants = []AccessGrant{}
		}
		if bit(6) {
			m.User = &User{ID: s1, Name: s2}
			if bit(7) {
				m.User.Email, m.User.Role = s2, s1
			}
		}
		if bit(8) {
			w := bit(9)
			m.WriteAccess = &w
		}
		if bit(10) {
			m.CreatedAt, m.UpdatedAt, m.IsActive = n, -n, !m.IsActive
		}
		checkAppendJSON(t, m)
	})
}
