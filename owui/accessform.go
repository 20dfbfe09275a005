package owui

import "encoding/json"

// appendJSON appends f exactly as json.Marshal(f) writes it. An access
// update is sent once per model by update_models (hundreds in a row), and
// encoding/json's reflection is most of the cost of building its request.
// FuzzAccessFormJSON compares the two.
func (f AccessForm) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendFormString(b, f.ID)
	if f.Name != nil {
		b = append(b, `,"name":`...)
		b = appendFormString(b, *f.Name)
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
		b = appendFormString(b, g.PrincipalType)
		b = append(b, `,"principal_id":`...)
		b = appendFormString(b, g.PrincipalID)
		b = append(b, `,"permission":`...)
		b = appendFormString(b, g.Permission)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendFormString appends s as json.Marshal quotes it. Ids, principals and
// permissions are plain ASCII: those are copied as they are; anything that
// json.Marshal would escape (quote, backslash, control bytes, <, >, &,
// non-ASCII for its U+2028/U+2029 and invalid UTF-8 rules) is left to
// json.Marshal itself.
func appendFormString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
