//go:build e2e && chat

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBrowser is the admin's walk in a real browser (headless Debian
// Chromium driven by selenium with the distribution's chromedriver): sign in,
// turn owui-mcp on in a chat, ask for a delete, see the confirmation dialog
// holding the preview, approve it, and find the model gone. The scripted LLM
// decides, so the walk is deterministic. Screenshots go to OWUI_CHAT_SHOTS
// (docs/img to refresh the README's) or to a temp dir.
func TestBrowser(t *testing.T) {
	t0 := time.Now()
	cs := newChatSuite(t)
	tg := cs.tg
	py := os.Getenv("OWUI_SELENIUM_PYTHON")
	if py == "" {
		out, err := exec.Command(filepath.Join(suite.root, "scripts", "chat", "browser-deps")).Output()
		if err != nil {
			t.Fatalf("scripts/chat/browser-deps: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		py = lines[len(lines)-1]
	}
	if suite.env["OWUI_ADMIN_PASSWORD"] == "" {
		t.Fatal("the env file lacks OWUI_ADMIN_PASSWORD (scripts/openwebui-up writes it)")
	}

	srv := startHTTPServer(t, tg, "owui", "--http-token", "chat-browser-"+randomHex(t, 12))
	const toolName = "owui-mcp"
	conn := connection(srv, "bearer", srv.token, "profile=chat") // the README recipe
	obj(conn["info"])["name"] = toolName
	cs.register(t, conn)

	id := "team/old-summariser"
	cs.mkModel(t, id, "Old summariser")
	key := cs.key("browser")
	answer := "Done: " + id + " is deleted; a backup was written first."
	cs.script(t, key, callTool("owui_delete_model", map[string]any{"id": id}), say(answer))

	shots := os.Getenv("OWUI_CHAT_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if !filepath.IsAbs(shots) {
		shots = filepath.Join(suite.root, shots)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join(suite.root, "scripts", "chat", "browser_walk.py"))
	cmd.Env = append(os.Environ(),
		"OWUI_URL="+tg.url, "OWUI_EMAIL="+suite.env["OWUI_ADMIN_EMAIL"], "OWUI_PASSWORD="+suite.env["OWUI_ADMIN_PASSWORD"],
		"MODEL="+chatModel, "TOOL="+toolName, "MESSAGE="+key+" Please delete "+id+", we replaced it.",
		"EXPECT="+id, "ANSWER="+answer, "SHOTS="+shots, "NO_PROXY=*", "no_proxy=*")
	setPdeathsig(cmd)
	out, err := cmd.CombinedOutput()
	t.Logf("browser walk:\n%s", out)
	if err != nil {
		t.Fatalf("the browser walk failed: %v (screenshots in %s)", err, shots)
	}
	for _, f := range []string{"chat-1-tools.png", "chat-2-confirm.png", "chat-3-approve.png", "chat-4-done.png"} {
		if st, err := os.Stat(filepath.Join(shots, f)); err != nil || st.Size() < 5000 {
			t.Errorf("screenshot %s missing or empty: %v", f, err)
		}
	}
	// What the browser showed happened: deleted once, after the dialog, with a backup.
	if cs.exists(t, id) {
		t.Fatalf("%s still exists after the approval in the browser", id)
	}
	lines := okLines(srv.auditLines(t, "delete_model", id))
	if len(lines) != 1 || lines[0]["confirmation"] != "elicitation" {
		t.Fatalf("audit of the browser delete: %v, want one ok entry confirmed by elicitation", lines)
	}
	assertBackup(t, srv, str(lines[0]["backup"]), id)
	if reqs := cs.llmRequests(t, key); len(reqs) != 2 {
		t.Errorf("the LLM got %d requests, want 2 (one tool call, then the answer)", len(reqs))
	}
	phase("browser", t0, "")
}
