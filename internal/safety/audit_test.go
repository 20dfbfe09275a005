package safety

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a slog.Handler that keeps what it receives.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
	panics  bool
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	if r.panics {
		panic("handler bug")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	return nil
}

func (r *recorder) all() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

func attrs(rec slog.Record) map[string]any {
	m := map[string]any{}
	rec.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.Any()
		return true
	})
	return m
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("audit file does not end with a newline: %q", data)
	}
	return lines
}

func TestAuditRecord(t *testing.T) {
	at := time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC)
	tests := []struct {
		name     string
		entry    Entry
		line     string // exact JSON line
		logAttrs map[string]any
	}{
		{
			name: "ok delete",
			entry: Entry{Time: at, Tool: "delete_model", Caller: "local", Targets: []string{"team/bot:v2"}, Outcome: OutcomeOK,
				Backup: "20261126T153012Z-delete_model-3f9a1c", Confirmation: ConfirmToken, UpstreamStatus: 200},
			line: `{"time":"2026-11-26T15:30:12Z","tool":"delete_model","caller":"local","targets":["team/bot:v2"],"outcome":"ok","backup":"20261126T153012Z-delete_model-3f9a1c","confirmation":"token","upstream_status":200}`,
			logAttrs: map[string]any{"tool": "delete_model", "caller": "local", "targets": []string{"team/bot:v2"}, "outcome": "ok",
				"backup": "20261126T153012Z-delete_model-3f9a1c", "confirmation": "token", "upstream_status": int64(200)},
		},
		{
			// The error is written verbatim: scrubbing is the caller's job,
			// and the auditor must not mangle what it was given.
			name: "error verbatim",
			entry: Entry{Time: at, Tool: "sync_models", Caller: "u1", Targets: []string{"a", "b"}, Outcome: OutcomeError,
				Confirmation: ConfirmElicitation, UpstreamStatus: 500, Error: "upstream said: \"boom\" <html>\nline2 ✓"},
			line: `{"time":"2026-11-26T15:30:12Z","tool":"sync_models","caller":"u1","targets":["a","b"],"outcome":"error","confirmation":"elicitation","upstream_status":500,"error":"upstream said: \"boom\" \u003chtml\u003e\nline2 ✓"}`,
			logAttrs: map[string]any{"tool": "sync_models", "caller": "u1", "targets": []string{"a", "b"}, "outcome": "error",
				"confirmation": "elicitation", "upstream_status": int64(500), "error": "upstream said: \"boom\" <html>\nline2 ✓"},
		},
		{
			name:     "nil targets become []",
			entry:    Entry{Time: at.In(time.FixedZone("CET", 3600)), Tool: "unload_model", Caller: "local", Outcome: OutcomeSkipped, Confirmation: ConfirmNone},
			line:     `{"time":"2026-11-26T15:30:12Z","tool":"unload_model","caller":"local","targets":[],"outcome":"skipped","confirmation":"none"}`,
			logAttrs: map[string]any{"tool": "unload_model", "caller": "local", "targets": []string{}, "outcome": "skipped", "confirmation": "none"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			h := &recorder{}
			a, err := NewAuditor(slog.New(h), path)
			if err != nil {
				t.Fatal(err)
			}
			a.Record(tt.entry)
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			lines := readLines(t, path)
			if len(lines) != 1 || lines[0] != tt.line {
				t.Fatalf("audit file lines:\n%s\nwant\n%s", strings.Join(lines, "\n"), tt.line)
			}
			var back Entry
			if err := json.Unmarshal([]byte(lines[0]), &back); err != nil {
				t.Fatal(err)
			}
			if back.Error != tt.entry.Error {
				t.Errorf("error round trip: %q, want %q", back.Error, tt.entry.Error)
			}
			recs := h.all()
			if len(recs) != 1 {
				t.Fatalf("slog got %d records, want 1", len(recs))
			}
			rec := recs[0]
			if rec.Message != "audit" || rec.Level != slog.LevelInfo || !rec.Time.Equal(at) {
				t.Errorf("slog record: msg %q level %v time %v", rec.Message, rec.Level, rec.Time)
			}
			if got := attrs(rec); !reflect.DeepEqual(got, tt.logAttrs) {
				t.Errorf("slog attrs:\n%#v\nwant\n%#v", got, tt.logAttrs)
			}
		})
	}
}

func TestAuditFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(`{"earlier":"line"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &recorder{}
	a, err := NewAuditor(slog.New(h), path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a.Record(Entry{Tool: "delete_model", Caller: "local", Targets: []string{strings.Repeat("x", i*100)}, Outcome: OutcomeOK, Confirmation: ConfirmToken})
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != n+1 || lines[0] != `{"earlier":"line"}` {
		t.Fatalf("file has %d lines (first %q), want the earlier line plus %d", len(lines), lines[0], n)
	}
	for _, l := range lines[1:] {
		var e Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Tool != "delete_model" || e.Time.IsZero() {
			t.Fatalf("bad line %q: %v", l, err)
		}
		if time.Since(e.Time) > time.Minute {
			t.Fatalf("zero time not filled with now: %v", e.Time)
		}
	}
	if len(h.all()) != n {
		t.Fatalf("slog got %d records, want %d", len(h.all()), n)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("audit file mode %v, want 0600 (kept from creation)", st.Mode().Perm())
		}
		fresh := filepath.Join(t.TempDir(), "new.log")
		a2, err := NewAuditor(nil, fresh)
		if err != nil {
			t.Fatal(err)
		}
		a2.Close()
		if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o600 {
			t.Errorf("new audit file mode %v, want 0600", st.Mode().Perm())
		}
	}
}

func TestAuditWithoutFile(t *testing.T) {
	var buf bytes.Buffer
	a, err := NewAuditor(slog.New(slog.NewJSONHandler(&buf, nil)), "")
	if err != nil {
		t.Fatal(err)
	}
	a.Record(Entry{Tool: "delete_model", Caller: "local", Targets: []string{"m"}, Outcome: OutcomeRefused, Confirmation: ConfirmToken, Error: "expired"})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a.Record(Entry{Tool: "after_close"}) // still logged, no file to fail
	var got []map[string]any
	for l := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("slog line %q: %v", l, err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["msg"] != "audit" || got[0]["outcome"] != "refused" || got[0]["error"] != "expired" || got[1]["tool"] != "after_close" {
		t.Fatalf("slog output:\n%s", buf.String())
	}
}

func TestAuditFailures(t *testing.T) {
	if _, err := NewAuditor(nil, filepath.Join(t.TempDir(), "missing", "audit.log")); err == nil {
		t.Fatal("NewAuditor with an unopenable path succeeded")
	}

	// After Close, the file write fails and is reported through slog.
	h := &recorder{}
	path := filepath.Join(t.TempDir(), "audit.log")
	a, err := NewAuditor(slog.New(h), path)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	a.Record(Entry{Tool: "delete_model"})
	recs := h.all()
	if len(recs) != 2 || recs[0].Level != slog.LevelError || !strings.Contains(recs[0].Message, "audit log write failed") || recs[1].Message != "audit" {
		t.Fatalf("records after close: %+v", recs)
	}
	if a.Close() != nil {
		t.Fatal("second Close failed")
	}

	// A panicking handler does not escape Record, and the file line is kept.
	path2 := filepath.Join(t.TempDir(), "audit.log")
	a2, err := NewAuditor(slog.New(&recorder{panics: true}), path2)
	if err != nil {
		t.Fatal(err)
	}
	a2.Record(Entry{Tool: "delete_model"})
	a2.Close()
	if lines := readLines(t, path2); len(lines) != 1 {
		t.Fatalf("file has %d lines, want 1", len(lines))
	}

	// A nil Auditor is a no-op.
	var none *Auditor
	none.Record(Entry{Tool: "x"})
	if none.Close() != nil {
		t.Fatal("nil Close failed")
	}
}

func TestAuditReplica(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	h := &recorder{}
	a, err := NewAuditor(slog.New(h), path)
	if err != nil {
		t.Fatal(err)
	}
	a.SetReplica("owui-mcp-2")
	a.Record(Entry{Time: time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC), Tool: "toggle_model", Caller: "u", Targets: []string{"m"}, Outcome: OutcomeOK, Confirmation: ConfirmToken})
	a.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-11-26T15:30:12Z","tool":"toggle_model","caller":"u","targets":["m"],"outcome":"ok","confirmation":"token","replica":"owui-mcp-2"}` + "\n"
	if string(b) != want {
		t.Fatalf("line\n%s\nwant\n%s", b, want)
	}
}
