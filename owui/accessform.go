package owui

import "github.com/owui-mcp/owui-mcp/internal/jsonscan"

// appendJSON appends f exactly as json.Marshal(f) writes it. An access
// update is sent once per model by update_models (hundreds in a row), and
// encoding/json's reflection is most of the cost of building its request.
// FuzzAccessFormJSON compares the two.
func (f AccessForm) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonscan.AppendString(b, f.ID)
	if f.Name != nil {
		b = append(b, `,"name":`...)
		b = jsonscan.AppendString(b, *f.Name)
	}
	b = append(b, `,"access_grants":`...)
	if f.AccessGrants == nil {
		return append(b, `null}`...)
	}
	b = append(b, '[')
	for i, g := range f.AccessGrants {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"principal_type":`...)
		b = jsonscan.AppendString(b, g.PrincipalType)
		b = append(b, `,"principal_id":`...)
		b = jsonscan.AppendString(b, g.PrincipalID)
		b = append(b, `,"permission":`...)
		b = jsonscan.AppendString(b, g.Permission)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
