package tools

import "testing"

// TestCompactSchema: the chat profile drops bounds and closedness the server
// checks itself, and empty required lists, but never a property, even one
// named like a keyword, and keeps key order.
func TestCompactSchema(t *testing.T) {
	in := `{"type":"object","additionalProperties":false,"properties":{"id":{"type":"string","minLength":1,"description":"x"},"minimum":{"type":"integer","maximum":5},"g":{"type":"array","minItems":1,"items":{"type":"object","additionalProperties":false,"properties":{"p":{"type":"string"}},"required":["p"]}}},"required":[]}`
	want := `{"type":"object","properties":{"id":{"type":"string","description":"x"},"minimum":{"type":"integer"},"g":{"type":"array","items":{"type":"object","properties":{"p":{"type":"string"}},"required":["p"]}}}}`
	got, err := compactSchema([]byte(in))
	if err != nil || string(got) != want {
		t.Errorf("compactSchema:\n got %s (%v)\nwant %s", got, err, want)
	}
}
