package redact

import (
	"encoding/json"
	"fmt"
	"testing"
)

// benchDoc is a list answer of 30 models without any secret: the common case.
func benchDoc() []byte {
	var items []map[string]any
	for i := range 30 {
		items = append(items, map[string]any{"id": fmt.Sprintf("model-%d", i), "name": "Model", "meta": map[string]any{
			"description": "A helpful assistant that reviews code and writes summaries of meetings.",
			"tags":        []any{map[string]any{"name": "engineering"}}}, "params": map[string]any{"system": "You are helpful."}})
	}
	b, _ := json.Marshal(map[string]any{"items": items, "total": 30})
	return b
}

func BenchmarkJSONClean(b *testing.B) {
	s := New("sk-0123456789abcdef0123456789abcdef")
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		s.JSON(doc)
	}
}

func BenchmarkValueClean(b *testing.B) {
	s := New("sk-0123456789abcdef0123456789abcdef")
	var v any
	_ = json.Unmarshal(benchDoc(), &v)
	for b.Loop() {
		s.Value(v)
	}
}

func BenchmarkWithCallerToken(b *testing.B) {
	s := New("sk-0123456789abcdef0123456789abcdef")
	for b.Loop() {
		s.With("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InUtYWRtaW4ifQ.c2lnbmF0dXJlc2lnbmF0dXJl")
	}
}
