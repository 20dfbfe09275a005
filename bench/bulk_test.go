package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

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
func bulkFake() *Upstream {
	f := SyntheticFake(bulkN)
	for _, m := range f.Models() {
		tags, _ := m.Meta["tags"].([]any)
		m.Meta["tags"] = append(tags, map[string]any{"name": bulkTag})
		f.PutModel(m)
	}
	return NewUpstream(f)
}

var benchGrant = map[string]any{"principal_type": "group", "principal_id": "g-bench", "permission": "read"}

// bulkArgs adds the grant on even rounds and removes it on odd ones, so that
// every round changes all bulkN models.
func bulkArgs(round int) map[string]any {
	key := "add_grants"
	if round%2 == 1 {
		key = "remove_grants"
	}
	return map[string]any{"filter": map[string]any{"tag": bulkTag}, key: []any{benchGrant}}
}

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
// read access to 500 models (its re-plan: the list pages and one export,
// then 500 access updates, 4 at a time), against the same 500 access
// updates sent directly, 4 at a time, over loopback to the same fake. It
// also reports the preview's cl100k tokens per model.
func BenchmarkBulkGrant(b *testing.B) {
	up := bulkFake()
	defer up.Close()
	b.Run("Server", func(b *testing.B) {
		opts := tools.Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: tools.ConfirmToken, BulkConcurrency: bulkConcurrency}
		p, err := NewInProcess(up.URL(), nil, opts)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		ctx := context.Background()
		round := 0
		for b.Loop() {
			b.StopTimer()
			args := bulkArgs(round)
			pre, err := p.Call(ctx, "update_models", args)
			if err != nil || pre.IsError {
				b.Fatalf("preview: %v %s", err, text(pre))
			}
			var out struct {
				ConfirmToken string `json:"confirm_token"`
			}
			raw, _ := json.Marshal(pre.StructuredContent)
			_ = json.Unmarshal(raw, &out)
			if round == 0 {
				n, err := Tokens(text(pre))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n)/bulkN, "preview-tokens/model")
			}
			args["confirm_token"] = out.ConfirmToken
			up.Fake.ResetRequests()
			b.StartTimer()
			res, err := p.Call(ctx, "update_models", args)
			if err != nil || res.IsError {
				b.Fatalf("confirm: %v %s", err, text(res))
			}
			round++
		}
	})
	b.Run("Direct", func(b *testing.B) {
		hc := &http.Client{Transport: keyed{http.DefaultTransport}}
		ids := make([]string, 0, bulkN)
		base := map[string][]any{}
		for _, m := range up.Fake.Models() {
			ids = append(ids, m.ID)
			gs := []any{}
			for _, g := range m.AccessGrants {
				gs = append(gs, map[string]any{"principal_type": g.PrincipalType, "principal_id": g.PrincipalID, "permission": g.Permission})
			}
			base[m.ID] = gs
		}
		round := 0
		for b.Loop() {
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
						gs := base[ids[i]]
						if round%2 == 0 {
							gs = append(append([]any{}, gs...), benchGrant)
						}
						body, _ := json.Marshal(map[string]any{"id": ids[i], "access_grants": gs})
						resp, err := hc.Post(up.URL()+"/api/v1/models/model/access/update", "application/json", bytes.NewReader(body))
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
			up.Fake.ResetRequests()
			round++
		}
	})
}
