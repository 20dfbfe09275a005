package cluster_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/test/bench"
)

// TestReplicaBenchmark measures three replicas sharing Redis beside one
// replica without Redis, in the same run, against the in-process fake:
// get_model, toggle_model, and a confirmed delete_model (preview, then
// confirm_token: two calls, one Redis SET NX). It is a measurement, not a
// check: run it with scripts/replicas-test -bench-replicas.
func TestReplicaBenchmark(t *testing.T) {
	if os.Getenv("OWUI_MCP_BENCH_REPLICAS") != "1" {
		t.Skip("a benchmark: run scripts/replicas-test -bench-replicas (OWUI_MCP_BENCH_REPLICAS=1)")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not on PATH")
	}
	rs := &redisProc{bin: bin, dir: t.TempDir(), port: freePort(t)}
	rs.start(t)
	t.Cleanup(rs.kill)
	var kb [32]byte
	_, _ = rand.Read(kb[:])
	key := []byte(hex.EncodeToString(kb[:]))

	const workers = 16
	const window = 4 * time.Second
	setups := []struct {
		name     string
		replicas int
		redis    string
	}{{"1 replica, no Redis", 1, ""}, {"3 replicas + Redis", 3, rs.url()}}
	fmt.Printf("| setup | call | calls/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|\n")
	for _, su := range setups {
		fake := fakeowui.New(fakeowui.Options{})
		for i := range 20000 {
			fake.PutModel(fakeowui.Model{ID: fmt.Sprintf("d-%05d", i), UserID: "u-admin", Name: "D", IsActive: true, CreatedAt: 1, UpdatedAt: 1})
		}
		fake.PutModel(fakeowui.Model{ID: "reader", UserID: "u-admin", Name: "R", IsActive: true, CreatedAt: 1, UpdatedAt: 1})
		var reps []*replica
		for i := range su.replicas {
			reps = append(reps, newReplica(t, fmt.Sprintf("b%d", i), key, su.redis, t.TempDir(), fakeowui.Transport(fake)))
		}
		b := newLB(t, reps)
		admin := fake.IssueSession("u-admin")
		var next atomic.Int64
		ops := []struct {
			name string
			do   func(w int) error
		}{
			{"get_model", nil}, {"toggle_model", nil}, {"confirmed delete_model", nil},
		}
		clients := make([]*clientT, workers)
		for w := range clients {
			clients[w] = &clientT{c: connect(t, b.srv.URL, admin, false)}
		}
		ops[0].do = func(w int) error { return clients[w].ok("get_model", map[string]any{"id": "reader"}) }
		ops[1].do = func(w int) error { return clients[w].ok("toggle_model", map[string]any{"id": "reader"}) }
		ops[2].do = func(w int) error {
			id := fmt.Sprintf("d-%05d", next.Add(1))
			out, _, isErr, err := call(clients[w].c, "delete_model", map[string]any{"id": id})
			if err != nil || isErr || out.ConfirmToken == "" {
				return fmt.Errorf("preview %s: %v %v", id, err, isErr)
			}
			out, _, isErr, err = call(clients[w].c, "delete_model", map[string]any{"id": id, "confirm_token": out.ConfirmToken})
			if err != nil || isErr || out.Status != "done" {
				return fmt.Errorf("confirm %s: %v %v %+v", id, err, isErr, out)
			}
			return nil
		}
		for _, op := range ops {
			var mu sync.Mutex
			var lat []float64
			var failed atomic.Int64
			stop := time.Now().Add(window)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for time.Now().Before(stop) {
						t0 := time.Now()
						if err := op.do(w); err != nil {
							failed.Add(1)
							continue
						}
						d := float64(time.Since(t0).Microseconds()) / 1000
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				})
			}
			start := time.Now()
			wg.Wait()
			el := time.Since(start).Seconds()
			if failed.Load() > 0 {
				t.Errorf("%s / %s: %d calls failed", su.name, op.name, failed.Load())
			}
			slices.Sort(lat)
			fmt.Printf("| %s | %s | %.0f | %.1f | %.1f |\n", su.name, op.name, float64(len(lat))/el,
				bench.Percentile(lat, 50), bench.Percentile(lat, 99))
		}
	}
}

type clientT struct{ c *client.Client }

func (c *clientT) ok(name string, args map[string]any) error {
	_, text, isErr, err := call(c.c, name, args)
	if err != nil {
		return err
	}
	if isErr {
		return fmt.Errorf("%s: %s", name, text)
	}
	return nil
}
