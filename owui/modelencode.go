package owui

import (
	"strconv"
	"unicode/utf8"
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
		b = appendHTMLString(b, m.VersionID)
		b = append(b, ',')
	}
	b = append(b, `"id":`...)
	b = appendHTMLString(b, m.ID)
	b = append(b, `,"user_id":`...)
	b = appendHTMLString(b, m.UserID)
	b = append(b, `,"base_model_id":`...)
	if m.BaseModelID == nil {
		b = append(b, "null"...)
	} else {
		b = appendHTMLString(b, *m.BaseModelID)
	}
	b = append(b, `,"name":`...)
	b = appendHTMLString(b, m.Name)
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
		b = appendHTMLString(b, u.ID)
		if u.Name != "" {
			b = append(b, `,"name":`...)
			b = appendHTMLString(b, u.Name)
		}
		if u.Email != "" {
			b = append(b, `,"email":`...)
			b = appendHTMLString(b, u.Email)
		}
		if u.Role != "" {
			b = append(b, `,"role":`...)
			b = appendHTMLString(b, u.Role)
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
		b = appendHTMLString(b, g.ID)
		b = append(b, ',')
	}
	if g.ResourceType != "" {
		b = append(b, `"resource_type":`...)
		b = appendHTMLString(b, g.ResourceType)
		b = append(b, ',')
	}
	if g.ResourceID != "" {
		b = append(b, `"resource_id":`...)
		b = appendHTMLString(b, g.ResourceID)
		b = append(b, ',')
	}
	b = append(b, `"principal_type":`...)
	b = appendHTMLString(b, g.PrincipalType)
	b = append(b, `,"principal_id":`...)
	b = appendHTMLString(b, g.PrincipalID)
	b = append(b, `,"permission":`...)
	b = appendHTMLString(b, g.Permission)
	if g.CreatedAt != 0 {
		b = append(b, `,"created_at":`...)
		b = strconv.AppendInt(b, g.CreatedAt, 10)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes encoding/json writes unescaped in a
// string when it escapes HTML: all but control characters, ", \, <, >, &.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendHTMLString appends s as a JSON string as json.Marshal writes it.
func appendHTMLString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control characters, <, >, &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

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
