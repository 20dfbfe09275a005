package tools

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/redact"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// ConfirmMode is how dangerous calls are confirmed (--confirm).
type ConfirmMode string

const (
	ConfirmAuto   ConfirmMode = "auto"   // ask the human through elicitation when the client can, else a confirm_token round trip
	ConfirmToken  ConfirmMode = "token"  // always the confirm_token round trip
	ConfirmElicit ConfirmMode = "elicit" // only elicitation; refuse when the client cannot
	ConfirmNone   ConfirmMode = "none"   // no confirmation (trusted scripts); backups and audit still happen
)

// Options are the server flags the tools depend on.
type Options struct {
	ReadOnly           bool
	AllowAccessChanges bool
	AllowAdmin         bool
	Confirm            ConfirmMode
	// ElicitTimeout bounds how long a question to the user may stay
	// unanswered (--elicit-timeout); zero means DefaultElicitTimeout.
	ElicitTimeout time.Duration
	// Sandbox marks --demo: results say plainly that nothing is real.
	Sandbox bool
	// MaxBulk is the most models one bulk call may select (--max-bulk);
	// 0 means 500.
	MaxBulk int
	// BulkConcurrency is how many upstream calls a bulk call makes at once
	// (--bulk-concurrency); 0 means 4.
	BulkConcurrency int
}

func (o Options) maxBulk() int {
	if o.MaxBulk > 0 {
		return o.MaxBulk
	}
	return 500
}

func (o Options) bulkConcurrency() int {
	if o.BulkConcurrency > 0 {
		return o.BulkConcurrency
	}
	return 4
}

// Deps is what every handler receives. One per server process.
type Deps struct {
	Client  *owui.Client
	Options Options
	Tokens  *safety.Tokens
	Backups *safety.Backups
	Audit   *safety.Auditor
	Log     *slog.Logger
	// Secrets are removed from every result the server returns (text and
	// structured), in every spelling package redact knows.
	Secrets []string
	// Offered names the tools this server lists (set by Build); texts
	// point to a tool only when it is offered, else to the flag that
	// turns it on.
	Offered map[string]bool

	redactOnce sync.Once
	redactor   *redact.Set
	// quick keeps the plans of recent token previews (see quickPlans).
	quick quickPlans
}

// secrets is the redaction set of a call: the configured secrets plus the
// caller's own upstream token (--auth=openwebui).
func (d *Deps) secrets(ctx context.Context) *redact.Set {
	d.redactOnce.Do(func() { d.redactor = redact.New(d.Secrets...) })
	return d.redactor.With(caller.From(ctx).UpstreamToken)
}
