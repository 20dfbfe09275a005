//go:build e2e && chat

package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/testutil"
)

// The chat suite drives Open WebUI's own chat: a scripted LLM (the fake
// provider, scripts/fake-openai.py) decides which owui-mcp tools to call,
// Open WebUI's MCP client calls this server over streamable HTTP, and the
// checks read what the LLM received (the provider's request log), what the
// browser tab was asked (a socket.io client), and the models afterwards.

// chatModel is the workspace model every chat uses: based on the fake
// provider, readable by everyone (so the non-admin user can chat too).
const chatModel = "chat-bot"

// httpServer is one owui-mcp serving streamable HTTP, registered in Open
// WebUI as an MCP tool server.
type httpServer struct {
	id        string // Open WebUI connection id: tools reach the LLM as <id>_<tool>
	listen    string
	backupDir string
	auditLog  string
	token     string // --http-token, if given
	out       *testutil.Buffer
}

// toolID is the chat tool id of the connection.
func (h *httpServer) toolID() string { return "server:mcp:" + h.id }

// startHTTPServer starts owui-mcp over HTTP with the given auth flags and
// stops it when t ends.
func startHTTPServer(t *testing.T, tg *target, id string, flags ...string) *httpServer {
	t.Helper()
	dir := t.TempDir()
	h := &httpServer{id: id, listen: "127.0.0.1:" + freePort(t), backupDir: filepath.Join(dir, "backups"),
		auditLog: filepath.Join(dir, "audit.jsonl"), out: &testutil.Buffer{}}
	for i, f := range flags {
		if f == "--http-token" && i+1 < len(flags) {
			h.token = flags[i+1]
		}
	}
	args := append([]string{"--transport", "http", "--listen", h.listen, "--backup-dir", h.backupDir,
		"--audit-log", h.auditLog, "--log-level", "debug"}, flags...)
	exited := runOwuiMCP(t, tg, h.out, id, args...)
	waitHealthy(t, "http://"+h.listen+"/healthz", exited)
	return h
}

// auditLines returns the audit entries of tool for target id.
func (h *httpServer) auditLines(t *testing.T, tool, id string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(h.auditLog)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(string(b), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) != nil || e["tool"] != tool {
			continue
		}
		for _, x := range list(e["targets"]) {
			if x == id {
				out = append(out, e)
			}
		}
	}
	return out
}

// chatSuite holds what every chat check needs.
type chatSuite struct {
	run      string // makes script keys unique when a server is reused
	tg       *target
	admin    *rest // admin JWT: config routes
	fakeBase string
	fakeLog  string
	adminJWT string
	userJWT  string
}

func newChatSuite(t *testing.T) *chatSuite {
	t.Helper()
	tg := realTarget(t)
	cs := &chatSuite{run: randomHex(t, 3), tg: tg, admin: newREST(tg.url, suite.env["OWUI_ADMIN_TOKEN"]),
		fakeBase: strings.TrimSuffix(suite.env["FAKE_OPENAI_URL"], "/v1"), fakeLog: suite.env["FAKE_OPENAI_LOG"],
		adminJWT: suite.env["OWUI_ADMIN_TOKEN"], userJWT: suite.env["OWUI_USER_TOKEN"]}
	if cs.fakeBase == "" || cs.fakeLog == "" || cs.userJWT == "" {
		t.Fatalf("the env file lacks FAKE_OPENAI_URL, FAKE_OPENAI_LOG or OWUI_USER_TOKEN (scripts/openwebui-up writes them)")
	}
	// The chat model: a workspace model on the fake provider, public read.
	// Non-admins need read access to its base model's record too, which the
	// fixture keeps private for fake-a: use org/fake-b:1 with a public one.
	public := []map[string]any{{"principal_type": "user", "principal_id": "*", "permission": "read"}}
	if _, ok := tg.adminREST.get(t, providerIDs[1]); !ok {
		tg.adminREST.create(t, map[string]any{"id": providerIDs[1], "name": "Fake B (chat base)", "base_model_id": nil,
			"meta": map[string]any{}, "params": map[string]any{}, "access_grants": public})
	}
	tg.adminREST.del(t, chatModel)
	tg.adminREST.create(t, map[string]any{
		"id": chatModel, "name": "Chat bot", "base_model_id": providerIDs[1],
		"meta":          map[string]any{"description": "scripted LLM for the chat suite", "capabilities": map[string]any{"function_calling": true}},
		"params":        map[string]any{"function_calling": "native"},
		"access_grants": public,
	})
	return cs
}

// register makes conns Open WebUI's tool servers (the previous list is
// restored at the end of t).
func (cs *chatSuite) register(t *testing.T, conns ...map[string]any) {
	t.Helper()
	var cfg struct {
		Conns []map[string]any `json:"TOOL_SERVER_CONNECTIONS"`
	}
	cs.admin.must(t, "GET", "/api/v1/configs/tool_servers", nil, nil, &cfg)
	orig := cfg.Conns
	if orig == nil {
		orig = []map[string]any{}
	}
	t.Cleanup(func() {
		cs.admin.must(t, "POST", "/api/v1/configs/tool_servers", nil, map[string]any{"TOOL_SERVER_CONNECTIONS": orig}, nil)
	})
	cs.admin.must(t, "POST", "/api/v1/configs/tool_servers", nil, map[string]any{"TOOL_SERVER_CONNECTIONS": conns}, nil)
}

// connection is an Open WebUI tool-server connection for h, readable by
// every user.
func connection(h *httpServer, authType, key, query string) map[string]any {
	u := "http://" + h.listen + "/mcp"
	if query != "" {
		u += "?" + query
	}
	return map[string]any{
		"url": u, "path": "", "type": "mcp", "auth_type": authType, "key": key,
		"config": map[string]any{"enable": true,
			"access_grants": []map[string]any{{"principal_type": "user", "principal_id": "*", "permission": "read"}}},
		"info": map[string]any{"id": h.id, "name": "owui-mcp (" + h.id + ")", "description": "Manage Open WebUI models"},
	}
}

// key is the script key of a check: unique per run, since the provider's
// request log outlives a run when the server is reused (OWUI_E2E_ENV).
func (cs *chatSuite) key(name string) string { return "[chat:" + name + ":" + cs.run + "]" }

// turn is one scripted LLM answer.
type turn map[string]any

func callTool(name string, args map[string]any) turn {
	return turn{"tool_calls": []map[string]any{{"name": name, "arguments": args}}}
}

func say(content string) turn { return turn{"content": content} }

// script registers turns for chats whose message starts with key.
func (cs *chatSuite) script(t *testing.T, key string, turns ...turn) {
	t.Helper()
	r := newREST(cs.fakeBase, "").do(t, "POST", "/_script", nil, map[string]any{"key": key, "turns": turns})
	if r.Status != 200 {
		t.Fatalf("registering script %s: %s", key, r)
	}
}

// llmRequest is one request the fake provider logged.
type llmRequest struct {
	Script string         `json:"script"`
	Turn   *int           `json:"turn"`
	Body   map[string]any `json:"body"`
}

// llmRequests returns the chat requests the LLM received for a script, in order.
func (cs *chatSuite) llmRequests(t *testing.T, key string) []llmRequest {
	t.Helper()
	f, err := os.Open(cs.fakeLog)
	if err != nil {
		t.Fatalf("the fake provider's request log: %v", err)
	}
	defer f.Close()
	var out []llmRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r llmRequest
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Script == key {
			out = append(out, r)
		}
	}
	return out
}

// toolMessages are the tool results in an LLM request (what it received).
func (r llmRequest) toolMessages() []string {
	var out []string
	for _, m := range list(r.Body["messages"]) {
		if str(obj(m)["role"]) == "tool" {
			out = append(out, contentText(obj(m)["content"]))
		}
	}
	return out
}

// toolNames are the function names offered to the LLM.
func (r llmRequest) toolNames() []string {
	var out []string
	for _, x := range list(r.Body["tools"]) {
		out = append(out, str(obj(obj(x)["function"])["name"]))
	}
	return out
}

func contentText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	for _, p := range list(v) {
		b.WriteString(str(obj(p)["text"]))
	}
	return b.String()
}

// chatOutcome is what one chat message produced.
type chatOutcome struct {
	chatID, messageID string
	answer            string         // the assistant's final text
	message           map[string]any // the stored assistant message
	requests          []llmRequest   // what the LLM received, in order
}

// lastTool is the newest tool result the LLM received.
func (o *chatOutcome) lastTool() string {
	for i := len(o.requests) - 1; i >= 0; i-- {
		if tm := o.requests[i].toolMessages(); len(tm) > 0 {
			return tm[len(tm)-1]
		}
	}
	return ""
}

// chat sends one user message (which starts with the script key) in a new
// saved chat of the user holding jwt, with toolIDs enabled, waits until the
// assistant message is done, and returns it. sessionID is a socket.io sid of
// the same user ("" = no browser tab).
func (cs *chatSuite) chat(t *testing.T, jwt, key, text, sessionID string, toolIDs ...string) *chatOutcome {
	t.Helper()
	c := newREST(cs.tg.url, jwt)
	c.hc.Timeout = 5 * time.Minute
	// As the browser does on load: Open WebUI refreshes its model table.
	c.must(t, "GET", "/api/models", nil, nil, nil)
	var chat struct {
		ID string `json:"id"`
	}
	c.must(t, "POST", "/api/v1/chats/new", nil, map[string]any{"chat": map[string]any{
		"title": key, "models": []string{chatModel}, "messages": []any{}, "history": map[string]any{"messages": map[string]any{}},
	}}, &chat)
	userMsg, asstMsg := "u-"+randomHex(t, 8), "a-"+randomHex(t, 8)
	content := key + " " + text
	body := map[string]any{
		"model": chatModel, "stream": true, "chat_id": chat.ID, "id": asstMsg,
		"messages": []map[string]any{{"role": "user", "content": content}},
		"tool_ids": toolIDs,
		"user_message": map[string]any{"id": userMsg, "parentId": nil, "childrenIds": []string{asstMsg}, "role": "user",
			"content": content, "timestamp": time.Now().Unix(), "models": []string{chatModel}},
		"params":           map[string]any{"function_calling": "native"},
		"background_tasks": map[string]any{},
	}
	if sessionID != "" {
		body["session_id"] = sessionID
	}
	r := c.do(t, "POST", "/api/chat/completions", nil, body)
	if r.Status != 200 {
		t.Fatalf("POST /api/chat/completions: %s", r)
	}
	out := &chatOutcome{chatID: chat.ID, messageID: asstMsg}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		var got struct {
			Chat struct {
				History struct {
					Messages map[string]map[string]any `json:"messages"`
				} `json:"history"`
			} `json:"chat"`
		}
		c.must(t, "GET", "/api/v1/chats/"+chat.ID, nil, nil, &got)
		m := got.Chat.History.Messages[asstMsg]
		if m != nil && m["done"] == true {
			out.message = m
			out.answer = str(m["content"])
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %s: the assistant message is not done after 4m: %v", key, m)
		}
		time.Sleep(500 * time.Millisecond)
	}
	out.requests = cs.llmRequests(t, key)
	if len(out.requests) == 0 {
		t.Fatalf("chat %s: the LLM received no request for this script", key)
	}
	return out
}

// browserTab is a socket.io client playing a user's browser tab.
type browserTab struct {
	sid    string
	events string // file of received events, one JSON per line
	stdin  io.WriteCloser
	cmd    *exec.Cmd
}

// openTab starts scripts/chat/browser_tab.py for the user holding jwt; it
// answers elicitations with answer (accept sends content).
func (cs *chatSuite) openTab(t *testing.T, jwt, answer string, content map[string]any) *browserTab {
	t.Helper()
	py := filepath.Join(venv(), "bin", "python")
	events := filepath.Join(t.TempDir(), "events.jsonl")
	cb, _ := json.Marshal(content)
	cmd := exec.Command(py, filepath.Join(suite.root, "scripts", "chat", "browser_tab.py"),
		"--url", cs.tg.url, "--answer", answer, "--content", string(cb), "--events", events)
	cmd.Env = append(os.Environ(), "OWUI_TOKEN="+jwt, "NO_PROXY=*", "no_proxy=*")
	stderr := &testutil.Buffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the browser tab: %v", err)
	}
	tab := &browserTab{events: events, stdin: stdin, cmd: cmd}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("browser tab stderr:\n%s", tail(stderr.String(), 20))
		}
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), "SID "); ok {
				line <- s
			}
		}
		close(line)
	}()
	select {
	case sid, ok := <-line:
		if !ok || sid == "" {
			t.Fatalf("the browser tab did not join:\n%s", stderr.String())
		}
		tab.sid = sid
	case <-time.After(60 * time.Second):
		t.Fatalf("the browser tab did not join within 60s:\n%s", stderr.String())
	}
	return tab
}

// elicitations returns the request:elicitation payloads the tab received.
func (b *browserTab) elicitations(t *testing.T) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(b.events)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(string(raw), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		d := obj(obj(e["data"]))
		if str(d["type"]) == "request:elicitation" {
			out = append(out, obj(d["data"]))
		}
	}
	return out
}

// venv is the Open WebUI virtual environment (python-socketio is one of
// its dependencies).
func venv() string {
	cache := os.Getenv("OWUI_CACHE")
	if cache == "" {
		cache = filepath.Join(os.Getenv("HOME"), ".cache", "owui-mcp")
	}
	return filepath.Join(cache, "openwebui-"+version())
}

// exists reports whether the model id exists (read with the admin key).
func (cs *chatSuite) exists(t *testing.T, id string) bool {
	t.Helper()
	_, ok := cs.tg.adminREST.get(t, id)
	return ok
}

// mkModel creates a throw-away model owned by the admin.
func (cs *chatSuite) mkModel(t *testing.T, id, name string) {
	t.Helper()
	cs.tg.adminREST.del(t, id)
	cs.tg.adminREST.create(t, map[string]any{"id": id, "name": name, "base_model_id": "fake-a",
		"meta": map[string]any{"description": "chat suite"}, "params": map[string]any{}})
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, clip(s, 3000))
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
