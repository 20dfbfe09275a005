package safety

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Outcomes of an audited call. Every call of a mutating tool writes exactly
// one line, whatever became of it.
const (
	OutcomeOK        = "ok"        // the change ran
	OutcomeError     = "error"     // it failed: reading the preview, or upstream while running (then Backup is set)
	OutcomeRefused   = "refused"   // a confirmation was refused (bad, expired or misused token; flag off; no way to confirm)
	OutcomeSkipped   = "skipped"   // confirmed, but the backup could not be written, so nothing ran
	OutcomeInvalid   = "invalid"   // bad arguments; nothing was read or sent
	OutcomeDryRun    = "dry_run"   // dry_run=true: previewed only
	OutcomePreview   = "preview"   // a preview now awaits confirmation (a confirm_token or an elicitation went out)
	OutcomeNoop      = "noop"      // nothing to do (already in the requested state)
	OutcomeDeclined  = "declined"  // the user said no, or accepted without ticking the confirmation
	OutcomeCancelled = "cancelled" // the user dismissed the question, or did not answer within --elicit-timeout
	OutcomePartial   = "partial"   // a bulk call changed some targets and failed on others (Backup is set)
	OutcomeFailed    = "failed"    // a bulk call whose every attempted target failed (Backup is set)
)

// How an audited call was confirmed, or (for preview, declined, refused and
// cancelled lines) which confirmation was asked for or offered.
const (
	ConfirmToken       = "token"        // a confirm_token the agent sent back
	ConfirmElicitation = "elicitation"  // the user's own answer to an elicitation
	ConfirmNone        = "none"         // --confirm=none: ran without confirmation
	ConfirmNotRequired = "not_required" // this call needs no confirmation
)

// Entry is one audit line: one call of a mutating tool and its outcome.
// It never holds a secret; Error is written as given, so the caller scrubs it.
type Entry struct {
	Time           time.Time `json:"time"`
	Tool           string    `json:"tool"`
	Caller         string    `json:"caller"`
	Targets        []string  `json:"targets"`
	Outcome        string    `json:"outcome"`                // one of the Outcome constants
	Backup         string    `json:"backup,omitempty"`       // backup ID
	Confirmation   string    `json:"confirmation,omitempty"` // one of the Confirm constants; empty when no confirmation was involved (invalid, dry_run, error before the gate)
	UpstreamStatus int       `json:"upstream_status,omitempty"`
	Error          string    `json:"error,omitempty"`
	// Replica names the process that wrote the line when several serve
	// one deployment (--replica-id); set by the Auditor.
	Replica string `json:"replica,omitempty"`
}

// Auditor records entries through slog and, when given a path, as JSON
// lines appended to a file. It is safe for concurrent use, and a nil
// *Auditor records nothing.
type Auditor struct {
	logger  *slog.Logger
	path    string
	replica string

	mu     sync.Mutex
	file   *os.File
	closed bool
}

// NewAuditor returns an Auditor logging to logger (nil means slog.Default())
// and, when path is not empty, appending to path (created 0600 if missing).
func NewAuditor(logger *slog.Logger, path string) (*Auditor, error) {
	if logger == nil {
		logger = slog.Default()
	}
	a := &Auditor{logger: logger, path: path}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open audit log: %w", err)
		}
		a.file = f
	}
	return a, nil
}

// Record writes e to the file (first, so a misbehaving log handler cannot
// cost the durable line) and logs it at Info with msg "audit". A zero Time is
// set to now. Write failures are logged, never returned, and Record never
// panics: auditing must not break the call it records.
func (a *Auditor) Record(e Entry) {
	if a == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if e.Targets == nil {
		e.Targets = []string{} // "targets": [] rather than null
	}
	if e.Replica == "" {
		e.Replica = a.replica
	}
	if err := a.writeLine(e); err != nil {
		a.log(slog.LevelError, e.Time, "audit log write failed", slog.String("path", a.path), slog.String("err", err.Error()))
	}
	attrs := []slog.Attr{
		slog.String("tool", e.Tool),
		slog.String("caller", e.Caller),
		slog.Any("targets", e.Targets),
		slog.String("outcome", e.Outcome),
		slog.String("confirmation", e.Confirmation),
	}
	if e.Backup != "" {
		attrs = append(attrs, slog.String("backup", e.Backup))
	}
	if e.UpstreamStatus != 0 {
		attrs = append(attrs, slog.Int("upstream_status", e.UpstreamStatus))
	}
	if e.Error != "" {
		attrs = append(attrs, slog.String("error", e.Error))
	}
	if e.Replica != "" {
		attrs = append(attrs, slog.String("replica", e.Replica))
	}
	a.log(slog.LevelInfo, e.Time, "audit", attrs...)
}

// writeLine appends e as one JSON line with a single Write, so concurrent
// writers (O_APPEND) never interleave within a line.
func (a *Auditor) writeLine(e Entry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.path == "" {
		return nil
	}
	if a.closed {
		return errors.New("audit log is closed")
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = a.file.Write(append(line, '\n'))
	return err
}

// log hands a record stamped with the entry's time to the handler, so the
// slog line and the file line carry the same time. A panicking handler is
// contained.
func (a *Auditor) log(level slog.Level, t time.Time, msg string, attrs ...slog.Attr) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "owui-mcp: audit log handler panicked: %v\n", r)
		}
	}()
	ctx := context.Background()
	h := a.logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(t, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// SetReplica stamps every later entry with the replica id (before use).
func (a *Auditor) SetReplica(id string) {
	if a != nil {
		a.replica = id
	}
}

// Close closes the audit file. Later entries still go to slog; their file
// write is reported as an error there.
func (a *Auditor) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.file == nil {
		a.closed = true
		return nil
	}
	a.closed = true
	return a.file.Close()
}
