package tools

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/schemas"
)

func TestListModelsSendsStableOrderAndFilters(t *testing.T) {
	e := newEnv(t)
	var out schemas.ListModelsResult
	e.ok("list_models", map[string]any{"query": "bot", "tag": "support", "view_option": "created", "page": "2"}, &out)
	reqs := e.fake.Requests()
	if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Path != "/api/v1/models/list" {
		t.Fatalf("requests: %+v", reqs)
	}
	q, _ := url.ParseQuery(reqs[0].RawQuery)
	want := url.Values{"query": {"bot"}, "tag": {"support"}, "view_option": {"created"}, "order_by": {"created_at"}, "direction": {"desc"}, "page": {"2"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query %s, want %s", q.Encode(), want.Encode())
	}
	if out.Page != 2 {
		t.Errorf("page %d", out.Page)
	}
}

func TestListModelsPagesAndLimits(t *testing.T) {
	e := newEnv(t)
	var first schemas.ListModelsResult
	e.ok("list_models", nil, &first)
	if first.Total != 36 || first.Pages != 2 || len(first.Models) != 30 {
		t.Fatalf("first page: total %d pages %d rows %d", first.Total, first.Pages, len(first.Models))
	}
	// Compact rows carry only the row fields.
	r := first.Models[0]
	if r.ID == "" || r.Name == "" || r.Owner == "" || r.UpdatedAt == 0 || r.Meta != nil || r.Params != nil || r.Grants != nil {
		t.Errorf("compact row: %+v", r)
	}

	e.fake.ResetRequests()
	var all schemas.ListModelsResult
	e.ok("list_models", map[string]any{"all": true}, &all)
	if len(all.Models) != 36 || all.Truncated {
		t.Fatalf("all: %d rows, truncated %v", len(all.Models), all.Truncated)
	}
	if n := len(e.fake.Requests()); n != 2 {
		t.Errorf("all=true sent %d requests, want 2 pages", n)
	}
	seen := map[string]bool{}
	for _, m := range all.Models {
		if seen[m.ID] {
			t.Errorf("%s listed twice", m.ID)
		}
		seen[m.ID] = true
	}
	for _, id := range []string{"team/support-bot:v2", "release notes v1.2", "ops/on-call-helper:v3"} {
		if !seen[id] {
			t.Errorf("%s missing from all pages", id)
		}
	}

	e.fake.ResetRequests()
	var cut schemas.ListModelsResult
	res := e.ok("list_models", map[string]any{"all": true, "limit": 10, "detail": "full"}, &cut)
	if len(cut.Models) != 10 || !cut.Truncated {
		t.Errorf("limit 10: %d rows, truncated %v", len(cut.Models), cut.Truncated)
	}
	if n := len(e.fake.Requests()); n != 1 {
		t.Errorf("limit 10 read %d pages, want 1", n)
	}
	if cut.Models[0].Meta == nil || cut.Models[0].Grants == nil {
		t.Errorf("detail=full row lacks meta or grants: %+v", cut.Models[0])
	}
	mustContain(t, text(res), "10 of 36 models", "cut at limit")
}

func TestGetModelEncodesID(t *testing.T) {
	e := newEnv(t)
	var out schemas.ModelResult
	e.ok("get_model", map[string]any{"id": "team/support-bot:v2"}, &out)
	reqs := e.fake.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/api/v1/models/model" || reqs[0].RawQuery != "id=team%2Fsupport-bot%3Av2" {
		t.Fatalf("request: %+v", reqs)
	}
	m := out.Model
	if m.ID != "team/support-bot:v2" || m.Name != "Support Bot v2" || m.BaseModelID != "gpt-4o" || len(m.Grants) != 2 || rawMap(t, m.Params)["system"] == nil {
		t.Errorf("record: %+v", m)
	}
}

func TestGetModelNotFoundSaysWhatToDo(t *testing.T) {
	e := newEnv(t)
	msg := e.fail("get_model", map[string]any{"id": "nope"})
	mustContain(t, msg, "get_model failed", "HTTP 404", "list_models")
}

func TestProfileImageKinds(t *testing.T) {
	e := newEnv(t)
	res := e.ok("get_model_profile_image", map[string]any{"id": "meeting-summarizer"}, nil)
	var img *mcp.ImageContent
	for _, c := range res.Content {
		if ic, ok := c.(mcp.ImageContent); ok {
			img = &ic
		}
	}
	if img == nil || img.MIMEType != "image/png" {
		t.Fatalf("no PNG image content: %+v", res.Content)
	}
	data, err := base64.StdEncoding.DecodeString(img.Data)
	if err != nil || len(data) < 8 || string(data[1:4]) != "PNG" {
		t.Errorf("image data is not the stored PNG (%d bytes, %v)", len(data), err)
	}

	var ext schemas.ProfileImageResult
	e.ok("get_model_profile_image", map[string]any{"id": "translator-fr"}, &ext)
	if ext.Kind != "url" || ext.URL != "https://example.com/avatars/translator-fr.png" {
		t.Errorf("external: %+v", ext)
	}
	var def schemas.ProfileImageResult
	e.ok("get_model_profile_image", map[string]any{"id": "code-reviewer"}, &def)
	if def.Kind != "default" {
		t.Errorf("default: %+v", def)
	}
	// The redirect target is reported, never fetched.
	for _, r := range e.fake.Requests() {
		if r.Path == "/static/favicon.png" {
			t.Errorf("the favicon was fetched: %+v", r)
		}
	}
}

func TestTagAndBaseModelTools(t *testing.T) {
	e := newEnv(t)
	var tags schemas.TagsResult
	e.ok("list_model_tags", nil, &tags)
	if len(tags.Tags) < 5 {
		t.Errorf("tags: %v", tags.Tags)
	}
	var base schemas.ModelsResult
	e.ok("list_base_models", nil, &base)
	if base.Count != 2 {
		t.Errorf("base records: %+v", base)
	}
	var live schemas.ProviderModelsResult
	e.ok("list_base_models_direct", nil, &live)
	if live.Count != 4 || live.Models[0].ID == "" || live.Models[0].Raw != nil {
		t.Errorf("provider models: %+v", live)
	}
	var full schemas.ProviderModelsResult
	e.ok("list_base_models_direct", map[string]any{"detail": "full"}, &full)
	if full.Models[0].Raw == nil {
		t.Errorf("detail=full lacks raw objects")
	}
	var btags schemas.TagsResult
	e.ok("list_base_model_tags", nil, &btags)
	if len(btags.Tags) == 0 {
		t.Errorf("base tags empty")
	}
	var exp schemas.ModelsResult
	e.ok("export_models", nil, &exp)
	if exp.Count != 36 {
		t.Errorf("export: %d", exp.Count)
	}
	paths := map[string]bool{}
	for _, r := range e.fake.Requests() {
		paths[r.Method+" "+r.Path] = true
	}
	for _, p := range []string{"GET /api/v1/models/tags", "GET /api/v1/models/base", "GET /api/models/base", "GET /api/v1/models/base/tags", "GET /api/v1/models/export"} {
		if !paths[p] {
			t.Errorf("%s not requested", p)
		}
	}
}

// rawMap decodes meta or params as a result carries them (raw JSON).
func rawMap(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("meta/params %s: %v", raw, err)
	}
	return m
}
