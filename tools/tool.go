// Package tools declares every MCP tool of the server, one small declaration
// each, and the one wrapper that all of them share: argument decoding and
// validation, the confirmation flow for dangerous calls, error mapping,
// panic recovery and structured results.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/redact"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// Class is what a tool may do; server flags switch classes on and off.
type Class string

const (
	ClassRead   Class = "read"   // reads only
	ClassWrite  Class = "write"  // creates, edits, toggles, deletes single models
	ClassAccess Class = "access" // changes who may use a model (--allow-access-changes)
	ClassAdmin  Class = "admin"  // bulk and instance-wide operations (--allow-admin)
)

// Spec is everything about a tool that agents see, besides its schemas.
// Every hint is set explicitly on every tool.
type Spec struct {
	Name        string
	Title       string
	Description string
	Class       Class
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   bool
}

// Tool is one entry of the inventory.
type Tool struct {
	Spec
	In  schemas.Schema
	Out schemas.Schema
	// Gated tools may need a confirmation; see gate.go.
	Gated bool
	call  func(ctx context.Context, d *Deps, req mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error)
}

// MCP returns the protocol description of the tool with every argument,
// whatever the flags (the whole surface, as the snapshot keeps it).
func (t Tool) MCP() mcp.Tool {
	return t.mcpFor(func(Class) bool { return true })
}

// mcpFor is the tool as a server whose flags switch classes on (on) lists
// it: arguments that need a class that is off (schemas.NeedsClass) are left
// out of the advertised schema, so no client pays tokens for an argument
// that would only be refused. A call that passes one anyway is still
// validated against the full schema and refused with the flag to set.
func (t Tool) mcpFor(on func(Class) bool) mcp.Tool {
	in := t.In.Raw
	if bytes.Contains(in, []byte(schemas.NeedsClass)) { // most schemas have nothing to leave out
		isClassKey := func(k string, _ json.RawMessage) bool { return k == schemas.NeedsClass }
		classOff := func(v json.RawMessage) bool {
			var p map[string]json.RawMessage
			if json.Unmarshal(v, &p) != nil || p[schemas.NeedsClass] == nil {
				return false
			}
			var c Class
			return json.Unmarshal(p[schemas.NeedsClass], &c) == nil && !on(c)
		}
		// On error (the schema was checked at start-up) it is published as reflected.
		if r, err := rewriteSchema(in, isClassKey, classOff); err == nil {
			in = r
		}
	}
	mt := mcp.NewToolWithRawSchema(t.Name, t.Description, in)
	mt.Title = t.Title
	mt.RawOutputSchema = t.Out.Raw
	mt.Annotations = mcp.ToolAnnotation{
		ReadOnlyHint:    mcp.ToBoolPtr(t.ReadOnly),
		DestructiveHint: mcp.ToBoolPtr(t.Destructive),
		IdempotentHint:  mcp.ToBoolPtr(t.Idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(t.OpenWorld),
	}
	return mt
}

// Reply is a handler's result: the structured value, optional extra content
// (an image), and optional text replacing the default rendering.
type Reply[R any] struct {
	Value R
	Extra []mcp.Content
	Text  string
}

// Handler is the typed handler of a plain (never gated) tool.
type Handler[P, R any] func(ctx context.Context, d *Deps, p P) (R, error)

// Simple declares a tool whose handler returns its result directly.
func Simple[P, R any](spec Spec, h Handler[P, R]) Tool {
	return withReply(spec, func(ctx context.Context, d *Deps, p P) (Reply[R], error) {
		v, err := h(ctx, d, p)
		return Reply[R]{Value: v}, err
	})
}

func withReply[P, R any](spec Spec, h func(ctx context.Context, d *Deps, p P) (Reply[R], error)) Tool {
	t := Tool{Spec: spec, In: schemas.Input[P](), Out: schemas.Output[R]()}
	t.call = func(ctx context.Context, d *Deps, _ mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		p, err := decode[P](t, args)
		if err != nil {
			return nil, err
		}
		r, err := h(ctx, d, p)
		if err != nil {
			return nil, err
		}
		return structured(r.Value, r.Text, r.Extra, d), nil
	}
	return t
}

// ArgError is a problem with the arguments; it names the tool and every bad
// argument.
type ArgError struct {
	Tool     string
	Problems []string
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("invalid arguments for %s: %s. Fix them and call again.", e.Tool, strings.Join(e.Problems, "; "))
}

// decode validates args against the tool's schema (repairing obvious type
// slips) and unmarshals them into P.
func decode[P any](t Tool, args map[string]any) (P, error) {
	var p P
	if args == nil {
		args = map[string]any{}
	}
	fixed, problems := conform(t.In.Parsed(), args)
	if len(problems) > 0 {
		return p, &ArgError{Tool: t.Name, Problems: problems}
	}
	b, err := json.Marshal(fixed)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&p)
	}
	if err != nil {
		return p, &ArgError{Tool: t.Name, Problems: []string{err.Error()}}
	}
	return p, nil
}

// Texter lets a result render its own short text.
type Texter interface{ Text() string }

// structured builds a successful result: structuredContent plus a text
// rendering for clients that show only text.
//
// v is marshalled once, here: structuredContent carries those bytes
// (json.RawMessage), which the text copy reuses when there is no shorter
// text, and redactResult searches them for secrets without a second
// marshal; mcp-go writes them as they are.
func structured(v any, text string, extra []mcp.Content, d *Deps) *mcp.CallToolResult {
	b, err := json.Marshal(v)
	if text == "" {
		if tx, ok := v.(Texter); ok {
			text = tx.Text()
		} else {
			text = string(b)
		}
	}
	text = d.scrub(d.sandboxNote() + escapeNonPrint(text))
	var sc any = v
	if err == nil {
		sc = json.RawMessage(b)
	}
	res := mcp.NewToolResultStructured(sc, text)
	res.Content = append(res.Content, extra...)
	return res
}

// Handler wraps t for registration: panics and errors become isError
// results (a Go error would be a protocol error the agent cannot act on),
// and no secret survives into any text.
func (t Tool) Handler(d *Deps) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if r := recover(); r != nil {
				d.logger().Error("tool panicked", "tool", t.Name, "panic", d.scrub(fmt.Sprint(r)), "stack", d.scrub(string(debug.Stack())))
				res, err = mcp.NewToolResultError(fmt.Sprintf("%s failed with an internal error (a bug in owui-mcp; it was logged). Nothing more was sent upstream after the failure; read the model back before retrying.", t.Name)), nil
			}
		}()
		res, err = t.call(ctx, d, req, req.GetArguments())
		if err != nil {
			res = d.errorResult(t, err)
		}
		// The chat profile answers in text alone (caller.ProfileChat).
		if caller.ProfileFrom(ctx) == caller.ProfileChat {
			res.StructuredContent = nil
		}
		redactResult(d.secrets(ctx), res)
		return res, nil
	}
}

// notRun is a call the gate refused before anything happened, shown to the
// agent as "<tool> was not run: <why>" (not as a failure of the tool).
type notRun struct{ why string }

func (e *notRun) Error() string { return e.why }

func notRunf(format string, args ...any) error {
	return &notRun{why: fmt.Sprintf(format, args...)}
}

// errorResult renders err for the agent: what failed, and what to do next.
func (d *Deps) errorResult(t Tool, err error) *mcp.CallToolResult {
	var msg string
	var oe *owui.Error
	var ref *safety.Refusal
	var ae *ArgError
	var nr *notRun
	switch {
	case errors.As(err, &ae):
		msg = ae.Error()
	case errors.As(err, &nr):
		msg = fmt.Sprintf("%s was not run: %s", t.Name, nr.why)
	case errors.As(err, &ref):
		msg = fmt.Sprintf("%s was not run: %s", t.Name, ref.Msg)
	case errors.As(err, &oe):
		msg = fmt.Sprintf("%s failed: %s. %s", t.Name, strings.TrimRight(oe.Error(), "."), advice(oe.Kind))
	default:
		msg = fmt.Sprintf("%s failed: %v", t.Name, err)
	}
	if d.Options.Sandbox {
		msg += " [sandbox]"
	}
	return mcp.NewToolResultError(d.scrub(escapeNonPrint(msg)))
}

// scrub removes every configured secret from s (for texts made outside a
// call's result: log lines, audit lines).
func (d *Deps) scrub(s string) string {
	return d.secrets(context.Background()).String(s)
}

// redactResult cuts every secret out of a result, in place: every text,
// the structured content, and the message of an elicitation request. It is
// applied to every result of every tool, whatever produced it.
func redactResult(sec *redact.Set, res *mcp.CallToolResult) {
	if sec.Empty() || res == nil {
		return
	}
	for i, c := range res.Content {
		switch x := c.(type) {
		case mcp.TextContent:
			x.Text = sec.String(x.Text)
			res.Content[i] = x
		case *mcp.TextContent:
			x.Text = sec.String(x.Text)
		}
	}
	if raw, ok := res.StructuredContent.(json.RawMessage); ok {
		// JSON searches the escaped spellings: the bytes stay valid JSON.
		res.StructuredContent = json.RawMessage(sec.JSON(raw))
	} else {
		res.StructuredContent = sec.Value(res.StructuredContent)
	}
	for k, ir := range res.InputRequests {
		if ir.Elicitation != nil {
			ir.Elicitation.Message = sec.String(ir.Elicitation.Message)
			res.InputRequests[k] = ir
		}
	}
}

func (d *Deps) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
