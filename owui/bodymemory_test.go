package owui_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/testutil"
	"github.com/owui-mcp/owui-mcp/owui"
)

// TestFiftyMegabyteBodyMemory serves 50 MB to a client with the default
// 32 MiB cap and measures what refusing it costs: bytes allocated during
// the call (runtime.MemStats.TotalAlloc) and the peak of live heap objects
// above the starting point, sampled every millisecond. A declared length is
// refused before a byte is read; an undeclared (chunked) one is read up to
// the cap and no further, so memory is bounded by the cap, not the body.
func TestFiftyMegabyteBodyMemory(t *testing.T) {
	const body = 50 << 20
	for _, declared := range []bool{true, false} {
		name := map[bool]string{true: "declared length", false: "chunked"}[declared]
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(testutil.BigJSONBody(body, declared))
			defer hs.Close()
			c, err := owui.New(owui.Config{BaseURL: hs.URL, Timeout: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			alloc, peak, err := measure(func() error {
				_, err := c.ExportModels(context.Background())
				return err
			})
			if !owui.IsKind(err, owui.KindTooLarge) {
				t.Fatalf("50 MB body: %v, want too_large", err)
			}
			t.Logf("%s: %.1f MiB allocated, live heap peak +%.1f MiB, for a %d MiB body and a 32 MiB cap", name, mib(alloc), mib(peak), body>>20)
			limit := uint64(4 << 20) // a declared length is never read
			if !declared {
				limit = 32<<20 + 8<<20 // the cap, plus slack; never the whole body
			}
			if alloc > limit {
				t.Errorf("%s: %.1f MiB allocated, want at most %.1f MiB", name, mib(alloc), mib(limit))
			}
			if peak > limit {
				t.Errorf("%s: live heap grew %.1f MiB, want at most %.1f MiB", name, mib(peak), mib(limit))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// measure runs f and returns the bytes it allocated and the peak growth of
// live heap objects while it ran (both process-wide, so the in-process test
// server's few small buffers are included).
func measure(f func() error) (alloc, peak uint64, err error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var max atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > max.Load() {
				max.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	err = f()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, max.Load(), err
}
