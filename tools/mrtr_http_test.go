package tools

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/httpserve"
)

// The multi-round-trip confirmation (SEP-2322) as a 2026-07-28 client drives
// it over HTTP: raw JSON-RPC with per-request _meta, no initialize, no
// session. This is the path Open WebUI 0.12.4 takes (server/discover, then
// one stateless request per call); the in-process tests in gate_test.go and
// security_test.go cover the same gate through mcp-go's own client.

// modern is one 2026-07-28 client talking to one server over HTTP.
type modern struct {
	t   *testing.T
	e   *env
	url string
	id  int
}

// newModern serves e's MCP server with the real HTTP transport, in the
// default (session) mode or stateless as with --redis-url.
func newModern(t *testing.T, e *env, stateless bool) *modern {
	t.Helper()
	h, err := httpserve.Handler(e.srv, httpserve.Options{Stateless: stateless, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &modern{t: t, e: e, url: ts.URL + "/mcp"}
}

// rpcReply is a JSON-RPC response as received.
type rpcReply struct {
	Status int
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// toolReply is the part of a tools/call result these tests read.
type toolReply struct {
	ResultType    string                     `json:"resultType"`
	IsError       bool                       `json:"isError"`
	Content       []struct{ Text string }    `json:"content"`
	Structured    map[string]any             `json:"structuredContent"`
	InputRequests map[string]json.RawMessage `json:"inputRequests"`
	RequestState  string                     `json:"requestState"`
}

func (r toolReply) text() string {
	var parts []string
	for _, c := range r.Content {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, "\n")
}

// call sends tools/call with the given client capabilities (nil: none
// declared) and extra params (inputResponses, requestState), and returns
// the tool result. A JSON-RPC error fails the test.
func (m *modern) call(tool string, args map[string]any, caps map[string]any, extra map[string]any) toolReply {
	m.t.Helper()
	params := map[string]any{"name": tool, "arguments": args}
	for k, v := range extra {
		params[k] = v
	}
	r := m.rpc("tools/call", tool, params, caps)
	if r.Status != http.StatusOK || r.Error != nil {
		m.t.Fatalf("tools/call %s: HTTP %d, error %+v", tool, r.Status, r.Error)
	}
	var out toolReply
	if err := json.Unmarshal(r.Result, &out); err != nil {
		m.t.Fatalf("tools/call %s: result %s: %v", tool, r.Result, err)
	}
	return out
}

// rpc posts one 2026-07-28 request: _meta carries the protocol version and
// the capabilities of this request only; Mcp-Method/Mcp-Name mirror the body.
func (m *modern) rpc(method, name string, params map[string]any, caps map[string]any) rpcReply {
	m.t.Helper()
	m.id++
	if caps == nil {
		caps = map[string]any{}
	}
	params["_meta"] = map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientCapabilities": caps,
		"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "mrtr-test", "version": "1"},
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": m.id, "method": method, "params": params})
	req, _ := http.NewRequest(http.MethodPost, m.url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", method)
	if name != "" {
		req.Header.Set("Mcp-Name", name)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	msg := raw
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		msg = nil // the response is the data line that carries our id
		sc := bufio.NewScanner(strings.NewReader(string(raw)))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(d, `"id"`) {
				msg = []byte(d)
			}
		}
	}
	var r rpcReply
	if err := json.Unmarshal(msg, &r); err != nil {
		m.t.Fatalf("%s: HTTP %d, undecodable answer %q: %v", method, resp.StatusCode, raw, err)
	}
	r.Status = resp.StatusCode
	return r
}

var (
	canElicit   = map[string]any{"elicitation": map[string]any{"form": map[string]any{}}}
	answeredYes = map[string]any{elicitKey: map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
)

// answer is the retry of a call that carries the user's answer.
func answer(state string, responses map[string]any) map[string]any {
	out := map[string]any{"inputResponses": responses}
	if state != "" {
		out["requestState"] = state
	}
	return out
}

// ask calls tool declaring elicitation and returns the requestState of
// the question it must get back; nothing may have been written upstream.
func (m *modern) ask(tool string, args map[string]any) string {
	m.t.Helper()
	m.e.fake.ResetRequests()
	q := m.call(tool, args, canElicit, nil)
	if q.ResultType != "input_required" || q.RequestState == "" || q.InputRequests[elicitKey] == nil {
		m.t.Fatalf("%s declaring elicitation: want input_required with a requestState and inputRequests[%q], got %+v", tool, elicitKey, q)
	}
	var ir struct {
		Method string `json:"method"`
		Params struct {
			Mode    string `json:"mode"`
			Message string `json:"message"`
		} `json:"params"`
	}
	if err := json.Unmarshal(q.InputRequests[elicitKey], &ir); err != nil {
		m.t.Fatal(err)
	}
	if ir.Method != "elicitation/create" || ir.Params.Mode != "form" || !strings.Contains(ir.Params.Message, tool) {
		m.t.Fatalf("the question is not a form elicitation showing the preview: %s", q.InputRequests[elicitKey])
	}
	m.noWrites("the question")
	return q.RequestState
}

// noWrites fails if anything but reads reached Open WebUI.
func (m *modern) noWrites(when string) {
	m.t.Helper()
	if w := m.e.writes(); len(w) != 0 {
		m.t.Fatalf("%s sent writes upstream: %+v", when, summarize(w))
	}
}

func summarize(rs []fakeowui.Request) []string {
	var out []string
	for _, r := range rs {
		s := r.Method + " " + r.Path
		if r.RawQuery != "" {
			s += "?" + r.RawQuery
		}
		if len(r.Body) != 0 {
			s += " " + strings.TrimSpace(string(r.Body))
		}
		out = append(out, s)
	}
	return out
}

// deleteSent is the one request a confirmed delete_model of code-reviewer sends.
var deleteSent = []string{`POST /api/v1/models/model/delete {"id":"code-reviewer"}`}

var modes = map[string]bool{"sessions": false, "stateless": true}

func TestMRTRConfirmOverHTTP(t *testing.T) {
	args := map[string]any{"id": "code-reviewer"}
	for mode, stateless := range modes {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			m := newModern(t, e, stateless)
			state := m.ask("delete_model", args)

			m.e.fake.ResetRequests()
			done := m.call("delete_model", args, canElicit, answer(state, answeredYes))
			if done.IsError || done.ResultType != "complete" || done.Structured["status"] != "done" {
				t.Fatalf("the answered call did not run: %+v", done)
			}
			if got := summarize(e.writes()); !reflect.DeepEqual(got, deleteSent) {
				t.Fatalf("upstream writes %v, want exactly %v", got, deleteSent)
			}
			if _, ok := e.fake.Model("code-reviewer"); ok {
				t.Fatal("code-reviewer still exists")
			}
		})
	}
}

func TestMRTRTamperedRequestStateIsRefused(t *testing.T) {
	args := map[string]any{"id": "code-reviewer"}
	for mode, stateless := range modes {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			m := newModern(t, e, stateless)
			state := m.ask("delete_model", args)
			payload, sig, _ := strings.Cut(state, ".")
			// One character of the payload changed: still well-formed, no
			// longer signed by this server.
			flip := map[byte]byte{'A': 'B'}
			b := []byte(payload)
			i := len(b) / 2
			if r, ok := flip[b[i]]; ok {
				b[i] = r
			} else {
				b[i] = 'A'
			}
			for name, tampered := range map[string]string{
				"payload":   string(b) + "." + sig,
				"signature": payload + "." + strings.Repeat("A", len(sig)),
				"garbage":   "not-a-state",
			} {
				e.fake.ResetRequests()
				r := m.call("delete_model", args, canElicit, answer(tampered, answeredYes))
				want := map[string]string{
					"payload":   "delete_model was not run: the elicitation requestState was not issued by this server process (they do not survive a restart, and cannot be edited): call delete_model again without requestState and inputResponses; the user will be asked again",
					"signature": "delete_model was not run: the elicitation requestState was not issued by this server process (they do not survive a restart, and cannot be edited): call delete_model again without requestState and inputResponses; the user will be asked again",
					"garbage":   "delete_model was not run: the elicitation requestState is malformed (it must come back exactly as the server sent it): call delete_model again without requestState and inputResponses; the user will be asked again",
				}[name]
				if !r.IsError || r.text() != want {
					t.Errorf("%s: got isError=%v %q, want the refusal %q", name, r.IsError, r.text(), want)
				}
				m.noWrites("a tampered requestState (" + name + ")")
			}
			if _, ok := e.fake.Model("code-reviewer"); !ok {
				t.Fatal("code-reviewer was deleted")
			}
			// The genuine state still works once.
			e.fake.ResetRequests()
			if r := m.call("delete_model", args, canElicit, answer(state, answeredYes)); r.IsError || r.Structured["status"] != "done" {
				t.Fatalf("the genuine requestState after the tampered ones: %+v", r)
			}
			if got := summarize(e.writes()); !reflect.DeepEqual(got, deleteSent) {
				t.Fatalf("upstream writes %v, want exactly %v", got, deleteSent)
			}
		})
	}
}

func TestMRTRReplayedRequestStateIsRefused(t *testing.T) {
	args := map[string]any{"id": "code-reviewer"}
	for mode, stateless := range modes {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			m := newModern(t, e, stateless)
			before, _ := e.fake.Model("code-reviewer")
			state := m.ask("delete_model", args)
			if r := m.call("delete_model", args, canElicit, answer(state, answeredYes)); r.IsError || r.Structured["status"] != "done" {
				t.Fatalf("first use: %+v", r)
			}
			// The same model is back (as if re-created): only the used state
			// stands between a replay and a second delete.
			e.fake.PutModel(before)
			e.fake.ResetRequests()
			r := m.call("delete_model", args, canElicit, answer(state, answeredYes))
			want := "delete_model was not run: the elicitation requestState was already used, and each one confirms exactly one call: call delete_model again without requestState and inputResponses; the user will be asked again"
			if !r.IsError || r.text() != want {
				t.Fatalf("replay: got isError=%v %q, want %q", r.IsError, r.text(), want)
			}
			m.noWrites("a replayed requestState")
			if _, ok := e.fake.Model("code-reviewer"); !ok {
				t.Fatal("the replay deleted code-reviewer again")
			}

			// A "no" uses the question up as well: the same requestState
			// cannot come back later with a "yes".
			state = m.ask("delete_model", args)
			no := map[string]any{elicitKey: map[string]any{"action": "decline"}}
			if r := m.call("delete_model", args, canElicit, answer(state, no)); r.IsError || r.Structured["status"] != "declined" {
				t.Fatalf("decline: %+v", r)
			}
			e.fake.ResetRequests()
			r = m.call("delete_model", args, canElicit, answer(state, answeredYes))
			if !r.IsError || r.text() != want {
				t.Fatalf("yes after no with the same requestState: got isError=%v %q, want %q", r.IsError, r.text(), want)
			}
			m.noWrites("a declined requestState sent again with yes")
			if _, ok := e.fake.Model("code-reviewer"); !ok {
				t.Fatal("the yes after a no deleted code-reviewer")
			}
		})
	}
}

func TestMRTRAnswerToAQuestionNeverAsked(t *testing.T) {
	args := map[string]any{"id": "code-reviewer"}
	other := map[string]any{"id": "sql-helper"}
	for mode, stateless := range modes {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			m := newModern(t, e, stateless)
			stateOther := m.ask("delete_model", other)
			cases := []struct {
				name  string
				caps  map[string]any
				extra map[string]any
				want  string
			}{
				{"yes without any requestState", canElicit, answer("", answeredYes),
					"delete_model was not run: an answer came without the requestState of the question it answers, so it answers nothing this server asked. Call it again without inputResponses; the user will be asked"},
				{"yes with the requestState of another call", canElicit, answer(stateOther, answeredYes),
					"delete_model was not run: the arguments differ from those of the question this elicitation requestState belongs to: call delete_model again without requestState and inputResponses; the user will be asked again"},
				{"requestState with an answer to another question", canElicit, answer(stateOther, map[string]any{"other": answeredYes[elicitKey]}),
					"delete_model was not run: a requestState came back without the user's answer. Call it again without one; the user will be asked"},
				{"yes from a client that declared no elicitation", nil, answer(stateOther, answeredYes),
					"delete_model was not run: an elicitation answer was sent, but this server did not ask this client (confirmation here is by confirm_token). Call it again without one for a preview"},
			}
			for _, c := range cases {
				e.fake.ResetRequests()
				r := m.call("delete_model", args, c.caps, c.extra)
				if !r.IsError || r.text() != c.want {
					t.Errorf("%s: got isError=%v %q, want %q", c.name, r.IsError, r.text(), c.want)
				}
				m.noWrites(c.name)
			}
			for _, id := range []string{"code-reviewer", "sql-helper"} {
				if _, ok := e.fake.Model(id); !ok {
					t.Errorf("%s was deleted", id)
				}
			}
		})
	}
}

// Capabilities are declared per request in 2026-07-28: the same client may
// get a question on one call and the token flow on the next.
func TestMRTRCapabilitiesPerRequest(t *testing.T) {
	args := map[string]any{"id": "code-reviewer"}
	for mode, stateless := range modes {
		t.Run(mode, func(t *testing.T) {
			for _, c := range []struct {
				confirm ConfirmMode
				caps    map[string]any
				want    string // input_required, token, or the refusal text
			}{
				{ConfirmAuto, canElicit, "input_required"},
				{ConfirmAuto, nil, "token"},
				{ConfirmAuto, map[string]any{"sampling": map[string]any{}}, "token"},
				{ConfirmElicit, canElicit, "input_required"},
				{ConfirmElicit, nil, "delete_model was not run: this server confirms dangerous calls only by asking the user (--confirm=elicit), and this MCP client does not support elicitation; nothing was changed. Use a client with elicitation, or restart the server with --confirm=auto"},
				{ConfirmToken, canElicit, "token"},
				{ConfirmToken, nil, "token"},
			} {
				o := allOn
				o.Confirm = c.confirm
				e := newEnv(t, withOptions(o))
				m := newModern(t, e, stateless)
				r := m.call("delete_model", args, c.caps, nil)
				name := string(c.confirm) + "/" + capsName(c.caps)
				switch c.want {
				case "input_required":
					if r.ResultType != "input_required" || r.RequestState == "" || r.InputRequests[elicitKey] == nil || r.Structured["confirm_token"] != nil {
						t.Errorf("%s: want a question, got %+v", name, r)
					}
				case "token":
					tok, _ := r.Structured["confirm_token"].(string)
					if r.IsError || r.ResultType != "complete" || r.Structured["status"] != "confirmation_required" || tok == "" || len(r.InputRequests) != 0 {
						t.Errorf("%s: want a preview with a confirm_token, got %+v", name, r)
					}
				default:
					if !r.IsError || r.text() != c.want {
						t.Errorf("%s: got isError=%v %q, want %q", name, r.IsError, r.text(), c.want)
					}
				}
				m.noWrites(name)
			}
		})
	}
}

func capsName(caps map[string]any) string {
	if len(caps) == 0 {
		return "no capabilities"
	}
	var ks []string
	for k := range caps {
		ks = append(ks, k)
	}
	return strings.Join(ks, ",")
}
