package fakeowui

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The model answers are the fake's bulk output (list pages, exports, every
// write), so jsonResp writes them by hand instead of through encoding/json
// reflection, which also re-validates the bytes of every metaJSON. The
// bytes are the same as encoding/json's with SetEscapeHTML(false): same
// key order (struct fields in declaration order, embedded ones in place,
// map keys sorted), same escapes. TestWireGolden pins the answers and
// TestAppendString the string escaping.

// appender is a response value that can write itself (see jsonResp).
type appender interface {
	appendJSON(e valueEncoder) error
}

// appendString writes s as a JSON string exactly as encoding/json does
// without HTML escaping: \" \\ \b \f \n \r \t, other control bytes as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// value writes v as encoding/json would. Decoded JSON (maps, lists,
// strings, float64, bool, nil: all that meta and params hold) is written
// directly; any other type goes through the encoder.
func (e valueEncoder) value(v any) error {
	b := e.b
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		appendString(b, v)
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return e.encode(v) // encoding/json's error
		}
		// encoding/json's float64 form: 'f' unless the magnitude needs
		// an exponent, which loses the leading zero of e-0X.
		format := byte('f')
		if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
		num := strconv.AppendFloat(b.AvailableBuffer(), v, format, -1, 64)
		if n := len(num); format == 'e' && n >= 4 && num[n-4] == 'e' && num[n-3] == '-' && num[n-2] == '0' {
			num[n-2] = num[n-1]
			num = num[:n-1]
		}
		b.Write(num)
	case map[string]any:
		if v == nil {
			b.WriteString("null")
			return nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(b, k)
			b.WriteByte(':')
			if err := e.value(v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		if v == nil {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.value(x); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return e.encode(v)
	}
	return nil
}

// objWriter writes the members of one JSON object.
type objWriter struct {
	b *bytes.Buffer
	n int
}

func (e valueEncoder) object() objWriter {
	e.b.WriteByte('{')
	return objWriter{b: e.b}
}

// key starts a member; name is a plain ASCII field name.
func (o *objWriter) key(name string) *bytes.Buffer {
	if o.n > 0 {
		o.b.WriteByte(',')
	}
	o.n++
	o.b.WriteByte('"')
	o.b.WriteString(name)
	o.b.WriteString(`":`)
	return o.b
}

func (o *objWriter) str(name, v string) { appendString(o.key(name), v) }

func (o *objWriter) int(name string, v int64) {
	b := o.key(name)
	b.Write(strconv.AppendInt(b.AvailableBuffer(), v, 10))
}

func (o *objWriter) bool(name string, v bool) {
	b := o.key(name)
	if v {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
}

func (o *objWriter) strPtr(name string, v *string) {
	if v == nil {
		o.key(name).WriteString("null")
		return
	}
	o.str(name, *v)
}

func (o *objWriter) end() { o.b.WriteByte('}') }

// members writes modelJSON's fields into an open object.
func (m *modelJSON) members(e valueEncoder, o *objWriter) error {
	if m.VersionID != "" {
		o.str("version_id", m.VersionID)
	}
	o.str("id", m.ID)
	o.str("user_id", m.UserID)
	o.strPtr("base_model_id", m.BaseModelID)
	o.str("name", m.Name)
	o.key("params")
	if err := e.value(m.Params); err != nil {
		return err
	}
	o.key("meta") // encoding/json calls MarshalJSON on a nil map too: {}
	if err := m.Meta.appendJSON(e); err != nil {
		return err
	}
	o.key("access_grants")
	if m.AccessGrants == nil {
		e.b.WriteString("null")
	} else {
		e.b.WriteByte('[')
		for i := range m.AccessGrants {
			if i > 0 {
				e.b.WriteByte(',')
			}
			g := &m.AccessGrants[i]
			g2 := e.object()
			g2.str("id", g.ID)
			g2.str("resource_type", g.ResourceType)
			g2.str("resource_id", g.ResourceID)
			g2.str("principal_type", g.PrincipalType)
			g2.str("principal_id", g.PrincipalID)
			g2.str("permission", g.Permission)
			g2.int("created_at", g.CreatedAt)
			g2.end()
		}
		e.b.WriteByte(']')
	}
	o.bool("is_active", m.IsActive)
	o.int("updated_at", m.UpdatedAt)
	o.int("created_at", m.CreatedAt)
	return nil
}

func (m modelJSON) appendJSON(e valueEncoder) error {
	o := e.object()
	if err := m.members(e, &o); err != nil {
		return err
	}
	o.end()
	return nil
}

func (m modelAccessJSON) appendJSON(e valueEncoder) error {
	o := e.object()
	if err := m.members(e, &o); err != nil {
		return err
	}
	if u := m.User; u == nil {
		o.key("user").WriteString("null")
	} else {
		o.key("user")
		uo := e.object()
		uo.str("id", u.ID)
		uo.str("name", u.Name)
		uo.str("role", u.Role)
		uo.str("email", u.Email)
		uo.end()
	}
	o.bool("write_access", m.WriteAccess)
	o.end()
	return nil
}

func (m modelExportJSON) appendJSON(e valueEncoder) error {
	o := e.object()
	if err := m.members(e, &o); err != nil {
		return err
	}
	o.strPtr("background_image_data", m.BackgroundImageData)
	o.end()
	return nil
}

// appendList writes a non-nil list of appenders.
func appendList[T appender](e valueEncoder, items []T) error {
	if items == nil {
		e.b.WriteString("null")
		return nil
	}
	e.b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			e.b.WriteByte(',')
		}
		if err := it.appendJSON(e); err != nil {
			return err
		}
	}
	e.b.WriteByte(']')
	return nil
}

// modelList is a list answer of ModelModel ([]ModelModel).
type modelList []modelJSON

func (l modelList) appendJSON(e valueEncoder) error { return appendList(e, l) }

// exportList is 0.12.4's export answer.
type exportList []modelExportJSON

func (l exportList) appendJSON(e valueEncoder) error { return appendList(e, l) }

// listPage is the /list answer: {"items": [...], "total": n}.
type listPage struct {
	items []modelAccessJSON
	total int
}

func (p listPage) appendJSON(e valueEncoder) error {
	o := e.object()
	o.key("items")
	if err := appendList(e, p.items); err != nil {
		return err
	}
	o.int("total", int64(p.total))
	o.end()
	return nil
}
