package owui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

func TestParseRelease(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Release
		ok   bool
	}{
		{"0.12.4", Release{0, 12, 4}, true},
		{"v0.9.6", Release{0, 9, 6}, true},
		{"0.10", Release{0, 10, 0}, true},
		{"0.12.4-rc1", Release{0, 12, 4}, true},
		{"", Release{}, false},
		{"dev", Release{}, false},
		{"1.2.3.4", Release{}, false},
		{"0.-1.2", Release{}, false},
	} {
		got, ok := ParseRelease(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRelease(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if !(Release{0, 9, 6}).Before(Release{0, 10, 0}) || (Release{0, 12, 4}).Before(Release{0, 12, 3}) || (Release{0, 12, 4}).Before(Release{0, 12, 4}) {
		t.Error("Before")
	}
}

// Each verified release's rules, as the matrix observed them.
func TestRulesFor(t *testing.T) {
	v11 := Rules{UpdateAppliesGrants: true, UpdateResetsOmittedIsActive: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true,
		SyncTakesOverRows: true, SyncLocksOnSQLite: true, SyncReplacesGrants: true}
	old := v11
	old.UpdateRejectsOmittedGrants, old.ListShowsReadOnlyParams = true, true
	v9 := old
	v9.UnloadIgnoresBaseChain = true
	for _, tc := range []struct {
		v    string
		want Rules
	}{
		{"0.12.4", Rules{}},
		{"0.13.0", Rules{}},
		{"0.12.3", Rules{UpdateAppliesGrants: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true, SyncReplacesGrants: true}},
		{"0.11.4", v11},
		{"0.11.0", v11},
		{"0.10.9", old},
		{"0.10.2", old},
		{"0.10.0", old},
		{"0.9.6", v9},
		{"", Rules{}},
		{"dev", Rules{}},
	} {
		tc.want.Version = tc.v
		if got := RulesFor(tc.v); got != tc.want {
			t.Errorf("RulesFor(%q) = %+v, want %+v", tc.v, got, tc.want)
		}
	}
}

// On a release that lacks the route, nothing is sent and the error names
// the release needed; on a newer one the request goes out.
func TestRequireBaseModelTags(t *testing.T) {
	for _, tc := range []struct {
		version string
		sent    bool
		detail  string
	}{
		{"0.9.6", false, "base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later; this server runs 0.9.6 (not sent)"},
		{"0.10.2", true, ""},
		{"garbage", true, ""},
	} {
		rec := newRecorder(t)
		rec.answer("GET", "/api/version", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"version":"`+tc.version+`"}`)
		})
		c := rec.client(Config{BaseURL: rec.srv.URL})
		_, err := c.ListBaseModelTags(context.Background())
		reqs := rec.requests()
		if got := len(reqs) == 2 && reqs[1].Path == pathBaseTags; got != tc.sent {
			t.Errorf("%s: sent %v, want %v: %+v", tc.version, got, tc.sent, reqs)
		}
		if tc.detail == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.version, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindRouteMissing || e.Detail != tc.detail {
			t.Errorf("%s: error %#v, want route_missing %q", tc.version, err, tc.detail)
		}
	}
}

// When the version was unknown before the call, the SPA page answers; the
// error still names the release needed.
func TestRouteMissingNamesRelease(t *testing.T) {
	rec := newRecorder(t)
	calls := 0
	rec.answer("GET", "/api/version", func(w http.ResponseWriter, _ *http.Request) {
		calls++
		if calls == 1 { // down during the version check, up afterwards
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"version":"0.9.6"}`)
	})
	rec.answer("GET", pathBaseTags, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html></html>")
	})
	c := rec.client(Config{BaseURL: rec.srv.URL, MaxTries: 1})
	_, err := c.ListBaseModelTags(context.Background())
	var e *Error
	const want = "base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later; this server runs 0.9.6: Open WebUI answered with its web page instead of JSON: this version lacks the endpoint"
	if !errors.As(err, &e) || e.Kind != KindRouteMissing || e.Detail != want {
		t.Fatalf("error %v, want detail %q", err, want)
	}
}

// Import over a model the non-admin caller cannot write: 0.12.4 answers
// 401 MODEL_ID_TAKEN; 0.12.3 skips it silently, and the client reads the
// ids back and reports the skip as the same kind of error.
func TestImportSkipReportedOnOldReleases(t *testing.T) {
	perms := fakeowui.DefaultPermissions()
	perms.ModelsImport = true
	for _, v := range []string{"0.12.4", "0.12.3", "0.11.4"} {
		t.Run(v, func(t *testing.T) {
			fake := fakeowui.New(fakeowui.Options{Version: v, Behaviour: fakeowui.BehaviourFor(v), UserPermissions: &perms})
			fakeowui.SeedDemo(fake)
			hs := httptest.NewServer(fake)
			defer hs.Close()
			c, err := New(Config{BaseURL: hs.URL, APIKey: fakeowui.UserKey})
			if err != nil {
				t.Fatal(err)
			}
			before, _ := fake.Model("code-reviewer") // the admin's; alice may only read it
			err = c.ImportModels(context.Background(), []map[string]any{{"id": "code-reviewer", "name": "Hijacked", "base_model_id": "gpt-4o", "meta": map[string]any{}, "params": map[string]any{}}})
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindConflict {
				t.Fatalf("error %v, want a conflict", err)
			}
			if v == "0.12.4" {
				if e.Status != 401 || e.Detail != detailIDTaken {
					t.Errorf("0.12.4: %v", err)
				}
			} else {
				want := "Open WebUI " + v + " skipped 1 element(s) without saying so: code-reviewer (exists; the caller cannot write it); the other elements were imported (0.12.4 and later answer 401 \"" + detailIDTaken + "\" here)"
				if e.Detail != want {
					t.Errorf("detail:\n got %q\nwant %q", e.Detail, want)
				}
			}
			if after, _ := fake.Model("code-reviewer"); after.Name != before.Name {
				t.Errorf("the model was overwritten: %q", after.Name)
			}
		})
	}
}

// A sync answered with [] names the cause on 0.9.6–0.11 (SQLite lock) and
// stays the generic bad answer on 0.12.
func TestSyncEmptyAnswerByRelease(t *testing.T) {
	for _, tc := range []struct {
		version string
		kind    Kind
		detail  string
	}{
		{"0.11.4", KindServer, SyncLockedText("0.11.4")},
		{"0.9.6", KindServer, SyncLockedText("0.9.6")},
		{"0.12.3", KindBadResponse, "Open WebUI answered an empty list after syncing models: the sync failed upstream"},
	} {
		rec := newRecorder(t)
		rec.answer("GET", "/api/version", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"version":"`+tc.version+`"}`)
		})
		rec.answer("POST", pathSync, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `[]`)
		})
		c := rec.client(Config{BaseURL: rec.srv.URL})
		_, err := c.SyncModels(context.Background(), []Model{{ID: "m", Name: "M"}})
		var e *Error
		if !errors.As(err, &e) || e.Kind != tc.kind || e.Detail != tc.detail || e.Status != 200 {
			t.Errorf("%s: %#v, want %s %q", tc.version, err, tc.kind, tc.detail)
		}
	}
	if got := SyncLockedText("0.10.2"); !strings.Contains(got, "Open WebUI 0.10.2 answered an empty list") || !strings.Contains(got, "DATABASE_ENABLE_SESSION_SHARING=true") {
		t.Errorf("text: %q", got)
	}
}

// Before 0.10 the client follows a custom model's base chain itself and
// unloads the provider model; from 0.10 on it sends the id as given.
// Before 0.11 it hides the params of read-only models in /list, as GET
// /model and later releases do.
func TestReleaseWorkaroundsAgainstTheFake(t *testing.T) {
	perms := fakeowui.DefaultPermissions()
	for _, v := range []string{"0.9.6", "0.10.2", "0.11.4"} {
		t.Run(v, func(t *testing.T) {
			b := fakeowui.BehaviourFor(v)
			b.ProviderMapsFilledAtStart = true
			fake := fakeowui.New(fakeowui.Options{Version: v, Behaviour: b, UserPermissions: &perms})
			fakeowui.SeedDemo(fake)
			hs := httptest.NewServer(fake)
			defer hs.Close()
			admin, err := New(Config{BaseURL: hs.URL, APIKey: fakeowui.AdminKey})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			custom := ""
			for _, m := range fake.Models() {
				if m.BaseModelID != nil && *m.BaseModelID != "" && (custom == "" || m.ID < custom) {
					custom = m.ID
				}
			}
			if custom == "" {
				t.Fatal("the demo seed has no custom model")
			}
			fake.ResetRequests()
			_, err = admin.UnloadModel(ctx, custom)
			var sent []string
			for _, r := range fake.Requests() {
				if r.Path == "/api/models/unload" {
					sent = append(sent, string(r.Body))
				}
			}
			if len(sent) != 1 {
				t.Fatalf("unload requests: %v", sent)
			}
			if chased := !strings.Contains(sent[0], custom); chased != (v == "0.9.6") {
				t.Errorf("unload of %s sent %s (err %v)", custom, sent[0], err)
			}
			if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
				t.Errorf("unload of %s: %v", custom, err)
			}

			user, err := New(Config{BaseURL: hs.URL, APIKey: fakeowui.UserKey})
			if err != nil {
				t.Fatal(err)
			}
			l, err := user.ListModels(ctx, ListParams{})
			if err != nil {
				t.Fatal(err)
			}
			readOnly := 0
			for _, m := range l.Items {
				if !m.CanWrite() {
					readOnly++
					if !m.Params.Empty() {
						t.Errorf("%s: read-only %s lists params %s", v, m.ID, m.Params.Raw())
					}
				}
			}
			if readOnly == 0 {
				t.Errorf("%s: the user lists no read-only model: %d items", v, len(l.Items))
			}
		})
	}
}
