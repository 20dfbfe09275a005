package owui

import (
	"strconv"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// AppendJSON appends m encoded exactly as json.Marshal(m) encodes it: the
// same fields in the same order, the same omitempty, the same string
// escapes (HTML-safe: <, >, & as \u003c \u003e \u0026; invalid UTF-8 as
// \ufffd; U+2028 and U+2029 escaped), meta and params compacted and escaped
// as encoding/json treats what a MarshalJSON method returns.
//
// A bulk change's backup writes up to 500 records, and json.Marshal spends
// most of each re-validating and compacting the Object bytes with its
// byte-at-a-time scanner; an Object always holds valid JSON (or nothing),
// so here one plain pass copies it. TestModelAppendJSON and
// FuzzModelAppendJSON hold it to json.Marshal's bytes.
func (m Model) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if m.VersionID != "" {
		b = append(b, `"version_id":`...)
		b = jsonscan.AppendString(b, m.VersionID)
		b = append(b, ',')
	}
	b = append(b, `"id":`...)
	b = jsonscan.AppendString(b, m.ID)
	b = append(b, `,"user_id":`...)
	b = jsonscan.AppendString(b, m.UserID)
	b = append(b, `,"base_model_id":`...)
	if m.BaseModelID == nil {
		b = append(b, "null"...)
	} else {
		b = jsonscan.AppendString(b, *m.BaseModelID)
	}
	b = append(b, `,"name":`...)
	b = jsonscan.AppendString(b, m.Name)
	b = append(b, `,"params":`...)
	b = m.Params.appendCompact(b)
	b = append(b, `,"meta":`...)
	b = m.Meta.appendCompact(b)
	b = append(b, `,"access_grants":`...)
	if m.AccessGrants == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, g := range m.AccessGrants {
			if i > 0 {
				b = append(b, ',')
			}
			b = g.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"is_active":`...)
	b = strconv.AppendBool(b, m.IsActive)
	b = append(b, `,"updated_at":`...)
	b = strconv.AppendInt(b, m.UpdatedAt, 10)
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, m.CreatedAt, 10)
	if u := m.User; u != nil {
		b = append(b, `,"user":{"id":`...)
		b = jsonscan.AppendString(b, u.ID)
		if u.Name != "" {
			b = append(b, `,"name":`...)
			b = jsonscan.AppendString(b, u.Name)
		}
		if u.Email != "" {
			b = append(b, `,"email":`...)
			b = jsonscan.AppendString(b, u.Email)
		}
		if u.Role != "" {
			b = append(b, `,"role":`...)
			b = jsonscan.AppendString(b, u.Role)
		}
		b = append(b, '}')
	}
	if m.WriteAccess != nil {
		b = append(b, `,"write_access":`...)
		b = strconv.AppendBool(b, *m.WriteAccess)
	}
	return append(b, '}')
}

// appendJSON appends g as json.Marshal encodes it.
func (g AccessGrant) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if g.ID != "" {
		b = append(b, `"id":`...)
		b = jsonscan.AppendString(b, g.ID)
		b = append(b, ',')
	}
	if g.ResourceType != "" {
		b = append(b, `"resource_type":`...)
		b = jsonscan.AppendString(b, g.ResourceType)
		b = append(b, ',')
	}
	if g.ResourceID != "" {
		b = append(b, `"resource_id":`...)
		b = jsonscan.AppendString(b, g.ResourceID)
		b = append(b, ',')
	}
	b = append(b, `"principal_type":`...)
	b = jsonscan.AppendString(b, g.PrincipalType)
	b = append(b, `,"principal_id":`...)
	b = jsonscan.AppendString(b, g.PrincipalID)
	b = append(b, `,"permission":`...)
	b = jsonscan.AppendString(b, g.Permission)
	if g.CreatedAt != 0 {
		b = append(b, `,"created_at":`...)
		b = strconv.AppendInt(b, g.CreatedAt, 10)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// compactStop marks the bytes appendCompact acts on: white space (dropped
// outside strings), the quote and backslash (string boundaries), the HTML
// characters and the first byte of U+2028/U+2029 (escaped).
var compactStop = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '"': true, '\\': true,
	'<': true, '>': true, '&': true, 0xE2: true}

// appendCompact appends the object as encoding/json writes what MarshalJSON
// returns (its appendCompact with HTML escaping): white space outside
// strings dropped, <, > and & escaped as \u003c etc., U+2028 and U+2029 as
// \u2028 and \u2029, every other byte as it is. o.raw is valid JSON, so
// tracking where strings start and end is all the scanning it needs.
func (o Object) appendCompact(b []byte) []byte {
	raw := o.raw
	if raw == nil {
		return append(b, "null"...)
	}
	start, inString := 0, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !compactStop[c] {
			continue
		}
		switch c {
		case '"':
			inString = !inString
		case '\\':
			i++ // inside a string: the escaped byte neither ends it nor needs escaping
		case ' ', '\t', '\n', '\r':
			if !inString {
				b = append(b, raw[start:i]...)
				start = i + 1
			}
		case '<', '>', '&':
			b = append(b, raw[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			start = i + 1
		case 0xE2:
			if i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8 {
				b = append(b, raw[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[raw[i+2]&0xF])
				i += 2
				start = i + 1
			}
		}
	}
	return append(b, raw[start:]...)
}
