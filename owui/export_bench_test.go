package owui

import (
	"encoding/json"
	"testing"
)

// BenchmarkExportDecode compares json.Unmarshal with decodeModelsFast on
// the export of 500 bench records (what a confirmed bulk change reads).
func BenchmarkExportDecode(b *testing.B) {
	body := benchExport(b, 500)
	b.Logf("export: %d bytes", len(body))
	b.Run("unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var out []Model
			if err := json.Unmarshal(body, &out); err != nil || len(out) != 500 {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var out []Model
			if !decodeModelsFast(body, &out) || len(out) != 500 {
				b.Fatal("declined")
			}
		}
	})
}

// BenchmarkModelEncode compares json.Marshal with AppendJSON on the 500
// records of the bench export (what a bulk change's backup writes).
func BenchmarkModelEncode(b *testing.B) {
	var ms []Model
	if err := json.Unmarshal(benchExport(b, 500), &ms); err != nil {
		b.Fatal(err)
	}
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, m := range ms {
				line, err := json.Marshal(m)
				if err != nil {
					b.Fatal(err)
				}
				n += len(line)
			}
			b.SetBytes(int64(n))
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			buf := make([]byte, 0, 1024*len(ms)) // as the backup encoder sizes it
			for _, m := range ms {
				buf = m.AppendJSON(buf)
			}
			b.SetBytes(int64(len(buf)))
		}
	})
}
