package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/fakeowui"

	"github.com/owui-mcp/owui-mcp/tools"
)

// bulkN models get a grant in one update_models call (the --max-bulk
// default), with the default --bulk-concurrency.
const (
	bulkN           = 500
	bulkConcurrency = 4
	bulkTag         = "bench-bulk"
)

// bulkFake holds bulkN custom models shaped like the demo's, all tagged
// bulkTag, served over loopback.
// Ids with a space (the demo's "release notes v1.2", a pre-0.12 row) are
// renamed: 0.12.4 refuses to write such ids at all.
func bulkFake() *Upstream {
	f := fakeowui.New(fakeowui.Options{})
	for _, m := range SyntheticFake(bulkN).Models() {
		m.ID = strings.ReplaceAll(m.ID, " ", "-")
		tags, _ := m.Meta["tags"].([]any)
		m.Meta["tags"] = append(tags, map[string]any{"name": bulkTag})
		f.PutModel(m)
	}
	return NewUpstream(f)
}

var benchGrant = map[string]any{"principal_type": "group", "principal_id": "g-bench", "permission": "read"}

func text(res *mcp.CallToolResult) string {
	var b bytes.Buffer
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// BenchmarkBulkGrant: the confirmed update_models call that gives one group
// read access to 500 models, against the same 500 access updates sent
// directly over loopback to the same fake with the same concurrency (4).
// Each round runs both, alternating, on the same data: the server adds the
// grant (its confirmation re-reads the selection, 17 list pages and one
// export, writes the backup, then sends 500 access updates), then the
// direct client removes it again with 500 access updates. It reports the
// mean time of each, their ratio, and the preview's cl100k tokens per
// model; ns/op is the whole round.
func BenchmarkBulkGrant(b *testing.B) {
	up := bulkFake()
	defer up.Close()
	opts := tools.Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: tools.ConfirmToken, BulkConcurrency: bulkConcurrency}
	p, err := NewInProcess(up.URL(), nil, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	args := map[string]any{"filter": map[string]any{"tag": bulkTag}, "add_grants": []any{benchGrant}}

	// The direct client: same idle-connection pool as owui.Client's.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: keyed{tr}}
	ids := make([]string, 0, bulkN)
	bodies := map[string][]byte{}
	for _, m := range up.Fake.Models() {
		gs := []any{}
		for _, g := range m.AccessGrants {
			gs = append(gs, map[string]any{"principal_type": g.PrincipalType, "principal_id": g.PrincipalID, "permission": g.Permission})
		}
		ids = append(ids, m.ID)
		bodies[m.ID], _ = json.Marshal(map[string]any{"id": m.ID, "access_grants": gs})
	}
	direct := func() {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range bulkConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(ids) {
						return
					}
					resp, err := hc.Post(up.URL()+"/api/v1/models/model/access/update", "application/json", bytes.NewReader(bodies[ids[i]]))
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("access/update %s: %s", ids[i], resp.Status)
					}
				}
			}()
		}
		wg.Wait()
	}

	// CPU time of this process (server, client and the in-process fake
	// together) is reported too: on a shared machine wall time mostly
	// measures waiting for a core.
	var serverT, directT, serverCPU, directCPU time.Duration
	rounds := 0
	for b.Loop() {
		b.StopTimer()
		pre, err := p.Call(ctx, "update_models", args)
		if err != nil || pre.IsError {
			b.Fatalf("preview: %v %s", err, text(pre))
		}
		var out struct {
			ConfirmToken string `json:"confirm_token"`
		}
		raw, _ := json.Marshal(pre.StructuredContent)
		_ = json.Unmarshal(raw, &out)
		if out.ConfirmToken == "" {
			b.Fatalf("no token: %s", text(pre))
		}
		if rounds == 0 {
			n, err := Tokens(text(pre))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/bulkN, "preview-tokens/model")
		}
		up.Fake.ResetRequests()
		b.StartTimer()

		t0, c0 := time.Now(), SelfCPU()
		res, err := p.Call(ctx, "update_models", with(args, "confirm_token", out.ConfirmToken))
		t1, c1 := time.Now(), SelfCPU()
		if err != nil || res.IsError {
			b.Fatalf("confirm: %v %s", err, text(res))
		}
		direct()
		t2, c2 := time.Now(), SelfCPU()
		serverT += t1.Sub(t0)
		directT += t2.Sub(t1)
		serverCPU += c1 - c0
		directCPU += c2 - c1
		rounds++
		up.Fake.ResetRequests()
	}
	b.ReportMetric(float64(serverT.Milliseconds())/float64(rounds), "server-ms")
	b.ReportMetric(float64(directT.Milliseconds())/float64(rounds), "direct-ms")
	b.ReportMetric(float64(serverT)/float64(directT), "ratio")
	b.ReportMetric(float64(serverCPU.Milliseconds())/float64(rounds), "server-cpu-ms")
	b.ReportMetric(float64(directCPU.Milliseconds())/float64(rounds), "direct-cpu-ms")
	b.ReportMetric(float64(serverCPU)/float64(directCPU), "cpu-ratio")
}

func with(args map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for a, x := range args {
		out[a] = x
	}
	return out
}
