package tools

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// Config is everything a server is built from. main maps its flags onto it;
// the tests and the benchmarks set the few fields they care about, so all of
// them run the server Build assembles. Every field but Client has a working
// zero value.
type Config struct {
	// Client is the Open WebUI client (required).
	Client  *owui.Client
	Options Options
	// Version is the serverInfo version; "" means "dev".
	Version string
	// Allow lists the only tools to offer (--tools); nil offers every tool
	// the Options enable.
	Allow []string
	// Log receives the server's logs and audit lines; nil means slog.Default().
	Log *slog.Logger
	// Secrets are scrubbed from every result (the API key, the HTTP token).
	Secrets []string

	// TokenTTL is how long a confirm token stays valid; 0 means safety.DefaultTTL.
	TokenTTL time.Duration
	// Clock is the confirm tokens' clock; nil means time.Now.
	Clock func() time.Time
	// ConfirmKey, when set, is the master key replicas share (at least
	// safety.MinKeyLen bytes); nil means a fresh random key per process. A
	// shared key needs a shared Ledger, or a used token could be redeemed
	// again on another replica or after a restart.
	ConfirmKey []byte
	// Ledger remembers redeemed tokens across replicas; nil means in process.
	Ledger safety.Ledger

	// BackupDir is where backups are written; "" means safety.DefaultBackupDir().
	BackupDir string
	// MaxBackupBytes caps one backup file; 0 means safety.DefaultMaxBackupBytes.
	MaxBackupBytes int64
	// AuditPath is the file audit lines are appended to; "" means the log only.
	AuditPath string
	// Replica names this process in audit lines and backups; "" names none.
	Replica string
}

// ConfigError is a Config field Build cannot use. Field is the Go name, so
// that main can name the flag behind it in its own words.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "tools.Config." + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Built is an assembled server.
type Built struct {
	Server *server.MCPServer
	Deps   *Deps
	// Enabled are the tools the server offers, in table order.
	Enabled []Tool
}

// Close releases what Build opened (the audit file). The server must not
// be used afterwards.
func (b *Built) Close() error { return b.Deps.Audit.Close() }

// Build assembles the confirmation tokens, the backup store, the auditor and
// the MCP server from c: the one place a server is wired, for main, the
// tests and the benchmarks alike.
func Build(c Config) (*Built, error) {
	if c.Client == nil {
		return nil, &ConfigError{"Client", errors.New("is required")}
	}
	if c.MaxBackupBytes < 0 {
		return nil, &ConfigError{"MaxBackupBytes", fmt.Errorf("%d is negative (0 means the default, %d)", c.MaxBackupBytes, safety.DefaultMaxBackupBytes)}
	}
	tokens := safety.NewTokens(c.TokenTTL, c.Clock)
	if c.ConfirmKey != nil {
		if c.Ledger == nil {
			return nil, &ConfigError{"ConfirmKey", errors.New("a shared key needs a shared Ledger, or a used token could be redeemed again elsewhere")}
		}
		var err error
		if tokens, err = safety.NewTokensWithKey(c.TokenTTL, c.Clock, c.ConfirmKey); err != nil {
			return nil, &ConfigError{"ConfirmKey", err}
		}
	}
	if c.Ledger != nil {
		tokens.UseLedger(c.Ledger)
	}
	dir := c.BackupDir
	if dir == "" {
		dir = safety.DefaultBackupDir()
	}
	backups := safety.NewBackups(dir)
	backups.SetMaxBytes(c.MaxBackupBytes)
	auditor, err := safety.NewAuditor(c.Log, c.AuditPath)
	if err != nil {
		return nil, &ConfigError{"AuditPath", err}
	}
	if c.Replica != "" {
		auditor.SetReplica(c.Replica)
		backups.SetReplica(c.Replica)
	}
	version := c.Version
	if version == "" {
		version = "dev"
	}
	d := &Deps{
		Client:  c.Client,
		Options: c.Options,
		Tokens:  tokens,
		Backups: backups,
		Audit:   auditor,
		Log:     c.Log,
		Secrets: c.Secrets,
	}
	srv, enabled, err := newServer(d, version, c.Allow)
	if err != nil {
		auditor.Close()
		return nil, err
	}
	return &Built{Server: srv, Deps: d, Enabled: enabled}, nil
}
