package fakeowui

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWireGolden pins the exact bytes the fake answers (status, content
// type, body) for a representative run of reads and writes, on 0.12.4 and
// on Behaviour011. The encoders are tuned for speed; this makes sure no
// tuning changes a key order, an escape or a value. UPDATE_GOLDEN=1
// rewrites testdata/wire_*.golden (only on purpose: a diff there is a
// change of what the fake answers).
func TestWireGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    Behaviour
	}{
		{"0.12.4", Behaviour{}},
		{"0.11.0", Behaviour011()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wireTranscript(t, tc.b)
			file := filepath.Join("testdata", "wire_"+tc.name+".golden")
			if os.Getenv("UPDATE_GOLDEN") == "1" {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w []byte
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if !bytes.Equal(g, w) {
						t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", file, i+1, g, w)
					}
				}
			}
		})
	}
}

// wireModels are rows whose meta and params exercise the encoders: typed
// and extra keys, unicode, HTML characters, line separators, nested
// values, tags to normalize, valid and invalid profile images, chat
// variables, an empty model_controls, numbers of every size.
func wireModels() []Model {
	base := "gpt-4o"
	return []Model{
		{
			ID: "wire/typed:v1", UserID: "u-admin", BaseModelID: &base, Name: "Typed <b>&amp;</b> \"quoted\" ü",
			Meta: map[string]any{
				"profile_image_url": "https://example.com/a.png?x=1&y=<2>",
				"description":       "Déjà vu <script>alert('x')</script> & \u2028line\u2029sep \t tab 日本語 🚀",
				"capabilities":      map[string]any{"vision": true, "citations": false, "z": nil},
				"knowledge":         []any{map[string]any{"id": "k1", "name": "Docs <v2>"}},
				"i18n":              map[string]any{"fr": map[string]any{"name": "Typé"}},
				"tags":              []any{map[string]any{"name": " Research "}, "plain", map[string]any{"name": ""}, 5, map[string]any{"name": "<html>"}},
				"zeta":              map[string]any{"nested": []any{1, 2.5, map[string]any{"x": "<y>", "a": []any{}}}, "empty": map[string]any{}},
				"alpha":             "ü\\backslash\"quote",
				"hidden":            false,
				"big":               12345678901234,
				"neg":               -0.000125,
				"exp":               1e21,
			},
			Params: map[string]any{
				"system":         "Hi {{chat.variables.customer}}, re {{ chat.variables.topic | select:options=[\"a\",\"b\"]:required }} <&>",
				"temperature":    0.7,
				"model_controls": map[string]any{},
				"stop":           []any{"</s>", "\n"},
				"custom":         map[string]any{"deep": map[string]any{"deeper": []any{true, nil, "é"}}},
			},
			AccessGrants: []Grant{{"group", "g-eng", "read"}, {"user", "u-alice", "write"}},
			IsActive:     true,
		},
		{
			ID: "wire-badimg", UserID: "u-alice", BaseModelID: &base, Name: "Bad image",
			Meta:     map[string]any{"profile_image_url": "javascript:alert(1)", "tags": []any{"research"}, "description": nil},
			Params:   map[string]any{"model_controls": map[string]any{"t": map[string]any{"label": "T", "options": []any{"a"}}}},
			IsActive: false,
		},
		{
			ID: "wire-numimg", UserID: "u-admin", BaseModelID: &base, Name: "Numeric image",
			Meta:     map[string]any{"profile_image_url": 42, "voice": map[string]any{"id": "v"}, "Research": "x"},
			IsActive: true,
		},
		{
			ID: "wire-data-img", UserID: "u-alice", BaseModelID: &base, Name: "Data image",
			Meta:         map[string]any{"profile_image_url": demoAvatar, "tags": []any{map[string]any{"name": "Research"}}},
			Params:       map[string]any{"system": "{{chat.variables.Bad}}"},
			AccessGrants: []Grant{{"group", "g-eng", "read"}},
			IsActive:     true,
		},
		{ID: "wire-base-row", UserID: "u-admin", Name: "Base row", Meta: map[string]any{"tags": []any{"base-tag"}, "description": "base <row>"}, IsActive: true},
	}
}

type wireReq struct {
	method, path, key string
	body              any
}

// wireTranscript runs the request script against a fresh fake and returns
// every answer, in order.
func wireTranscript(t *testing.T, b Behaviour) []byte {
	h := newHarness(t, true, Options{Behaviour: b})
	for _, m := range wireModels() {
		h.fake.PutModel(m)
	}
	const m = "/api/v1/models"
	admin, user := AdminKey, UserKey
	get := func(id string) string { return m + "/model?" + url.Values{"id": {id}}.Encode() }
	reads := []wireReq{
		{"GET", m + "/list", admin, nil},
		{"GET", m + "/list?page=2", admin, nil},
		{"GET", m + "/list?page=3", admin, nil},
		{"GET", m + "/list?query=alice", admin, nil},
		{"GET", m + "/list?tag=research", admin, nil},
		{"GET", m + "/list?tag=RESEARCH&order_by=name&direction=asc", admin, nil},
		{"GET", m + "/list?tag=%3Chtml%3E", admin, nil},
		{"GET", m + "/list?order_by=updated_at", admin, nil},
		{"GET", m + "/list?order_by=created_at&direction=asc&page=2", admin, nil},
		{"GET", m + "/list?view_option=created", user, nil},
		{"GET", m + "/list?view_option=shared&tag=Research", user, nil},
		{"GET", m + "/list", user, nil},
		{"GET", m + "/list?page=x", admin, nil},
		{"GET", get("wire/typed:v1"), admin, nil},
		{"GET", get("wire/typed:v1"), user, nil},
		{"GET", get("wire-badimg"), admin, nil},
		{"GET", get("wire-numimg"), admin, nil},
		{"GET", get("wire-data-img"), user, nil},
		{"GET", get("wire-base-row"), admin, nil},
		{"GET", get("team/support-bot:v2"), admin, nil},
		{"GET", get("missing"), admin, nil},
		{"GET", m + "/export", admin, nil},
		{"GET", m + "/export?ids=wire%2Ftyped%3Av1&ids=wire-badimg", admin, nil},
		{"GET", m + "/export", user, nil},
		{"GET", m + "/base", admin, nil},
		{"GET", m + "/base?tag=base-tag", admin, nil},
		{"GET", m + "/all", admin, nil},
		{"GET", m + "/tags", user, nil},
		{"GET", m + "/base/tags", admin, nil},
		{"GET", "/api/models", admin, nil},
		{"GET", m + "/model/history?id=wire%2Ftyped%3Av1", admin, nil},
	}
	writes := []wireReq{
		{"POST", m + "/model/access/update", admin, body{"id": "wire/typed:v1", "access_grants": []any{
			body{"principal_type": "group", "principal_id": "g-<eng>", "permission": "read"},
			body{"principal_type": "user", "principal_id": "u-alice", "permission": "write"}}}},
		{"POST", m + "/model/access/update", admin, body{"id": "provider-only", "name": "Provider <only>", "access_grants": []any{}}},
		{"POST", m + "/model/access/update", user, body{"id": "wire-data-img", "access_grants": []any{}}},
		{"POST", m + "/model/access/update", admin, `{"id": "wire-badimg"}`},
		{"POST", m + "/model/toggle?id=wire%2Ftyped%3Av1", admin, nil},
		{"POST", m + "/model/toggle?id=wire-badimg", user, nil},
		{"POST", m + "/model/update", admin, body{
			"id": "wire/typed:v1", "name": "Updated « name » <i>", "base_model_id": "gpt-4o", "commit_message": "edit <1>",
			"meta": body{"description": "new & <improved> \u2028", "tags": []any{"a", body{"name": " b "}}, "extra": []any{1, "ü", nil},
				"capabilities": body{"vision": false}},
			"params": body{"system": "{{chat.variables.who}} says hi", "top_p": 0.95},
		}},
		{"POST", m + "/model/update", admin, body{"id": "wire-numimg", "name": "No meta", "meta": body{}, "params": body{}, "is_active": false}},
		// With access_grants, which ≤0.11 require on update (and apply).
		{"POST", m + "/model/update", admin, body{"id": "wire-badimg", "name": "Bad <image> 2", "base_model_id": "gpt-4o",
			"meta": body{"profile_image_url": "javascript:x", "k": "\u00e9"}, "params": body{"n": 1.5},
			"access_grants": []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"}}}},
		{"POST", m + "/create", admin, body{
			"id": "wire-new", "name": "New <model> ☃", "base_model_id": "gpt-4o",
			"meta":   body{"profile_image_url": "/user.png", "description": "d", "tags": []any{"research"}, "x": body{"y": "<z>"}},
			"params": body{"temperature": 1, "model_controls": body{}},
		}},
		{"POST", m + "/create", user, body{
			"id": "wire-new-user", "name": "User's", "base_model_id": "gpt-4o",
			"meta": body{"profile_image_url": "ftp://bad"}, "params": body{},
		}},
		{"POST", m + "/import", admin, body{"models": []any{
			body{"id": "wire-data-img", "meta": body{"description": "imported <d>"}, "params": body{"temperature": 0.1}},
			body{"id": "wire-imported", "name": "Imported ü", "base_model_id": "gpt-4o", "meta": body{"tags": []any{"imp"}}, "params": body{}},
		}}},
	}
	after := []wireReq{
		{"GET", m + "/list?tag=research", admin, nil},
		{"GET", m + "/list?order_by=updated_at&direction=desc", admin, nil},
		{"GET", get("wire/typed:v1"), admin, nil},
		{"GET", get("wire-new"), admin, nil},
		{"GET", m + "/export", admin, nil},
		{"GET", m + "/model/history?id=wire%2Ftyped%3Av1", admin, nil},
		{"GET", "/api/models", admin, nil},
	}
	var out bytes.Buffer
	run := func(rs []wireReq) {
		for _, r := range rs {
			res := h.do(r.method, r.path, r.key, r.body)
			who := "admin"
			if r.key == user {
				who = "user"
			}
			fmt.Fprintf(&out, "### %s %s (%s)\n%d %s\n%s\n\n", r.method, r.path, who, res.status, res.ctype(), res.body)
		}
	}
	run(reads)
	for _, w := range writes {
		h.clock.Advance(7 * time.Second)
		run([]wireReq{w})
	}
	run(after)
	// History entries of the edited model: their ids come from the
	// history list, so they are read after it.
	if !b.NoModelHistory {
		res := h.do("GET", m+"/model/history?id=wire%2Ftyped%3Av1", admin, nil)
		for _, it := range res.list(t) {
			id := it.(map[string]any)["id"].(string)
			run([]wireReq{{"GET", m + "/model/history/" + id + "?id=wire%2Ftyped%3Av1", admin, nil}})
		}
		run([]wireReq{{"POST", m + "/model/update/version?id=wire%2Ftyped%3Av1", admin, body{"version_id": firstHistoryID(t, res)}}})
		run([]wireReq{{"GET", get("wire/typed:v1"), admin, nil}})
	}
	return out.Bytes()
}

func firstHistoryID(t *testing.T, res result) string {
	items := res.list(t)
	return items[len(items)-1].(map[string]any)["id"].(string)
}
