package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/schemas"
)

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

// TestAccessArgumentsFollowTheFlag: arguments that only
// --allow-access-changes accepts (schemas.NeedsClass) are not advertised
// while it is off, are advertised when it is on, and the marker keyword
// itself is never published. A call that passes one anyway is refused with
// the flag to set (TestAccessGrantsNeedTheFlag).
func TestAccessArgumentsFollowTheFlag(t *testing.T) {
	gated := map[string][]string{
		"create_model":  {"access_grants"},
		"update_model":  {"access_grants"},
		"update_models": {"add_grants", "remove_grants"},
	}
	for _, c := range []struct {
		name string
		opts Options
		want bool
	}{
		{"access changes off", Options{Confirm: ConfirmAuto}, false},
		{"access changes on", Options{Confirm: ConfirmAuto, AllowAccessChanges: true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, withOptions(c.opts))
			res, err := e.client.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, tl := range res.Tools {
				raw, err := json.Marshal(tl.InputSchema)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(raw), schemas.NeedsClass) {
					t.Errorf("%s publishes the %s keyword: %s", tl.Name, schemas.NeedsClass, raw)
				}
				for _, arg := range gated[tl.Name] {
					seen++
					if _, ok := tl.InputSchema.Properties[arg]; ok != c.want {
						t.Errorf("%s: argument %s advertised = %v, want %v", tl.Name, arg, ok, c.want)
					}
				}
				for _, r := range tl.InputSchema.Required {
					if _, ok := tl.InputSchema.Properties[r]; !ok {
						t.Errorf("%s requires %s, which it does not advertise", tl.Name, r)
					}
				}
			}
			if seen != 4 {
				t.Errorf("checked %d gated arguments, want 4 (a tool left the list?)", seen)
			}
		})
	}
}
