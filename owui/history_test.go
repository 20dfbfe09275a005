package owui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

const vid = "0b6d1c2e-5f4a-4c1b-9e2d-7a8b9c0d1e2f"

func jsonAnswer(body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

const cannedEntry = `{"id":"` + vid + `","model_id":"m","parent_id":null,"user_id":"u-1","commit_message":"first","created_at":1767225600,"user":{"name":"Admin"}`

// TestHistoryOperationsSendExactlyThisRequest pins method, path, query and
// body of the four history routes.
func TestHistoryOperationsSendExactlyThisRequest(t *testing.T) {
	rec := newRecorder(t)
	rec.answer("GET", "/api/v1/models/model/history", jsonAnswer(`[`+cannedEntry+`}]`))
	rec.answer("GET", "/api/v1/models/model/history/"+vid, jsonAnswer(cannedEntry+`,"snapshot":{"name":"M","base_model_id":"gpt-4o","params":{"temperature":0.5},"meta":{"description":"d"}}}`))
	rec.answer("DELETE", "/api/v1/models/model/history/"+vid, jsonAnswer(`true`))
	rec.answer("POST", "/api/v1/models/model/update/version", jsonAnswer(`{"version_id":"`+vid+`",`+strings.TrimPrefix(cannedModel, "{")))
	c := rec.client(Config{APIKey: "sk-unit0000"})
	ctx := context.Background()
	if _, err := c.Version(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		op                string
		call              func() error
		method, path, qry string
		body              string
	}{
		{"list", func() error {
			es, err := c.ListModelHistory(ctx, trickyID, 2)
			if err == nil && (len(es) != 1 || es[0].User.Name != "Admin" || *es[0].CommitMessage != "first" || es[0].ParentID != nil || es[0].CreatedAt != 1767225600) {
				err = errors.New("entries not decoded")
			}
			return err
		}, "GET", "/api/v1/models/model/history", trickyQuery + "&page=2", ""},
		{"list page 0", func() error { _, err := c.ListModelHistory(ctx, "m", 0); return err },
			"GET", "/api/v1/models/model/history", "id=m&page=1", ""},
		{"get", func() error {
			e, err := c.GetModelVersion(ctx, trickyID, vid)
			if err == nil && (e.Snapshot.Name != "M" || *e.Snapshot.BaseModelID != "gpt-4o" || e.Snapshot.Params["temperature"] != 0.5) {
				err = errors.New("snapshot not decoded")
			}
			return err
		}, "GET", "/api/v1/models/model/history/" + vid, trickyQuery, ""},
		{"delete", func() error { return c.DeleteModelVersion(ctx, trickyID, vid) },
			"DELETE", "/api/v1/models/model/history/" + vid, trickyQuery, ""},
		{"rollback", func() error {
			m, err := c.RollbackModel(ctx, trickyID, vid)
			if err == nil && m.VersionID != vid {
				err = errors.New("version_id not decoded")
			}
			return err
		}, "POST", "/api/v1/models/model/update/version", trickyQuery, `{"version_id":"` + vid + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			rec.reset()
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests: %+v", len(reqs), reqs)
			}
			r := reqs[0]
			if r.Method != tc.method || r.EscapedPath != tc.path || r.RawQuery != tc.qry || string(r.Body) != tc.body {
				t.Errorf("sent %s %s?%s %s, want %s %s?%s %s", r.Method, r.EscapedPath, r.RawQuery, r.Body, tc.method, tc.path, tc.qry, tc.body)
			}
			if tc.qry != "" && mustParseQuery(t, r.RawQuery).Get("id") != trickyID && tc.op != "list page 0" {
				t.Errorf("id decodes to %q", mustParseQuery(t, r.RawQuery).Get("id"))
			}
		})
	}
}

func TestHistoryIDsAreValidatedBeforeSending(t *testing.T) {
	rec := newRecorder(t)
	c := rec.client(Config{})
	ctx := context.Background()
	for _, id := range []string{"", " ", "a/b", "../x", ".", "..", "a b", "a?b", "a#b", "a%2Fb", "é", strings.Repeat("a", 129)} {
		for name, call := range map[string]func() error{
			"get":      func() error { _, err := c.GetModelVersion(ctx, "m", id); return err },
			"delete":   func() error { return c.DeleteModelVersion(ctx, "m", id) },
			"rollback": func() error { _, err := c.RollbackModel(ctx, "m", id); return err },
		} {
			err := call()
			if !IsKind(err, KindInvalid) || !strings.Contains(err.Error(), "(not sent)") {
				t.Errorf("%s %q: %v", name, id, err)
			}
		}
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
	for _, id := range []string{vid, "abc", "v1.2_x~y"} {
		if p := HistoryIDProblem(id); p != "" {
			t.Errorf("%q refused: %s", id, p)
		}
	}
}

func TestHistoryNeedsOpenWebUI012(t *testing.T) {
	rec := newRecorder(t)
	rec.answer("GET", "/api/version", jsonAnswer(`{"version":"0.11.4"}`))
	c := rec.client(Config{})
	ctx := context.Background()
	calls := map[string]func() error{
		"list":     func() error { _, err := c.ListModelHistory(ctx, "m", 1); return err },
		"get":      func() error { _, err := c.GetModelVersion(ctx, "m", vid); return err },
		"delete":   func() error { return c.DeleteModelVersion(ctx, "m", vid) },
		"rollback": func() error { _, err := c.RollbackModel(ctx, "m", vid); return err },
	}
	for name, call := range calls {
		err := call()
		if !IsKind(err, KindRouteMissing) || !strings.Contains(err.Error(), "model history (/api/v1/models/model/history) needs Open WebUI 0.12.0 or later; this server runs 0.11.4 (not sent)") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, r := range rec.requests() {
		if r.Path != "/api/version" {
			t.Errorf("sent %s %s to a 0.11.4 server", r.Method, r.Path)
		}
	}
}

func TestCommitMessageOnlyFor012(t *testing.T) {
	for _, c := range []struct {
		version string // "" = /api/version fails
		sent    bool
	}{{"0.12.4", true}, {"0.12.0", true}, {"1.0.0", true}, {"0.11.4", false}, {"", false}} {
		rec := newRecorder(t)
		if c.version == "" {
			rec.answer("GET", "/api/version", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
		} else {
			rec.answer("GET", "/api/version", jsonAnswer(`{"version":"`+c.version+`"}`))
		}
		cl := rec.client(Config{})
		for _, write := range []func() error{
			func() error {
				_, err := cl.UpdateModel(context.Background(), ModelForm{ID: "m", Name: "M", CommitMessage: "why"})
				return err
			},
			func() error {
				_, err := cl.CreateModel(context.Background(), ModelForm{ID: "m", Name: "M", CommitMessage: "why"})
				return err
			},
		} {
			rec.reset()
			if err := write(); err != nil {
				t.Fatal(err)
			}
			var body string
			versionTries := 0
			for _, r := range rec.requests() {
				if r.Method == "POST" {
					body = string(r.Body)
				} else {
					versionTries++
				}
			}
			if got := strings.Contains(body, `"commit_message":"why"`); got != c.sent {
				t.Errorf("version %q: commit_message sent=%v: %s", c.version, got, body)
			}
			// A failed probe is not retried before a write.
			if c.version == "" && versionTries != 1 {
				t.Errorf("version probe tried %d times", versionTries)
			}
		}
	}
}

func TestHasModelHistory(t *testing.T) {
	for _, c := range []struct {
		v  string
		ok bool
	}{{"0.12.4", true}, {"0.12.0", true}, {"v0.12.1", true}, {"0.13.0-rc1", true}, {"1.0", true}, {"0.11.9", false}, {"0.9.6", false}, {"dev", false}, {"", false}, {"0", false}} {
		if got := Has(c.v, FeatureModelHistory); got != c.ok {
			t.Errorf("Has(%q, FeatureModelHistory) = %v", c.v, got)
		}
	}
}

func TestVersionWithoutSnapshotIsAnError(t *testing.T) {
	rec := newRecorder(t)
	rec.answer("GET", "/api/v1/models/model/history/"+vid, jsonAnswer(cannedEntry+`}`))
	c := rec.client(Config{})
	if _, err := c.GetModelVersion(context.Background(), "m", vid); !IsKind(err, KindBadResponse) || !strings.Contains(err.Error(), "without its snapshot") {
		t.Errorf("got %v", err)
	}
}
