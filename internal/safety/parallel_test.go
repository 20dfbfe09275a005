package safety

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"
)

// topBytes is the canonical JSON Fingerprint hashes for v (writeTop, with
// its parallel chunks), and whether it walked v.
func topBytes(v any) ([]byte, bool) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	ok := writeTop(w, v)
	w.Flush()
	return buf.Bytes(), ok
}

// testRecord is a bound record of varied content (as tools.boundOf builds
// one): escapes, non-ASCII, numbers, raw meta with unsorted keys, so a
// chunk boundary in the wrong place or a missing comma changes the bytes.
func testRecord(i int) any {
	var base any
	if i%3 == 0 {
		base = fmt.Sprintf("base-%d", i%7)
	}
	meta := fmt.Sprintf(`{"tags":[{"name":"t%d"},{"name":"bench-bulk"}], "description":"<b>é %d</b>\n","capabilities":{"vision":%t},"n":%d.50}`, i, i, i%2 == 0, i)
	return Fields{{Key: "base_model_id", Value: base}, {Key: "grants", Value: []string{fmt.Sprintf("group\x00g%d\x00read", i%5)}},
		{Key: "id", Value: fmt.Sprintf("team/bot-%04d", i)}, {Key: "is_active", Value: i%4 != 0},
		{Key: "meta", Value: RawObject(meta)}, {Key: "name", Value: fmt.Sprintf("Bot «%d»", i)},
		{Key: "params", Value: RawObject(`{"temperature":0.7,"system":"be brief"}`)}, {Key: "user_id", Value: "u1"},
		{Key: "version_id", Value: ""}}
}

func testRecords(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = testRecord(i)
	}
	return out
}

// TestFingerprintParallelMatchesSerial: the parallel walk of a long list
// writes exactly the serial walk's bytes (so the same hash), for lengths
// around the threshold and the chunk sizes, the 500 records of the bulk
// benchmark, empty and nil lists, on 1 to 7 cores; and a list that cannot
// be walked (invalid UTF-8 in any chunk) is refused by both, so the
// fingerprint comes from the round trip either way.
func TestFingerprintParallelMatchesSerial(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 7} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 31, 32, 63, 64, 65, 66, 95, 96, 97, 127, 128, 129, 191, 192, 224, 225, 500} {
			recs := testRecords(n)
			states := map[string]any{
				"list":  recs,
				"state": map[string]any{"models": recs, "read_only": []string{"a", "b"}},
				"two":   map[string]any{"a": recs, "b": recs[:n/2], "c": 1.0},
				"deep":  map[string]any{"x": map[string]any{"models": recs}},
				"mixed": append([]any{"not a record"}, recs...),
			}
			for name, v := range states {
				got, gotOK := topBytes(v)
				want, wantOK := plainBytes(v)
				if !gotOK || !wantOK || !bytes.Equal(got, want) {
					t.Fatalf("procs %d, %d records, %s: parallel (%t) %.300s\nserial (%t) %.300s", procs, n, name, gotOK, got, wantOK, want)
				}
				sum := sha256.Sum256(want)
				if fp := Fingerprint(v); fp != hex.EncodeToString(sum[:]) {
					t.Fatalf("procs %d, %d records, %s: fingerprint %s, serial %x", procs, n, name, fp, sum)
				}
			}
			for _, bad := range []int{0, n / 3, n / 2, n - 1} {
				if n == 0 {
					break
				}
				broken := append([]any(nil), recs...)
				broken[bad] = Fields{{Key: "id", Value: "bad\xff"}}
				v := map[string]any{"models": broken, "read_only": []string(nil)}
				if _, ok := topBytes(v); ok {
					t.Fatalf("procs %d, %d records: invalid UTF-8 at %d was walked", procs, n, bad)
				}
				if procs != 2 {
					continue // the round trip is slow; the walk refused alike
				}
				if got, want := Fingerprint(v), slowFingerprint(t, v); got != want {
					t.Fatalf("procs %d, %d records, invalid UTF-8 at %d: %s != round trip %s", procs, n, bad, got, want)
				}
			}
		}
		for name, v := range map[string]any{"nil list": []any(nil), "nil in state": map[string]any{"models": []any(nil)}, "empty state": map[string]any{}, "nil": nil} {
			got, gotOK := topBytes(v)
			want, wantOK := plainBytes(v)
			if gotOK != wantOK || !bytes.Equal(got, want) {
				t.Fatalf("procs %d, %s: parallel %s, serial %s", procs, name, got, want)
			}
		}
	}
}

// BenchmarkFingerprintRecords: the 500 records walked serially (the
// previous Fingerprint) and by Fingerprint.
func BenchmarkFingerprintRecords(b *testing.B) {
	state := map[string]any{"models": testRecords(500), "read_only": []string{}}
	serial := func(v any) string {
		h := sha256.New()
		w := bufio.NewWriterSize(h, 4096)
		writePlain(w, v)
		w.Flush()
		return hex.EncodeToString(h.Sum(nil))
	}
	if serial(state) != Fingerprint(state) {
		b.Fatal("the two ways disagree")
	}
	for _, c := range []struct {
		name string
		fp   func(any) string
	}{{"serial", serial}, {"parallel", Fingerprint}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.fp(state)
			}
		})
	}
}
