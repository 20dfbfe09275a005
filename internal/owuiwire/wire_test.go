package owuiwire

import (
	"errors"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// The wants were printed by CPython 3.11's json.dumps on the same value.
func TestDumpsMatchesPython(t *testing.T) {
	in := `{"a":[1,2.5,{"b":"x\u00e9\t\"y"}],"e":{},"f":[],"g":null,"h":true,"i":1e20}`
	for _, c := range []struct {
		name   string
		indent int
		ascii  bool
		want   string
	}{
		{"default", -1, true, "{\"a\": [1, 2.5, {\"b\": \"x\\u00e9\\t\\\"y\"}], \"e\": {}, \"f\": [], \"g\": null, \"h\": true, \"i\": 1e+20}"},
		{"indent=2, ensure_ascii=False", 2, false, "{\n  \"a\": [\n    1,\n    2.5,\n    {\n      \"b\": \"x\u00e9\\t\\\"y\"\n    }\n  ],\n  \"e\": {},\n  \"f\": [],\n  \"g\": null,\n  \"h\": true,\n  \"i\": 1e+20\n}"},
	} {
		got, err := Dumps([]byte(in), c.indent, c.ascii)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", c.name, got, err, c.want)
		}
	}
}

func TestToolResult(t *testing.T) {
	text := func(s string) mcp.Content { return mcp.TextContent{Type: "text", Text: s} }
	cases := []struct {
		name string
		res  *mcp.CallToolResult
		want string
		err  error
	}{
		{"plain text alone goes through unchanged",
			&mcp.CallToolResult{Content: []mcp.Content{text("3 models\nid\tname")}}, "3 models\nid\tname", nil},
		{"structuredContent differing from the text is appended, all wrapped in results",
			&mcp.CallToolResult{Content: []mcp.Content{text("1 model")}, StructuredContent: map[string]any{"n": 1, "a": "x"}},
			"{\n  \"results\": [\n    \"1 model\",\n    {\n      \"a\": \"x\",\n      \"n\": 1\n    }\n  ]\n}", nil},
		{"a JSON text equal to structuredContent is not repeated, but re-indented",
			&mcp.CallToolResult{Content: []mcp.Content{text(`{"n":1,"a":"x"}`)}, StructuredContent: map[string]any{"a": "x", "n": 1}},
			"{\n  \"n\": 1,\n  \"a\": \"x\"\n}", nil},
		{"isError raises in Open WebUI",
			&mcp.CallToolResult{IsError: true, Content: []mcp.Content{text("boom")}}, "", ErrToolError},
	}
	for _, c := range cases {
		got, err := ToolResult(c.res)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("%s:\n got %q (%v)\nwant %q (%v)", c.name, got, err, c.want, c.err)
		}
	}
}
