package owui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const fuzzKey = "sk-FUZZKEY00000000000000000000000"

// fuzzUpstream answers every request with the fuzzed response. "$AUTH" in
// the body or the Location header is replaced by the request's
// Authorization header, so inputs can echo the credential back the way a
// debugging proxy would.
type fuzzUpstream struct {
	status   int
	ctype    string
	location string
	body     []byte
	chunked  bool
}

func (u fuzzUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	auth := r.Header.Get("Authorization")
	body := bytes.ReplaceAll(u.body, []byte("$AUTH"), []byte(auth))
	h := http.Header{}
	if u.ctype != "" {
		h.Set("Content-Type", u.ctype)
	}
	if u.location != "" {
		h.Set("Location", strings.ReplaceAll(u.location, "$AUTH", auth))
	}
	n := int64(len(body))
	if u.chunked {
		n = -1
	}
	return &http.Response{StatusCode: u.status, Status: http.StatusText(u.status), Header: h, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: n, Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// FuzzDecodeResponses serves arbitrary status, content type, Location and
// body to every decoding path of the client (model, list, export, profile
// image, provider list, bare booleans, sync, current user, version, toggle,
// access update). No input may panic; no grant SetModelAccess keeps holds
// the credential; every failure is an *Error with a kind, a bounded, valid
// UTF-8 message that never holds the credential; every status of 400 or
// more is a failure carrying that status.
func FuzzDecodeResponses(f *testing.F) {
	model := []byte(`{"id":"m","user_id":"u","base_model_id":null,"name":"M","params":{},"meta":{"tags":[{"name":"x"}]},"access_grants":[{"principal_type":"group","principal_id":"g","permission":"read"}],"is_active":true,"updated_at":1,"created_at":1}`)
	seeds := []struct {
		status   int
		ctype    string
		location string
		body     []byte
		flags    uint8
	}{
		{200, "application/json", "", model, 0},
		{200, "application/json", "", []byte(`{"items":[` + string(model) + `],"total":31}`), 0},
		{200, "application/json", "", append(append([]byte("["), model...), ']'), 1},
		{200, "application/json", "", []byte(`{"data":[{"id":"gpt-4o"},null,1]}`), 0},
		{200, "application/json", "", []byte("null"), 0},
		{200, "application/json", "", []byte("false"), 0},
		{200, "application/json", "", []byte("true"), 0},
		{200, "application/json", "", []byte(`{"version":"0.12.4","id":"u-1"}`), 0},
		{200, "application/json", "", []byte(`{"access_grants":[{"principal_type":"group","principal_id":"$AUTH","permission":"read"}]}`), 0},
		{200, "application/json", "", []byte(`{"id":"m","name":`), 0},
		{200, "text/html; charset=utf-8", "", []byte("<!doctype html><html></html>"), 0},
		{200, "image/png", "", []byte("\x89PNG\r\n\x1a\n"), 0},
		{302, "", "/static/favicon.png", nil, 0},
		{302, "", "https://cdn.example.com/a.png?k=$AUTH", nil, 0},
		{302, "", "http://[::1%zz/$AUTH", nil, 0},
		{401, "application/json", "", []byte(`{"detail":"Not authenticated"}`), 0},
		{401, "application/json", "", []byte(`{"detail":"We could not find what you're looking for :/"}`), 0},
		{403, "application/json", "", []byte(`{"detail":"Use of API key is not enabled in the environment."}`), 0},
		{422, "application/json", "", []byte(`{"detail":[{"loc":["body","name"],"msg":"Field required"},{"loc":[],"msg":null},"x"]}`), 0},
		{500, "text/plain", "", []byte("Internal Server Error"), 0},
		{500, "text/plain", "", []byte(strings.Repeat("x", 190) + " Authorization: $AUTH tail"), 1},
		{502, "application/json", "", []byte(`{"detail":"echo $AUTH"}`), 0},
		{503, "text/html", "", []byte("<html>bad gateway</html>"), 0},
		{405, "application/json", "", []byte(`{"detail":"Method Not Allowed"}`), 0},
		{200, "application/json", "", bytes.Repeat([]byte(" "), 5000), 1},
		{200, "application/json", "", []byte("\xff\xfe\x00{"), 0},
		{599, "", "", nil, 0},
	}
	for _, s := range seeds {
		f.Add(uint16(s.status-100), s.ctype, s.location, s.body, s.flags)
	}
	f.Fuzz(func(t *testing.T, statusIn uint16, ctype, location string, body []byte, flags uint8) {
		up := fuzzUpstream{status: 100 + int(statusIn)%500, ctype: ctype, location: location, body: body, chunked: flags&1 != 0}
		c, err := New(Config{BaseURL: "http://owui.invalid", APIKey: fuzzKey, Transport: up, MaxResponseBytes: 4096, MaxTries: 2, Backoff: time.Microsecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		calls := []struct {
			name string
			call func() error
		}{
			{"get_model", func() error { _, err := c.GetModel(ctx, "m"); return err }},
			{"list_models", func() error { _, err := c.ListModels(ctx, ListParams{}); return err }},
			{"export_models", func() error { _, err := c.ExportModels(ctx); return err }},
			{"get_model_profile_image", func() error {
				img, err := c.GetProfileImage(ctx, "m")
				if err == nil && strings.Contains(img.URL, fuzzKey) {
					return errors.New("the key is in the image URL: " + img.URL)
				}
				return err
			}},
			{"list_base_models_direct", func() error { _, err := c.ListBaseModelsDirect(ctx); return err }},
			{"list_model_tags", func() error { _, err := c.ListModelTags(ctx); return err }},
			{"delete_model", func() error { return c.DeleteModel(ctx, "m") }},
			{"sync_models", func() error { _, err := c.SyncModels(ctx, []Model{{ID: "m", Name: "M"}}); return err }},
			{"unload_model", func() error { _, err := c.UnloadModel(ctx, "m"); return err }},
			{"current_user", func() error { _, err := c.CurrentUser(ctx); return err }},
			{"version", func() error { _, err := c.Version(ctx); return err }},
			{"toggle_model", func() error { _, err := c.ToggleModel(ctx, "m"); return err }},
			{"set_model_access", func() error {
				// Only the kept grants are redacted (request.keeps).
				gs, err := c.SetModelAccess(ctx, AccessForm{ID: "m"})
				if s := fmt.Sprint(gs); strings.Contains(s, fuzzKey) {
					return errors.New("the key is in the kept grants: " + s)
				}
				return err
			}},
		}
		for _, call := range calls {
			err := call.call()
			if err == nil {
				if up.status >= 400 {
					t.Fatalf("%s: HTTP %d accepted", call.name, up.status)
				}
				continue
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: %T %v, want *Error", call.name, err, err)
			}
			msg := err.Error()
			switch {
			case e.Kind == "" || e.Op == "":
				t.Fatalf("%s: incomplete error %+v", call.name, e)
			case up.status >= 400 && e.Status != up.status && e.Kind != KindTooLarge:
				t.Fatalf("%s: HTTP %d reported as %d: %v", call.name, up.status, e.Status, err)
			case strings.Contains(msg, fuzzKey):
				t.Fatalf("%s: the key is in the error: %s", call.name, msg)
			case !utf8.ValidString(msg):
				t.Fatalf("%s: invalid UTF-8 in %q", call.name, msg)
			case len(msg) > 4*maxDetail+2048:
				t.Fatalf("%s: a %d-byte error message", call.name, len(msg))
			}
		}
	})
}
