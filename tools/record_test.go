package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// A full record passes meta and params through as Open WebUI sent them
// (its key order, compacted, HTML escaped as a map was) and omits them when
// empty, as it did when they were maps.
func TestRecordPassesMetaAndParamsThrough(t *testing.T) {
	cases := []struct {
		name, meta, params string
		want               string // the meta and params part of the result
		desc               string
		tags               []string
	}{
		{"order kept", `{"z":1, "description":"d <b>","tags":[{"name":"t"},"old"]}`, `{"temperature":0.2,"system":"s"}`,
			`"description":"d \u003cb\u003e","meta":{"z":1,"description":"d \u003cb\u003e","tags":[{"name":"t"},"old"]},"params":{"temperature":0.2,"system":"s"}`,
			"d <b>", []string{"t", "old"}},
		{"empty omitted", `{ }`, `null`, ``, "", nil},
		{"absent omitted", `null`, `{}`, ``, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m owui.Model
			if err := json.Unmarshal([]byte(`{"id":"m","name":"M","meta":`+c.meta+`,"params":`+c.params+`}`), &m); err != nil {
				t.Fatal(err)
			}
			r := record(m)
			if r.Description != c.desc || strings.Join(r.Tags, ",") != strings.Join(c.tags, ",") {
				t.Errorf("description %q tags %q", r.Description, r.Tags)
			}
			b, err := json.Marshal(schemas.ModelResult{Model: r})
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			if c.want == "" {
				if strings.Contains(got, `"meta"`) || strings.Contains(got, `"params"`) {
					t.Errorf("empty meta/params not omitted: %s", got)
				}
				return
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("result %s\nwant it to hold %s", got, c.want)
			}
		})
	}
}
