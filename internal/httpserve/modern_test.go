package httpserve

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The 2026-07-28 wire through the whole handler chain (auth, origin, caps):
// the parts of the stateless core the official suite checks in
// server-stateless, pinned here so a regression shows up in go test too.

const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`

func modernHeaders(method string) map[string]string {
	return map[string]string{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
}

// sseFrames returns the JSON messages of an event-stream body, in order.
func sseFrames(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(body, "\n") {
		d, ok := strings.CutPrefix(l, "data: ")
		if !ok {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("frame %q: %v", d, err)
		}
		out = append(out, m)
	}
	return out
}

// The acknowledgement is queued by mcp-go for its notification forwarder
// while the handler returns at once (this server subscribes nothing), so
// without the transport's wait for it the result could overtake it and the
// forwarder would drop it: the stream then carried only the result. Many
// rounds, because that loss is a race.
func TestSubscriptionsListen(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken, Stateless: stateless})
		for round := 0; round < 200 && !t.Failed(); round++ {
			checkListen(t, ts.URL, stateless)
		}
	}
}

func checkListen(t *testing.T, url string, stateless bool) {
	t.Helper()
	r := do(t, http.MethodPost, url+"/mcp",
		`{"jsonrpc":"2.0","id":41,"method":"subscriptions/listen","params":{`+modernMeta+`,"notifications":{"toolsListChanged":true}}}`,
		merge(bearer(testToken), modernHeaders("subscriptions/listen")))
	if r.status != http.StatusOK {
		t.Fatalf("stateless=%v: HTTP %d %s", stateless, r.status, r.body)
	}
	frames := sseFrames(t, r.body)
	if len(frames) != 2 || frames[0]["method"] != "notifications/subscriptions/acknowledged" || frames[1]["result"] == nil {
		t.Fatalf("stateless=%v: want the acknowledgement, then the result: %s", stateless, r.body)
	}
	for _, f := range frames {
		if m, _ := f["method"].(string); strings.HasPrefix(m, "notifications/") {
			meta, _ := f["params"].(map[string]any)["_meta"].(map[string]any)
			if meta["io.modelcontextprotocol/subscriptionId"] != float64(41) {
				t.Errorf("stateless=%v: notification not tagged with subscriptionId 41: %v", stateless, f)
			}
		}
	}
}

func TestModernStatusRules(t *testing.T) {
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken})
	auth := bearer(testToken)
	cases := []struct {
		name   string
		body   string
		method string
		status int
		code   float64
	}{
		{"discover", `{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{` + modernMeta + `}}`, "server/discover", 200, 0},
		{"tools/list", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{` + modernMeta + `}}`, "tools/list", 200, 0},
		{"no _meta", `{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}`, "tools/list", 400, -32602},
		{"removed ping", `{"jsonrpc":"2.0","id":4,"method":"ping","params":{` + modernMeta + `}}`, "ping", 404, -32601},
		{"header mismatch", `{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{` + modernMeta + `}}`, "server/discover", 400, -32020},
	}
	for _, c := range cases {
		r := do(t, http.MethodPost, ts.URL+"/mcp", c.body, merge(auth, modernHeaders(c.method)))
		if r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %s", c.name, r.status, c.status, r.body)
			continue
		}
		frames := []map[string]any{}
		if strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
			frames = sseFrames(t, r.body)
		} else {
			var m map[string]any
			if err := json.Unmarshal([]byte(r.body), &m); err != nil {
				t.Fatalf("%s: %q: %v", c.name, r.body, err)
			}
			frames = append(frames, m)
		}
		last := frames[len(frames)-1]
		if c.code == 0 {
			res, _ := last["result"].(map[string]any)
			if res == nil || res["resultType"] != "complete" {
				t.Errorf("%s: want a complete result, got %v", c.name, last)
			}
			if c.name == "tools/list" && (res["ttlMs"] == nil || res["cacheScope"] == nil) {
				t.Errorf("tools/list carries no caching hints (ttlMs, cacheScope): %v", res)
			}
			continue
		}
		e, _ := last["error"].(map[string]any)
		if e == nil || e["code"] != c.code {
			t.Errorf("%s: want error %v, got %v", c.name, c.code, last)
		}
	}
}
