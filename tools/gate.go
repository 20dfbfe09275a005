package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/caller"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/safety"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// Plan is what a mutating call would do, worked out from the current
// upstream state before anything is sent.
type Plan struct {
	Preview schemas.Preview
	// State is the upstream state the preview was computed from; a
	// confirmation is refused when it changed since.
	State any
	// Backup holds the full records the call changes or deletes.
	Backup  []owui.Model
	Targets []string
	// NoOp means there is nothing to do (e.g. toggle to the state it has).
	NoOp bool
	// Data carries what Plan worked out for Run (e.g. the merged form).
	Data any
}

// Gate declares a mutating tool: how to plan it, whether this call needs a
// confirmation, and how to run it once allowed.
type Gate[P Confirmable] struct {
	// Needs says whether this call needs confirmation; nil means always.
	Needs func(d *Deps, p P) bool
	// Check refuses calls that the server flags forbid, before any upstream
	// read. Optional.
	Check func(d *Deps, p P) error
	Plan  func(ctx context.Context, d *Deps, p P) (Plan, error)
	Run   func(ctx context.Context, d *Deps, p P, plan Plan) (schemas.Outcome, error)
}

// Confirmable is implemented by every mutating tool's arguments.
type Confirmable interface {
	Confirmation() (dryRun bool, token string)
}

// elicitKey names our one input request across MRTR round trips.
const elicitKey = "confirm"

// Gated declares a mutating tool.
func Gated[P Confirmable](spec Spec, g Gate[P]) Tool {
	t := Tool{Spec: spec, In: schemas.Input[P](), Out: schemas.Output[schemas.Outcome](), Gated: true}
	t.call = func(ctx context.Context, d *Deps, req mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		p, err := decode[P](t, args)
		if err != nil {
			return nil, err
		}
		if g.Check != nil {
			if err := g.Check(d, p); err != nil {
				return nil, err
			}
		}
		return runGated(ctx, d, t, g, p, req, args)
	}
	return t
}

func runGated[P Confirmable](ctx context.Context, d *Deps, t Tool, g Gate[P], p P, req mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
	dry, token := p.Confirmation()
	answer := server.ElicitationResponse(req.Params.InputResponses, elicitKey)
	needs := g.Needs == nil || g.Needs(d, p)

	plan, err := g.Plan(ctx, d, p)
	if err != nil {
		return nil, err
	}
	if dry {
		return d.outcome(schemas.Outcome{Status: "dry_run", Message: "Dry run: nothing was changed. " + plan.Preview.Summary, Preview: &plan.Preview}), nil
	}
	if plan.NoOp {
		return d.outcome(schemas.Outcome{Status: "done", Message: "Nothing to do: " + plan.Preview.Summary}), nil
	}
	if !needs {
		return execute(ctx, d, t, g, p, plan, "not_required")
	}
	if d.Options.Confirm == ConfirmNone {
		return execute(ctx, d, t, g, p, plan, "none")
	}

	claims := safety.Claims{
		Tool:   t.Name,
		Args:   safety.ArgsDigest(args, "confirm_token", "dry_run"),
		Caller: caller.From(ctx).ID,
		Target: safety.Fingerprint(plan.State),
	}

	switch {
	case answer != nil:
		if answer.Action != mcp.ElicitationResponseActionAccept || !approved(answer.Content) {
			d.audit(ctx, t, plan, "refused", "", "elicitation", nil)
			verb := "declined"
			if answer.Action == mcp.ElicitationResponseActionCancel {
				verb = "cancelled"
			}
			return d.outcome(schemas.Outcome{Status: "declined", Message: fmt.Sprintf("The user %s the confirmation: nothing was changed.", verb), Preview: &plan.Preview}), nil
		}
		if err := d.Tokens.Redeem(req.Params.RequestState, claims); err != nil {
			return d.refused(ctx, t, plan, claims, err, "elicitation")
		}
		return execute(ctx, d, t, g, p, plan, "elicitation")
	case token != "":
		if err := d.Tokens.Redeem(token, claims); err != nil {
			return d.refused(ctx, t, plan, claims, err, "token")
		}
		return execute(ctx, d, t, g, p, plan, "token")
	}

	canElicit := clientCanElicit(ctx)
	switch {
	case canElicit && (d.Options.Confirm == ConfirmAuto || d.Options.Confirm == ConfirmElicit):
		state := d.Tokens.Mint(claims)
		return server.NewInputRequestBuilder(state).Elicit(elicitKey, mcp.ElicitationParams{
			Mode:    mcp.ElicitationModeForm,
			Message: d.scrub(d.sandboxNote() + renderPreview(t.Name, plan.Preview)),
			RequestedSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"confirm": map[string]any{"type": "boolean", "title": "Proceed?", "description": "Yes runs the change described above"},
				},
				"required": []string{"confirm"},
			},
		}).ToolResult(), nil
	case d.Options.Confirm == ConfirmElicit:
		return nil, fmt.Errorf("this server confirms dangerous calls only by asking the user (--confirm=elicit), and this MCP client does not support elicitation; nothing was changed. Use a client with elicitation, or restart the server with --confirm=auto")
	}
	tok := d.Tokens.Mint(claims)
	return d.outcome(schemas.Outcome{
		Status:       "confirmation_required",
		Message:      "Nothing was changed yet. Show this preview to the user; only if they approve, call " + t.Name + " again with the same arguments plus confirm_token.",
		Preview:      &plan.Preview,
		ConfirmToken: tok,
		ExpiresAt:    d.tokenExpiry(),
	}), nil
}

// tokenExpiry is when a token minted now expires, for the agent to read.
func (d *Deps) tokenExpiry() string {
	return time.Now().Add(d.Tokens.TTL()).UTC().Format(time.RFC3339)
}

// refused turns a failed token check into a tool error. A target that
// changed since the preview gets a fresh preview and token.
func (d *Deps) refused(ctx context.Context, t Tool, plan Plan, claims safety.Claims, err error, mode string) (*mcp.CallToolResult, error) {
	d.audit(ctx, t, plan, "refused", "", mode, err)
	var ref *safety.Refusal
	if errors.As(err, &ref) && ref.Reason == safety.ReasonTargetChanged {
		tok := d.Tokens.Mint(claims)
		out := schemas.Outcome{
			Status:       "confirmation_required",
			Message:      "Not run: the target changed since the preview. Here is a fresh preview; show it to the user and confirm again with the new confirm_token.",
			Preview:      &plan.Preview,
			ConfirmToken: tok,
			ExpiresAt:    d.tokenExpiry(),
		}
		res := d.outcome(out)
		res.IsError = true
		return res, nil
	}
	return nil, err
}

// execute backs up what the call will change, runs it and records it.
func execute[P Confirmable](ctx context.Context, d *Deps, t Tool, g Gate[P], p P, plan Plan, mode string) (*mcp.CallToolResult, error) {
	backupID := ""
	if len(plan.Backup) > 0 {
		info, err := d.Backups.Write(safety.Backup{
			Tool:      t.Name,
			Caller:    caller.From(ctx).ID,
			Upstream:  d.Client.BaseURL(),
			Operation: plan.Preview.Summary,
			Models:    plan.Backup,
			Deleted:   effectIDs(plan.Preview, "delete"),
			Changed:   effectIDs(plan.Preview, "update", "overwrite"),
		})
		if err != nil {
			d.audit(ctx, t, plan, "skipped", "", mode, err)
			return nil, fmt.Errorf("could not write the backup, so nothing was changed: %v. Fix --backup-dir (%s) and call again", err, d.Backups.Dir())
		}
		backupID = info.ID
	}
	out, err := g.Run(ctx, d, p, plan)
	if err != nil {
		d.audit(ctx, t, plan, "error", backupID, mode, err)
		return nil, err
	}
	d.audit(ctx, t, plan, "ok", backupID, mode, nil)
	out.Status = "done"
	out.Backup = backupID
	if backupID != "" {
		out.Message = strings.TrimSpace(out.Message + " Backup " + backupID + " holds the previous records (restore_models can put them back).")
	}
	return d.outcome(out), nil
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

func (d *Deps) audit(ctx context.Context, t Tool, plan Plan, outcome, backup, mode string, err error) {
	if d.Audit == nil {
		return
	}
	e := safety.Entry{
		Time:         time.Now().UTC(),
		Tool:         t.Name,
		Caller:       caller.From(ctx).ID,
		Targets:      plan.Targets,
		Outcome:      outcome,
		Backup:       backup,
		Confirmation: mode,
	}
	if err != nil {
		e.Error = d.scrub(err.Error())
		var oe *owui.Error
		if errors.As(err, &oe) {
			e.UpstreamStatus = oe.Status
		}
	}
	d.Audit.Record(e)
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
			text += "\ndeleted: " + strings.Join(r.Deleted, ", ")
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

// approved reads the yes/no of our elicitation form.
func approved(content any) bool {
	m, ok := content.(map[string]any)
	if !ok {
		return false
	}
	b, ok := m["confirm"].(bool)
	return ok && b
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
