package tools

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
)

// panicLog records the wrapper's "tool panicked" lines: the wrapper turns
// panics into tool errors, which would hide them from the fuzzer.
type panicLog struct {
	slog.Handler
	panics *[]string
}

func (p panicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "tool panicked" {
		var b strings.Builder
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(a.String() + "\n")
			return true
		})
		*p.panics = append(*p.panics, b.String())
	}
	return nil
}

// argumentWriters are the tools that may write with valid arguments and no
// confirmation token (their plain form needs none).
var argumentWriters = map[string]bool{"create_model": true, "update_model": true, "toggle_model": true}

// FuzzToolArguments sends arbitrary JSON as the arguments of any tool,
// through the tool's schema and the shared wrapper, against a fresh seeded
// fake. No input may panic (recovered panics count), produce a protocol
// error or an unencodable result, or reach Open WebUI when the arguments
// are invalid; with confirmations on, only the three unconfirmed writers
// may ever write.
func FuzzToolArguments(f *testing.F) {
	all := All()
	generic := []string{
		`{}`, `null`, `[]`, `"id"`, `42`, `{"id":null}`, `{"id":""}`, `{"id":1e400}`, `{"id":["a"]}`,
		`{"id":"team/support-bot:v2"}`, `{"id":"release notes v1.2","dry_run":true}`,
		`{"id":"code-reviewer","confirm_token":"a.b"}`, `{"id":"code-reviewer","confirm_token":"` + strings.Repeat("A", 300) + `"}`,
		`{"page":"NaN"}`, `{"page":"Inf"}`, `{"page":1e300}`, `{"page":"2","all":"true","limit":"5"}`,
		`{"query":"\u0000\u202e","detail":"full"}`, `{"unknown":{"nested":[1,{"x":null}]}}`,
		`{"id":"new/model:1","name":"New","tags":"solo","meta":"{\"k\":1}","params":{"temperature":0.2},"is_active":"false"}`,
		`{"id":"code-reviewer","access_grants":[{"principal_type":"user","principal_id":"*","permission":"read"}]}`,
		`{"id":"code-reviewer","access_grants":"everyone","mode":"add"}`,
		`{"id":"code-reviewer","meta":{"description":null},"params":{"system":null},"description":""}`,
		`{"models":[{"id":"x","name":"X"}]}`, `{"models":"[{\"id\":\"y\"}]"}`, `{"models":[null,1,"z",[]]}`,
		`{"backup":"../../etc/passwd"}`, `{"backup":"20261126T153012Z-delete_model-3f9a1c","ids":"x"}`,
		`{"model":"llama3.1:8b"}`, `{"model":{"id":"x"}}`, `{"limit":0}`, `{"limit":1001}`,
	}
	for i := range all {
		for _, s := range generic {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		var args any
		if json.Unmarshal(raw, &args) != nil {
			return // not JSON: the protocol layer refuses it before any tool
		}
		tl := all[int(which)%len(all)]
		fake := fakeowui.New(fakeowui.Options{Now: func() time.Time { return time.Unix(fakeowui.DemoEpoch, 0) }})
		fakeowui.SeedDemo(fake)
		c, err := owui.New(owui.Config{BaseURL: "http://owui.invalid", APIKey: fakeowui.AdminKey, Transport: fakeowui.Transport(fake), Backoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var panics []string
		logger := slog.New(panicLog{slog.DiscardHandler, &panics})
		b, err := Build(Config{Client: c, Options: Options{AllowAccessChanges: true, AllowAdmin: true, Confirm: ConfirmToken},
			Version: "test", TokenTTL: time.Minute, BackupDir: t.TempDir(), Log: logger, Secrets: []string{fakeowui.AdminKey}})
		if err != nil {
			t.Fatal(err)
		}
		d := b.Deps
		fake.ResetRequests()

		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = tl.Name, args
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := tl.Handler(d)(ctx, req)
		if len(panics) > 0 {
			t.Fatalf("%s(%s) panicked:\n%s", tl.Name, raw, panics[0])
		}
		if err != nil {
			t.Fatalf("%s(%s): protocol error: %v", tl.Name, raw, err)
		}
		if res == nil {
			t.Fatalf("%s(%s): nil result", tl.Name, raw)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("%s(%s): the result cannot be sent: %v", tl.Name, raw, err)
		}
		txt := text(res)
		if strings.Contains(txt, fakeowui.AdminKey) {
			t.Fatalf("%s(%s): the key is in the result: %s", tl.Name, raw, txt)
		}
		for _, r := range fake.Requests() {
			if r.Method == http.MethodGet {
				continue
			}
			if res.IsError && strings.HasPrefix(txt, "invalid arguments") {
				t.Fatalf("%s(%s): invalid arguments, yet a write: %s %s", tl.Name, raw, r.Method, r.Path)
			}
			if !argumentWriters[tl.Name] {
				t.Fatalf("%s(%s): wrote %s %s without a confirmation", tl.Name, raw, r.Method, r.Path)
			}
		}
	})
}
