package tools

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

func testClient(t *testing.T) *owui.Client {
	t.Helper()
	c, err := owui.New(owui.Config{BaseURL: "http://owui.invalid", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBuildDefaults(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state) // where the default backup directory lands
	b, err := Build(Config{Client: testClient(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := b.Deps
	if got := d.Tokens.TTL(); got != safety.DefaultTTL {
		t.Errorf("token TTL %v, want safety.DefaultTTL %v", got, safety.DefaultTTL)
	}
	if got, want := d.Backups.Dir(), filepath.Join(state, "owui-mcp", "backups"); got != want {
		t.Errorf("backup dir %q, want %q", got, want)
	}
	if got := d.Backups.MaxBytes(); got != safety.DefaultMaxBackupBytes {
		t.Errorf("max backup bytes %d, want %d", got, safety.DefaultMaxBackupBytes)
	}
	if _, err := os.Stat(d.Backups.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Build touched the backup directory (stat: %v); it is created on the first write", err)
	}
	// The zero Options enable what the flags' zero values enable.
	want, err := Enabled(All(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tl := range b.Enabled {
		got = append(got, tl.Name)
		if !d.Offered[tl.Name] {
			t.Errorf("%s enabled but not in Deps.Offered", tl.Name)
		}
	}
	if len(got) != len(want) || len(d.Offered) != len(want) {
		t.Errorf("enabled %v (offered %d), want the %d tools Enabled gives", got, len(d.Offered), len(want))
	}
	// A random key per process and an in-process ledger: a token redeems
	// once.
	claims := safety.Claims{Tool: "delete_model", Caller: "c"}
	tok := d.Tokens.Mint(claims)
	if err := d.Tokens.Redeem(tok, claims); err != nil {
		t.Fatalf("first redemption: %v", err)
	}
	if err := d.Tokens.Redeem(tok, claims); !isRefusal(err, safety.ReasonUsed) {
		t.Errorf("second redemption: %v, want %s", err, safety.ReasonUsed)
	}
	init := b.Server.HandleMessage(context.Background(), json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	raw, _ := json.Marshal(init)
	if !strings.Contains(string(raw), `"serverInfo":{"name":"owui-mcp","version":"dev","title":"Open WebUI models"}`) {
		t.Errorf("initialize: %s, want serverInfo version \"dev\"", raw)
	}
}

// recordingLedger is a Ledger shared by two servers, as Redis is.
type recordingLedger struct {
	mem    *safety.MemoryLedger
	claims int
}

func (l *recordingLedger) Claim(n []byte, now, exp time.Duration) (bool, error) {
	l.claims++
	return l.mem.Claim(n, now, exp)
}
func (l *recordingLedger) Used(n []byte, now time.Duration) (bool, error) { return l.mem.Used(n, now) }

func TestBuildUsesEveryPieceOfConfig(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	key := []byte(strings.Repeat("k", safety.MinKeyLen))
	ledger := &recordingLedger{mem: safety.NewMemoryLedger()}
	cfg := Config{Client: testClient(t), Options: Options{AllowAdmin: true, Confirm: ConfirmToken}, Version: "9.9.9",
		Allow: []string{"list_models", "restore_models"}, Log: slog.New(slog.DiscardHandler), Secrets: []string{"s3cret"},
		TokenTTL: time.Minute, Clock: clock, ConfirmKey: key, Ledger: ledger,
		BackupDir: filepath.Join(dir, "backups"), MaxBackupBytes: 1234, AuditPath: filepath.Join(dir, "audit.jsonl"), Replica: "pod-a"}
	a, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cfg.AuditPath, cfg.Replica = filepath.Join(dir, "audit-b.jsonl"), "pod-b"
	b, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	d := a.Deps
	if d.Tokens.TTL() != time.Minute || d.Backups.MaxBytes() != 1234 || d.Backups.Dir() != cfg.BackupDir {
		t.Errorf("tokens TTL %v, backups %q max %d", d.Tokens.TTL(), d.Backups.Dir(), d.Backups.MaxBytes())
	}
	if len(a.Enabled) != 2 || a.Enabled[0].Name != "list_models" || a.Enabled[1].Name != "restore_models" {
		t.Errorf("enabled %v, want the allow list", a.Enabled)
	}
	if len(d.Secrets) != 1 || d.Secrets[0] != "s3cret" || d.Log != cfg.Log || d.Options != cfg.Options {
		t.Errorf("deps: secrets %v, log %p, options %+v", d.Secrets, d.Log, d.Options)
	}
	// The shared key: a token one replica mints, the other redeems, once
	// across both (the shared ledger).
	claims := safety.Claims{Tool: "restore_models", Caller: "c"}
	tok := a.Deps.Tokens.Mint(claims)
	if err := b.Deps.Tokens.Redeem(tok, claims); err != nil {
		t.Fatalf("redeeming on the other replica: %v", err)
	}
	if err := a.Deps.Tokens.Redeem(tok, claims); !isRefusal(err, safety.ReasonUsed) {
		t.Errorf("redeeming again on the first: %v, want %s", err, safety.ReasonUsed)
	}
	if ledger.claims != 1 {
		t.Errorf("ledger claims %d, want 1 (the second is refused as used before claiming)", ledger.claims)
	}
	// The clock: a token outlives its TTL only on the tokens' own clock.
	tok = a.Deps.Tokens.Mint(claims)
	now = now.Add(2 * time.Minute)
	if err := a.Deps.Tokens.Redeem(tok, claims); !isRefusal(err, safety.ReasonExpired) {
		t.Errorf("after 2 minutes on the configured clock: %v, want %s", err, safety.ReasonExpired)
	}
	// The audit path and the replica.
	d.Audit.Record(safety.Entry{Tool: "restore_models", Outcome: "ok"})
	line, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"tool":"restore_models"`) || !strings.Contains(string(line), `"replica":"pod-a"`) {
		t.Errorf("audit line %s, want the tool and replica pod-a", line)
	}
}

func isRefusal(err error, r safety.Reason) bool {
	var ref *safety.Refusal
	return errors.As(err, &ref) && ref.Reason == r
}

func TestBuildErrors(t *testing.T) {
	c := testClient(t)
	ledger := safety.NewMemoryLedger()
	missing := filepath.Join(t.TempDir(), "no-such-dir", "audit.jsonl")
	cases := []struct {
		name  string
		cfg   Config
		field string // "" for an error that is not a ConfigError
		want  string
		is    error
	}{
		{"no client", Config{}, "Client", "tools.Config.Client: is required", nil},
		{"short key", Config{Client: c, ConfirmKey: []byte("short"), Ledger: ledger}, "ConfirmKey",
			"tools.Config.ConfirmKey: the confirmation key is too short (5 bytes, need at least 32", nil},
		{"key without ledger", Config{Client: c, ConfirmKey: []byte(strings.Repeat("k", 32))}, "ConfirmKey",
			"a shared key needs a shared Ledger", nil},
		{"negative max backup", Config{Client: c, MaxBackupBytes: -1}, "MaxBackupBytes", "-1 is negative", nil},
		{"audit dir missing", Config{Client: c, AuditPath: missing}, "AuditPath", "tools.Config.AuditPath: open audit log:", fs.ErrNotExist},
		{"unknown tool", Config{Client: c, Allow: []string{"nope"}}, "", "--tools names unknown tool(s): nope", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Build(tc.cfg)
			if err == nil {
				b.Close()
				t.Fatal("built; want an error")
			}
			if b != nil {
				t.Errorf("a Built beside the error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			var ce *ConfigError
			if got := errors.As(err, &ce); got != (tc.field != "") || (got && ce.Field != tc.field) {
				t.Errorf("error %#v, want a ConfigError for field %q", err, tc.field)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
		})
	}
}

// The tools are built once the client has its initialize answer: not
// before (nothing delays that answer), on notifications/initialized, and
// on the first tools/list of a client that never sends that notification.
func TestToolsAreBuiltAfterInitialize(t *testing.T) {
	msg := func(s string) json.RawMessage { return json.RawMessage(s) }
	initialize := msg(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	for _, notify := range []bool{true, false} {
		up := httptest.NewServer(fakeowui.New(fakeowui.Options{}))
		defer up.Close()
		c, err := owui.New(owui.Config{BaseURL: up.URL, APIKey: fakeowui.AdminKey})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Build(Config{Client: c, BackupDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		b.Server.HandleMessage(ctx, initialize)
		time.Sleep(20 * time.Millisecond) // room for a build that should not have started
		if n := len(b.Server.ListTools()); n != 0 {
			t.Fatalf("%d tools registered before the client was initialized", n)
		}
		if notify {
			b.Server.HandleMessage(ctx, msg(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
			deadline := time.Now().Add(5 * time.Second)
			for len(b.Server.ListTools()) == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		res := b.Server.HandleMessage(ctx, msg(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
		raw, _ := json.Marshal(res)
		var out struct {
			Result struct {
				Tools []struct{ Name string } `json:"tools"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if got, want := len(out.Result.Tools), len(b.Enabled); got != want || want == 0 {
			t.Errorf("notify=%v: tools/list lists %d tools, %d are enabled", notify, got, want)
		}
		b.Close()
	}
}
