package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// Plan is what a mutating call would do, worked out from the current
// upstream state before anything is sent. D is what Plan works out for Run
// (e.g. the merged form); tools that need nothing use none.
type Plan[D any] struct {
	Preview schemas.Preview
	// State is the upstream state the preview was computed from; a
	// confirmation is refused when it changed since. Put the owui.Model
	// records the preview shows into it (a Model, []Model, or maps/slices
	// holding them): fingerprint binds them by content and version_id, not
	// by updated_at, whose one-second resolution misses quick edits.
	State any
	// Backup holds the full records the call changes or deletes.
	Backup  []owui.Model
	Targets []string
	// NoOp means there is nothing to do (e.g. toggle to the state it has).
	NoOp bool
	// target is fingerprint(State) when Plan already worked it out (see
	// boundState); hashing 500 full records twice costs milliseconds.
	target string
	// lean means Preview holds only its summary, counts and per-model
	// effects, not its text: a confirm_token's plan whose state was found
	// bound (see leanPreview), which runs without showing it. The gate
	// re-plans before it would show one.
	lean bool
	// quickNext, on a preview's plan, is the plan a confirm_token minted
	// for it may run when the export is unchanged (see quickPlans); quick
	// says this plan is that kept plan.
	quickNext *quickPlan
	quick     bool
	// Data carries what Plan worked out for Run (e.g. the merged form).
	Data D
}

// none is the Data of a plan whose Run needs nothing from it.
type none = struct{}

// planView is what the confirmation paths read of a plan, whatever its
// Data: the preview shown and the state a confirmation binds.
type planView struct {
	Preview schemas.Preview
	State   any
	target  string // fingerprint(State) if known
	quick   *quickPlan
}

func (p Plan[D]) view() planView {
	return planView{Preview: p.Preview, State: p.State, target: p.target, quick: p.quickNext}
}

// Gate declares a mutating tool: how to plan it, whether this call needs a
// confirmation, and how to run it once allowed.
type Gate[P Confirmable, D any] struct {
	// Needs says whether this call needs confirmation; nil means always.
	Needs func(d *Deps, p P) bool
	// Check refuses calls that the server flags forbid, before any upstream
	// read. Optional.
	Check func(d *Deps, p P) error
	Plan  func(ctx context.Context, d *Deps, p P) (Plan[D], error)
	// Run makes the change. An error of kind owui.KindVersionConflict means
	// Open WebUI refused the write because the record changed meanwhile:
	// the gate then shows a fresh preview instead of failing. A Run that
	// makes several writes and fails after some of them returns a
	// *PartialError, which is reported as a failure, never as a preview.
	Run func(ctx context.Context, d *Deps, p P, plan Plan[D]) (schemas.Outcome, error)
}

// Confirmable is implemented by every mutating tool's arguments.
type Confirmable interface {
	Confirmation() (dryRun bool, token string)
}

// PartialError is a Run failure after some writes were made.
type PartialError struct {
	Done int // writes that succeeded before the failure
	Err  error
	// Report, when set, is a bulk Run's full account (what changed, what
	// failed and why, what was not attempted): the gate returns it as an
	// error result naming the backup, rather than a bare error.
	Report *schemas.Outcome
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// elicitKey names our one input request across MRTR round trips.
const elicitKey = "confirm"

// maxAsks bounds how often one call asks the user again because the
// target kept changing under the question.
const maxAsks = 3

// DefaultElicitTimeout is how long a question to the user may stay
// unanswered when Options.ElicitTimeout is zero.
const DefaultElicitTimeout = 3 * time.Minute

// Gated declares a mutating tool. Every call writes exactly one audit line,
// whatever its outcome.
func Gated[P Confirmable, D any](spec Spec, g Gate[P, D]) Tool {
	t := Tool{Spec: spec, In: schemas.Input[P](), Out: schemas.Output[schemas.Outcome](), Gated: true}
	t.call = func(ctx context.Context, d *Deps, req mcp.CallToolRequest, args map[string]any) (res *mcp.CallToolResult, err error) {
		c := &gateCall[P, D]{d: d, t: t, g: g, req: req, args: args, callerID: caller.From(ctx).ID, rec: auditRec{targets: argTargets(args)}}
		defer func() {
			if r := recover(); r != nil {
				c.rec.set(safety.OutcomeError, c.rec.confirmation, fmt.Errorf("internal error: %v", r))
				d.record(ctx, t, c.rec)
				panic(r)
			}
			d.record(ctx, t, c.rec.final(res, err))
		}()
		p, err := decode[P](t, args)
		if err != nil {
			return nil, err
		}
		c.p = p
		if g.Check != nil {
			if err := g.Check(d, p); err != nil {
				c.rec.set(safety.OutcomeRefused, "", err)
				return nil, err
			}
		}
		return c.run(ctx)
	}
	return t
}

// gateCall is one call of a gated tool on its way through the gate.
type gateCall[P Confirmable, D any] struct {
	d    *Deps
	t    Tool
	g    Gate[P, D]
	p    P
	req  mcp.CallToolRequest
	args map[string]any
	// callerID is who the call is for; every confirmation is bound to it.
	callerID string
	rec      auditRec
	// staged is the backup of the plan kept for this call's token, written
	// while the plan is checked (see quickPlans); nil without one.
	staged *stagedBackup
}

// run decides how this call is confirmed. Only three things confirm a
// change: a confirm_token (token mode, or auto mode with a client that
// cannot elicit), the user's own answer to an elicitation (elicit mode, or
// auto mode with a client that can), or nothing (--confirm=none, or a call
// that needs no confirmation). Each secret works only for its own path.
func (c *gateCall[P, D]) run(ctx context.Context) (*mcp.CallToolResult, error) {
	d := c.d
	dry, token := c.p.Confirmation()
	answer := server.ElicitationResponse(c.req.Params.InputResponses, elicitKey)
	state := c.req.Params.RequestState
	canElicit := clientCanElicit(ctx)
	byHuman := d.Options.Confirm == ConfirmElicit || d.Options.Confirm == ConfirmAuto && canElicit

	defer func() { c.staged.discard() }()
	plan, err := c.plan(c.withQuick(c.withBinding(ctx, dry, token, state), dry || byHuman, token, answer != nil || state != ""))
	if err != nil {
		return nil, err
	}
	if dry {
		c.rec.set(safety.OutcomeDryRun, "", nil)
		return d.outcome(schemas.Outcome{Status: "dry_run", Message: "Dry run: nothing was changed. " + plan.Preview.Summary, Preview: &plan.Preview}), nil
	}
	if plan.NoOp {
		c.rec.set(safety.OutcomeNoop, "", nil)
		return d.outcome(schemas.Outcome{Status: "done", Message: "Nothing to do: " + plan.Preview.Summary}), nil
	}
	if c.g.Needs != nil && !c.g.Needs(d, c.p) {
		return c.execute(ctx, plan, safety.ConfirmNotRequired, nil)
	}
	if d.Options.Confirm == ConfirmNone {
		return c.execute(ctx, plan, safety.ConfirmNone, nil)
	}

	switch {
	case byHuman && token != "":
		why := "this MCP client can ask the user directly, so the server asks them and never accepts a confirm_token from it"
		if d.Options.Confirm == ConfirmElicit {
			why = "this server confirms dangerous calls only by asking the user (--confirm=elicit) and never accepts a confirm_token"
		}
		return c.refuse(notRunf("%s. Call it again without confirm_token; the user will be asked", why), safety.ConfirmToken)
	case !byHuman && (answer != nil || state != ""):
		return c.refuse(notRunf("an elicitation answer was sent, but this server did not ask this client (confirmation here is by confirm_token). Call it again without one for a preview"), safety.ConfirmElicitation)
	case byHuman && !canElicit:
		return c.refuse(notRunf("this server confirms dangerous calls only by asking the user (--confirm=elicit), and this MCP client does not support elicitation; nothing was changed. Use a client with elicitation, or restart the server with --confirm=auto"), "")
	case byHuman && !modernClient(ctx):
		return c.askLegacy(ctx, plan)
	case byHuman && answer != nil && state == "":
		return c.refuse(notRunf("an answer came without the requestState of the question it answers, so it answers nothing this server asked. Call it again without inputResponses; the user will be asked"), safety.ConfirmElicitation)
	case byHuman && answer != nil:
		return c.answered(ctx, plan, answer, state)
	case byHuman && state != "":
		return c.refuse(notRunf("a requestState came back without the user's answer. Call it again without one; the user will be asked"), safety.ConfirmElicitation)
	case byHuman:
		return c.askModern(ctx, plan.view(), "")
	case token != "":
		if err := d.Tokens.Redeem(token, c.claims(plan.view(), safety.KindConfirm)); err != nil {
			if safety.ReasonOf(err) == safety.ReasonTargetChanged {
				// plan was read by this call: it is the fresh preview,
				// in full.
				if plan.lean {
					if plan, err = c.plan(ctx); err != nil {
						return nil, err
					}
				}
				res, err := c.previewToken(plan.view(), "Not run: the target changed in Open WebUI since the preview. Here is a fresh preview; nothing was changed.", true)
				c.rec.err = "target changed since the preview"
				return res, err
			}
			return c.refuse(err, safety.ConfirmToken)
		}
		return c.execute(ctx, plan, safety.ConfirmToken, func(ctx context.Context) (*mcp.CallToolResult, error) {
			return c.freshToken(ctx, "Not run: Open WebUI refused the write because the model changed while it was being written (version conflict).")
		})
	}
	return c.previewToken(plan.view(), "Nothing was changed yet.", false)
}

func (c *gateCall[P, D]) plan(ctx context.Context) (Plan[D], error) {
	plan, err := c.g.Plan(ctx, c.d, c.p)
	if err == nil && plan.Targets != nil {
		c.rec.targets = plan.Targets
	}
	if err == nil && plan.Preview.People == nil {
		// Plans that write no grant into their own texts leave the naming
		// of people to here.
		plan.Preview.People = c.d.people(ctx, previewGrants(plan.Preview)...)
	}
	return plan, err
}

// withQuick lets a call that confirms by token use a kept plan: a preview
// that will mint one asks its Plan to build one, and a confirmation finds
// the one kept for its token and starts writing its backup.
func (c *gateCall[P, D]) withQuick(ctx context.Context, notByToken bool, token string, answered bool) context.Context {
	d := c.d
	if notByToken || answered || d.Options.Confirm == ConfirmNone || c.g.Needs != nil && !c.g.Needs(d, c.p) {
		return ctx
	}
	if token == "" {
		return context.WithValue(ctx, quickWantedKey{}, true)
	}
	q, ok := d.quick.take(token, c.baseClaims(safety.KindConfirm))
	if !ok {
		return ctx
	}
	if p, ok := q.plan.(Plan[D]); ok && len(p.Backup) > 0 {
		c.staged = stageBackup(d.Backups, c.backupOf(ctx, p))
	}
	return context.WithValue(ctx, quickKey{}, &q)
}

// boundKey carries into the Plan of a confirming call the test of whether
// a state is exactly the one its confirmation was issued for.
type boundKey struct{}

// withBinding gives the first Plan of a call that carries a confirm_token
// or a requestState that test (see boundState). Re-plans after a refusal do
// not get it: the state changed, so a shortcut cannot match.
func (c *gateCall[P, D]) withBinding(ctx context.Context, dry bool, token, state string) context.Context {
	secret, kind := token, safety.KindConfirm
	switch {
	case dry:
		return ctx
	case token == "" && state != "":
		secret, kind = state, safety.KindRequestState
	case token == "":
		return ctx
	}
	return context.WithValue(ctx, boundKey{}, binding{
		test: func(s any) (string, bool) {
			cl := c.claims(planView{State: s}, kind)
			return cl.Target, c.d.Tokens.Binds(secret, cl)
		},
		token: kind == safety.KindConfirm,
	})
}

type binding struct {
	test  func(state any) (target string, ok bool)
	token bool // a confirm_token's, not an elicitation's requestState
}

// boundState returns, inside the Plan of a confirming call, whether a state
// is the one the preview bound, and its fingerprint (nil elsewhere). A Plan may try a cheaper
// re-read with it and must do its full one when the answer is false. The
// gate still redeems the confirmation against the State Plan returns, so a
// shortcut can only ever run the exact state the human was shown.
func boundState(ctx context.Context) func(state any) (target string, ok bool) {
	b, _ := ctx.Value(boundKey{}).(binding)
	return b.test
}

// leanPreview says whether a Plan whose state boundState accepts may skip
// its preview's text (and set Plan.lean): only under a confirm_token, whose
// path shows a plan's preview only when the token does not bind it, and
// then the gate plans again. An elicitation's answer path shows the
// preview it declines or cancels, so it always gets the full one.
func leanPreview(ctx context.Context) bool {
	b, _ := ctx.Value(boundKey{}).(binding)
	return b.token
}

// claims binds a confirmation to this tool, arguments, caller and the
// content the preview showed.
func (c *gateCall[P, D]) claims(plan planView, kind safety.Kind) safety.Claims {
	if plan.target == "" {
		plan.target = fingerprint(plan.State)
	}
	cl := c.baseClaims(kind)
	cl.Target = plan.target
	return cl
}

// baseClaims is claims without the target.
func (c *gateCall[P, D]) baseClaims(kind safety.Kind) safety.Claims {
	return safety.Claims{
		Kind:   kind,
		Tool:   c.t.Name,
		Args:   safety.ArgsDigest(c.args, "confirm_token", "dry_run"),
		Caller: c.callerID,
	}
}

// previewToken mints a confirm_token for plan and asks the agent to show
// the preview. Only for calls that confirm by token.
func (c *gateCall[P, D]) previewToken(plan planView, lead string, isError bool) (*mcp.CallToolResult, error) {
	d := c.d
	claims := c.claims(plan, safety.KindConfirm)
	tok := d.Tokens.Mint(claims)
	if plan.quick != nil {
		d.quick.put(tok, quickEntry{quickPlan: *plan.quick, claims: claims, expires: time.Now().Add(d.Tokens.TTL())})
	}
	c.rec.set(safety.OutcomePreview, safety.ConfirmToken, nil)
	res := d.outcome(schemas.Outcome{
		Status:       "confirmation_required",
		Message:      lead + " Show this preview to the user; only if they approve, call " + c.t.Name + " again with the same arguments plus confirm_token.",
		Preview:      &plan.Preview,
		ConfirmToken: tok,
		ExpiresAt:    d.tokenExpiry(),
	})
	res.IsError = isError
	return res, nil
}

// freshToken re-plans after a target change and hands out a new preview
// and token (token confirmation only).
func (c *gateCall[P, D]) freshToken(ctx context.Context, lead string) (*mcp.CallToolResult, error) {
	plan, err := c.plan(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s the fresh preview failed: %w", lead, err)
	}
	res, err := c.previewToken(plan.view(), lead+" Here is a fresh preview; nothing was changed.", true)
	c.rec.err = "target changed since the preview"
	return res, err
}

// elicitParams is the question shown to the user.
func (c *gateCall[P, D]) elicitParams(plan planView, lead string) mcp.ElicitationParams {
	d := c.d
	if lead != "" {
		lead += "\n"
	}
	return mcp.ElicitationParams{
		Mode:    mcp.ElicitationModeForm,
		Message: d.scrub(d.sandboxNote() + lead + renderPreview(c.t.Name, plan.Preview)),
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Proceed?", "description": "Yes runs the change described above"},
			},
			"required": []string{"confirm"},
		},
	}
}

// askModern returns the question to a 2026-07-28 client (input_required).
// The requestState it carries binds the preview, lives only as long as the
// user may take to answer, and is refused anywhere but here.
func (c *gateCall[P, D]) askModern(_ context.Context, plan planView, lead string) (*mcp.CallToolResult, error) {
	state := c.d.Tokens.MintTTL(c.claims(plan, safety.KindRequestState), c.d.elicitTimeout())
	c.rec.set(safety.OutcomePreview, safety.ConfirmElicitation, nil)
	return server.NewInputRequestBuilder(state).Elicit(elicitKey, c.elicitParams(plan, lead)).ToolResult(), nil
}

// answered handles a 2026-07-28 client's retry carrying the user's answer.
func (c *gateCall[P, D]) answered(ctx context.Context, plan Plan[D], answer *mcp.ElicitationResult, state string) (*mcp.CallToolResult, error) {
	// Redeemed before the answer is read: a "no" uses the question up too,
	// so the same requestState cannot come back later carrying a "yes".
	err := c.d.Tokens.Redeem(state, c.claims(plan.view(), safety.KindRequestState))
	if res := c.notApproved(plan.view(), answer); res != nil {
		return res, nil
	}
	switch safety.ReasonOf(err) {
	case "":
	case safety.ReasonExpired:
		return c.cancelled(plan.view(), fmt.Sprintf("The answer came after the %s limit for answering (--elicit-timeout), so the call was cancelled: nothing was changed. Call %s again to be asked anew.", humanDuration(c.d.elicitTimeout()), c.t.Name)), nil
	case safety.ReasonTargetChanged:
		res, err := c.askModern(ctx, plan.view(), "The target changed in Open WebUI since you were asked; nothing was changed. This is the current state:")
		c.rec.err = "target changed since the preview; asked again"
		return res, err
	default:
		return c.refuse(err, safety.ConfirmElicitation)
	}
	return c.execute(ctx, plan, safety.ConfirmElicitation, func(ctx context.Context) (*mcp.CallToolResult, error) {
		fresh, err := c.plan(ctx)
		if err != nil {
			return nil, fmt.Errorf("Open WebUI refused the write because the model changed meanwhile (version conflict), and the fresh preview failed: %w", err)
		}
		res, err := c.askModern(ctx, fresh.view(), "Open WebUI refused the change because the model changed while it was being written; nothing was changed. This is the current state:")
		c.rec.err = "version conflict upstream; asked again"
		return res, err
	})
}

// askLegacy asks a client of an earlier protocol era (elicitation/create)
// and waits, at most --elicit-timeout, for the answer. The wait happens
// here rather than in mcp-go's bridge for input_required results, so that
// it is bounded and its end is reported and audited like any other
// outcome. No requestState exists on this path.
func (c *gateCall[P, D]) askLegacy(ctx context.Context, plan Plan[D]) (*mcp.CallToolResult, error) {
	lead := ""
	for ask := 1; ; ask++ {
		answer, err := c.elicitNow(ctx, c.elicitParams(plan.view(), lead))
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return c.cancelled(plan.view(), fmt.Sprintf("Nobody answered the confirmation within %s (--elicit-timeout), so the call was cancelled: nothing was changed. Call %s again to ask anew.", humanDuration(c.d.elicitTimeout()), c.t.Name)), nil
		}
		if err != nil {
			c.rec.confirmation = safety.ConfirmElicitation
			return nil, fmt.Errorf("asking the user failed, so nothing was changed: %w", err)
		}
		if res := c.notApproved(plan.view(), answer); res != nil {
			return res, nil
		}
		// Time passed while the user read the preview: what runs must be
		// what they saw.
		fresh, err := c.plan(ctx)
		if err != nil {
			c.rec.confirmation = safety.ConfirmElicitation
			return nil, err
		}
		changed := fingerprint(fresh.State) != fingerprint(plan.State)
		if !changed {
			if fresh.NoOp {
				c.rec.set(safety.OutcomeNoop, safety.ConfirmElicitation, nil)
				return c.d.outcome(schemas.Outcome{Status: "done", Message: "Nothing to do: " + fresh.Preview.Summary}), nil
			}
			conflict := false
			res, err := c.execute(ctx, fresh, safety.ConfirmElicitation, func(context.Context) (*mcp.CallToolResult, error) {
				conflict = true
				return nil, nil
			})
			if !conflict {
				return res, err
			}
			lead = "Open WebUI refused the change because the model changed while it was being written; nothing was changed. This is the current state:"
			if fresh, err = c.plan(ctx); err != nil {
				return nil, err
			}
		} else {
			lead = "The target changed in Open WebUI since you were asked; nothing was changed. This is the current state:"
		}
		plan = fresh
		if ask == maxAsks {
			c.rec.set(safety.OutcomeRefused, safety.ConfirmElicitation, errors.New("target kept changing"))
			return nil, notRunf("the target changed in Open WebUI each of the %d times the user was asked. Nothing was changed; try again once it is no longer being edited", maxAsks)
		}
	}
}

// elicitNow sends elicitation/create and waits at most the elicit timeout.
func (c *gateCall[P, D]) elicitNow(ctx context.Context, params mcp.ElicitationParams) (*mcp.ElicitationResult, error) {
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil, errors.New("no MCP server in the request context")
	}
	tctx, cancel := context.WithTimeout(ctx, c.d.elicitTimeout())
	defer cancel()
	res, err := srv.RequestElicitation(tctx, mcp.ElicitationRequest{
		Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)},
		Params:  params,
	})
	if err == nil && res == nil {
		err = errors.New("the client returned no answer")
	}
	if err != nil && tctx.Err() != nil && ctx.Err() == nil {
		return nil, context.DeadlineExceeded
	}
	return res, err
}

// notApproved returns the result for every answer that is not a clear yes.
func (c *gateCall[P, D]) notApproved(plan planView, a *mcp.ElicitationResult) *mcp.CallToolResult {
	var status, outcome, msg string
	switch {
	case a.Action == mcp.ElicitationResponseActionCancel:
		status, outcome, msg = "cancelled", safety.OutcomeCancelled, "The user cancelled the confirmation (dismissed it without answering): nothing was changed."
	case a.Action != mcp.ElicitationResponseActionAccept:
		status, outcome, msg = "declined", safety.OutcomeDeclined, "The user declined the confirmation: nothing was changed."
	default:
		yes, answered := approval(a.Content)
		switch {
		case yes:
			return nil
		case answered:
			status, outcome, msg = "declined", safety.OutcomeDeclined, "The user answered no to the confirmation: nothing was changed."
		default:
			status, outcome, msg = "declined", safety.OutcomeDeclined, "The user accepted the dialog but did not tick or answer the confirmation, so it counts as no: nothing was changed."
		}
	}
	c.rec.set(outcome, safety.ConfirmElicitation, nil)
	return c.d.outcome(schemas.Outcome{Status: status, Message: msg, Preview: &plan.Preview})
}

func (c *gateCall[P, D]) cancelled(plan planView, msg string) *mcp.CallToolResult {
	c.rec.set(safety.OutcomeCancelled, safety.ConfirmElicitation, errors.New("no answer within the elicitation timeout"))
	return c.d.outcome(schemas.Outcome{Status: "cancelled", Message: msg, Preview: &plan.Preview})
}

// refuse records a refused confirmation and returns it as a tool error.
func (c *gateCall[P, D]) refuse(err error, confirmation string) (*mcp.CallToolResult, error) {
	c.rec.set(safety.OutcomeRefused, confirmation, err)
	return nil, err
}

// execute backs up what the call will change, runs it and records it.
// onConflict, when set, answers a version conflict from upstream (the
// record changed between the preview and the write): nothing ran.
func (c *gateCall[P, D]) execute(ctx context.Context, plan Plan[D], mode string, onConflict func(context.Context) (*mcp.CallToolResult, error)) (*mcp.CallToolResult, error) {
	d := c.d
	backupID := ""
	if len(plan.Backup) > 0 {
		var info safety.BackupInfo
		var err error
		staged := false
		if plan.quick && c.staged != nil {
			info, err, staged = c.staged.publish()
		}
		if !staged {
			info, err = d.Backups.Write(c.backupOf(ctx, plan))
		}
		if err != nil {
			c.rec.set(safety.OutcomeSkipped, mode, err)
			return nil, fmt.Errorf("could not write the backup, so nothing was changed: %v. Fix --backup-dir (%s) and call again", err, d.Backups.Dir())
		}
		backupID = info.ID
	}
	c.rec.backup = backupID
	out, err := c.g.Run(ctx, d, c.p, plan)
	var partial *PartialError
	if err != nil && onConflict != nil && owui.IsKind(err, owui.KindVersionConflict) && !errors.As(err, &partial) {
		c.rec.set(safety.OutcomePreview, mode, err)
		return onConflict(ctx)
	}
	if errors.As(err, &partial) && partial.Report != nil {
		// Never a bare error that hides what was done, never a "done" that
		// hides what failed.
		outcome := safety.OutcomePartial
		if partial.Done == 0 {
			outcome = safety.OutcomeFailed
		}
		c.rec.set(outcome, mode, err)
		rep := *partial.Report
		rep.Backup = backupID
		if backupID != "" {
			rep.Message = strings.TrimSpace(rep.Message + " To undo, call restore_models with backup " + backupID + ": it holds every targeted record as it was before this call.")
		}
		res := d.outcome(rep)
		res.IsError = true
		return res, nil
	}
	if err != nil {
		c.rec.set(safety.OutcomeError, mode, err)
		return nil, err
	}
	c.rec.set(safety.OutcomeOK, mode, nil)
	out.Status = "done"
	out.Backup = backupID
	if backupID != "" {
		out.Message = strings.TrimSpace(out.Message + " Backup " + backupID + " holds the previous records (" + d.undoHint() + ").")
	}
	return d.outcome(out), nil
}

// backupOf is the backup of what plan changes or deletes.
func (c *gateCall[P, D]) backupOf(ctx context.Context, plan Plan[D]) safety.Backup {
	return safety.Backup{
		Tool:      c.t.Name,
		Caller:    caller.From(ctx).ID,
		Upstream:  c.d.Client.BaseURL(),
		Operation: plan.Preview.Summary,
		Models:    plan.Backup,
		Deleted:   effectIDs(plan.Preview, "delete"),
		Changed:   effectIDs(plan.Preview, "update", "overwrite"),
	}
}

// tokenExpiry is when a token minted now expires, for the agent to read.
func (d *Deps) tokenExpiry() string {
	return time.Now().Add(d.Tokens.TTL()).UTC().Format(time.RFC3339)
}

func (d *Deps) elicitTimeout() time.Duration {
	if d.Options.ElicitTimeout > 0 {
		return d.Options.ElicitTimeout
	}
	return DefaultElicitTimeout
}

func effectIDs(p schemas.Preview, effects ...string) []string {
	var ids []string
	for _, m := range p.Models {
		for _, e := range effects {
			if m.Effect == e {
				ids = append(ids, m.ID)
			}
		}
	}
	return ids
}

// auditRec is the one audit line a gated call writes, filled in on the way.
type auditRec struct {
	outcome      string
	confirmation string
	backup       string
	targets      []string
	err          string
	status       int
	cause        error
}

func (r *auditRec) set(outcome, confirmation string, err error) {
	r.outcome, r.confirmation = outcome, confirmation
	r.cause = err
	r.err = ""
	if err != nil {
		r.err = err.Error()
	}
}

// final fills what the call's paths left open from its result: a call that
// returned an error without saying more failed (bad arguments are invalid).
func (r auditRec) final(res *mcp.CallToolResult, err error) auditRec {
	if r.outcome == "" {
		var ae *ArgError
		switch {
		case errors.As(err, &ae):
			r.set(safety.OutcomeInvalid, "", err)
		case err != nil:
			r.set(safety.OutcomeError, r.confirmation, err)
		case res != nil && res.IsError:
			r.set(safety.OutcomeError, r.confirmation, errors.New(textOf(res)))
		default:
			r.set(safety.OutcomeError, r.confirmation, errors.New("no outcome recorded"))
		}
	} else if err != nil && r.cause == nil {
		r.err = err.Error()
		r.cause = err
	}
	var oe *owui.Error
	if errors.As(r.cause, &oe) {
		r.status = oe.Status
	}
	return r
}

func (d *Deps) record(ctx context.Context, t Tool, r auditRec) {
	if d.Audit == nil {
		return
	}
	d.Audit.Record(safety.Entry{
		Time:           time.Now().UTC(),
		Tool:           t.Name,
		Caller:         caller.From(ctx).ID,
		Targets:        r.targets,
		Outcome:        r.outcome,
		Backup:         r.backup,
		Confirmation:   r.confirmation,
		UpstreamStatus: r.status,
		Error:          d.scrub(r.err),
	})
}

// argTargets names the records a call is about from its arguments, for the
// audit line of a call that fails before its plan names them.
func argTargets(args map[string]any) []string {
	var out []string
	for _, k := range []string{"id", "model"} {
		if s, ok := args[k].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	if ids, ok := args["ids"].([]any); ok {
		for _, v := range ids {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func textOf(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func (d *Deps) outcome(o schemas.Outcome) *mcp.CallToolResult {
	if o.ExpiresAt != "" {
		o.Message += " The token expires at " + o.ExpiresAt + "."
	}
	text := o.Message
	if o.Preview != nil && o.Status != "done" {
		text += "\n" + renderPreview("", *o.Preview)
	}
	if o.ConfirmToken != "" {
		text += "\nconfirm_token: " + o.ConfirmToken
	}
	if r := o.Result; r != nil {
		if r.Model != nil {
			text += "\n" + compactJSON(r.Model)
		}
		if len(r.Models) > 0 {
			text += "\n" + compactJSON(r.Models)
		}
		if len(r.Deleted) > 0 {
			text += "\ndeleted: " + untrustedList(r.Deleted)
		}
		if len(r.Failed) > 0 {
			parts := make([]string, len(r.Failed))
			for i, f := range r.Failed {
				parts[i] = lit(f.ID) + ": " + f.Error
			}
			text += "\nfailed: " + strings.Join(parts, "; ")
		}
		if len(r.NotAttempted) > 0 {
			text += "\nnot attempted: " + litList(r.NotAttempted)
		}
		if r.Provider != nil {
			text += "\nprovider: " + compactJSON(r.Provider)
		}
	}
	return structured(o, text, nil, d)
}

func (d *Deps) sandboxNote() string {
	if d.Options.Sandbox {
		return "[SANDBOX: --demo in-memory stand-in, not a real Open WebUI] "
	}
	return ""
}

// approval reads our elicitation form: yes is an explicit true; answered
// is false when the confirm field is missing or not a boolean (a client
// that accepts the dialog without the form filled in).
func approval(content any) (yes, answered bool) {
	m, ok := content.(map[string]any)
	if !ok {
		return false, false
	}
	b, ok := m["confirm"].(bool)
	return ok && b, ok
}

// modernClient reports whether this request speaks 2026-07-28 or later,
// where an elicitation is an input_required result and a retry (the same
// test mcp-go makes before bridging input_required for older clients).
func modernClient(ctx context.Context) bool {
	return mcp.IsModernProtocol(server.RequestProtocolVersion(ctx))
}

// clientCanElicit checks the client's declared capability ourselves:
// mcp-go would send the request anyway and the call would hang.
func clientCanElicit(ctx context.Context) bool {
	if i := server.RequestProtocolInfoFromContext(ctx); i != nil && i.Modern {
		return i.ClientCapabilities != nil && i.ClientCapabilities.Elicitation != nil
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return s.GetClientCapabilities().Elicitation != nil
	}
	return false
}
