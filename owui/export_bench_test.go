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
