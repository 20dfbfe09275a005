// Package jsonscan scans JSON text in place, without allocating: it
// validates exactly what encoding/json accepts, skips values, walks the
// members of an object and compares raw keys with names as encoding/json
// matches them. Callers decode only the parts they need (httpserve's
// message classifier, owui's access-answer decoder and owui.Object).
//
// Indexes are into the caller's bytes; -1 means "not valid JSON here".
// The Valid* functions trust that the bytes were validated already (by
// encoding/json or by this package) and only find where things end.
package jsonscan

import (
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is encoding/json's nesting limit: a document nested deeper is a
// syntax error there. Depth limits given to this package are capped at it.
const MaxDepth = 10000

// Valid reports whether b is exactly one JSON value, as json.Valid does,
// with containers nested at most limit deep.
func Valid(b []byte, limit int) bool {
	i := SkipSpace(b, 0)
	if i == len(b) {
		return false
	}
	i = SkipValue(b, i, 0, limit)
	return i >= 0 && SkipSpace(b, i) == len(b)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// SkipSpace returns the index of the first non-space byte at or after i.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// SkipString returns the index just past the string that starts with the
// quote at b[i] (-1 if invalid), and whether it holds an escape. Like
// encoding/json: control characters are invalid, other bytes (even invalid
// UTF-8) are not.
func SkipString(b []byte, i int) (end int, esc bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, false
	}
	for i++; ; i++ {
		if i = skipPlain(b, i); i == len(b) {
			return -1, esc
		}
		switch b[i] {
		case '"':
			return i + 1, esc
		case '\\':
			esc = true
			i++
			if i == len(b) {
				return -1, esc
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return -1, esc
				}
				for _, h := range b[i+1 : i+5] {
					if hexVal(h) < 0 {
						return -1, esc
					}
				}
				i += 4
			default:
				return -1, esc
			}
		default: // a control character
			return -1, esc
		}
	}
}

// skipPlain returns the index of the first quote, backslash or control
// character at or after i, or len(b). Most string bytes are plain: they
// are tested eight at a time, the word holding a stop byte by byte.
func skipPlain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if hasStop(binary.LittleEndian.Uint64(b[i:])) {
			break
		}
	}
	for i < len(b) && !strStop[b[i]] {
		i++
	}
	return i
}

// hasStop reports whether one of the eight bytes of x is a quote, a
// backslash or below 0x20. (w-ones)&^w has a byte's high bit set below
// the first zero byte of w only if w has one (a borrow starts only at a
// zero byte), so it finds whether there is one exactly; x-0x20 per byte
// likewise finds a byte below 0x20, and bytes of 0x80 and above, whose
// high bit ^x clears, never match on their own.
func hasStop(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	s := x ^ (ones * '\\')
	return ((q-ones)&^q|(s-ones)&^s|(x-ones*0x20)&^x)&highs != 0
}

// strStop marks the bytes that end a run of plain string bytes: the quote,
// the backslash and the control characters.
var strStop = [256]bool{
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
	'"': true, '\\': true,
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// SkipLiteral returns the index past lit at b[i], or -1.
func SkipLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// SkipNumber returns the index past the JSON number at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func SkipNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// SkipValue returns the index just past the JSON value that starts at b[i],
// or -1 if it is not valid JSON. depth is the number of containers already
// open around b[i]; a container nested deeper than limit (capped at
// MaxDepth) makes the value invalid, as encoding/json's limit does.
func SkipValue(b []byte, i, depth, limit int) int {
	if limit > MaxDepth {
		limit = MaxDepth
	}
	// Most values nest less than 64 deep: one word of stack. A deeper one
	// is scanned again with room for MaxDepth.
	var small [1]uint64
	if end := skipValue(b, i, depth, limit, small[:]); end != errDeep {
		return end
	}
	return skipValueDeep(b, i, depth, limit)
}

//go:noinline
func skipValueDeep(b []byte, i, depth, limit int) int {
	var st [MaxDepth/64 + 1]uint64
	return skipValue(b, i, depth, limit, st[:])
}

const errDeep = -2 // skipValue ran out of stack

// skipValue is SkipValue with st recording, for each container open inside
// the value, whether it is an object. Containers are walked iteratively.
func skipValue(b []byte, i, depth, limit int, st []uint64) int {
	d := 0 // open containers inside this value
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth+d+1 > limit {
				return -1
			}
			if d/64 >= len(st) {
				return errDeep
			}
			obj := c == '{'
			if obj {
				st[d/64] |= 1 << (d % 64)
			} else {
				st[d/64] &^= 1 << (d % 64)
			}
			i = SkipSpace(b, i+1)
			if i < len(b) && (obj && b[i] == '}' || !obj && b[i] == ']') {
				i++ // empty container: a complete value
				break
			}
			d++
			if obj {
				if i = skipKey(b, i); i < 0 {
					return -1
				}
			}
			continue // its first value
		case '"':
			i, _ = SkipString(b, i)
		case 't':
			i = SkipLiteral(b, i, "true")
		case 'f':
			i = SkipLiteral(b, i, "false")
		case 'n':
			i = SkipLiteral(b, i, "null")
		default:
			i = SkipNumber(b, i)
		}
		if i < 0 {
			return -1
		}
		// A value ended at b[i-1]: close containers or move to the next element.
		for {
			if d == 0 {
				return i
			}
			i = SkipSpace(b, i)
			if i == len(b) {
				return -1
			}
			obj := st[(d-1)/64]&(1<<((d-1)%64)) != 0
			switch c := b[i]; {
			case c == ',':
				i = SkipSpace(b, i+1)
				if obj {
					if i = skipKey(b, i); i < 0 {
						return -1
					}
				}
			case obj && c == '}' || !obj && c == ']':
				i++
				d--
				continue
			default:
				return -1
			}
			break
		}
	}
}

// skipKey skips `"key" :` and the space after it; -1 if that is not there.
func skipKey(b []byte, i int) int {
	if i, _ = SkipString(b, i); i < 0 {
		return -1
	}
	i = SkipSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return -1
	}
	return SkipSpace(b, i+1)
}

// ValidString returns the index just past the string that starts at b[i],
// which must be valid (len(b) if it is not terminated).
func ValidString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		i = skipPlain(b, i)
		if i == len(b) {
			break
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++ // an escape: the next byte never ends the string
		}
	}
	return len(b)
}

// ValidValue returns the index just past the value that starts at b[i],
// which must be valid: it only finds where strings and containers end.
func ValidValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return ValidString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = ValidString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// Members walks the members of the object that starts at b[i]:
//
//	m := jsonscan.Members(b, i, limit)
//	for m.Next() { use m.Key, m.Value }
//	end := m.End() // past the '}', or -1 if the object is invalid
//
// It validates as it goes (the values' nesting counts the object as depth
// 1 toward limit); see ValidMembers for bytes known to be valid.
func Members(b []byte, i, limit int) MemberIter {
	return MemberIter{b: b, i: i, limit: limit}
}

// ValidMembers is Members over an object known to be valid JSON: it only
// finds where keys and values end.
func ValidMembers(b []byte, i int) MemberIter {
	return MemberIter{b: b, i: i, trusted: true}
}

// MemberIter is the state of a walk over an object's members.
type MemberIter struct {
	Key    []byte // the raw key of the current member, between the quotes
	KeyEsc bool   // Key holds an escape (Members only; false under ValidMembers)
	Value  []byte // the raw value of the current member

	b       []byte
	i       int
	limit   int
	trusted bool
	started bool
	end     int // when done: past '}', or -1
	done    bool
}

// Next moves to the next member; false at the end of the object or at
// the first syntax error (End tells which).
func (m *MemberIter) Next() bool {
	if m.done {
		return false
	}
	b, i := m.b, m.i
	if !m.started {
		m.started = true
		if i >= len(b) || b[i] != '{' {
			return m.fail()
		}
		i = SkipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return m.finish(i + 1)
		}
	} else {
		i = SkipSpace(b, i)
		switch {
		case i < len(b) && b[i] == '}':
			return m.finish(i + 1)
		case i < len(b) && b[i] == ',':
			i = SkipSpace(b, i+1)
		default:
			return m.fail()
		}
	}
	if m.trusted {
		if i >= len(b) || b[i] != '"' {
			return m.fail()
		}
		end := ValidString(b, i)
		m.Key, m.KeyEsc = b[i+1:max(end-1, i+1)], false
		i = SkipSpace(b, end)
		i = SkipSpace(b, i+1) // past ':'
		end = ValidValue(b, i)
		m.Value = b[min(i, end):end]
		m.i = end
		return true
	}
	end, esc := SkipString(b, i)
	if end < 0 {
		return m.fail()
	}
	m.Key, m.KeyEsc = b[i+1:end-1], esc
	i = SkipSpace(b, end)
	if i == len(b) || b[i] != ':' {
		return m.fail()
	}
	i = SkipSpace(b, i+1)
	if end = SkipValue(b, i, 1, m.limit); end < 0 {
		return m.fail()
	}
	m.Value = b[i:end]
	m.i = end
	return true
}

func (m *MemberIter) fail() bool { return m.finish(-1) }

func (m *MemberIter) finish(end int) bool {
	m.done, m.end = true, end
	m.Key, m.Value = nil, nil
	return false
}

// End is, once Next has returned false, the index just past the object's
// closing brace, or -1 if the object is not valid JSON.
func (m *MemberIter) End() int { return m.end }

// nextRune decodes the character of valid string contents s at i as
// encoding/json unquotes it: escapes resolved, a lone surrogate or an
// invalid UTF-8 byte giving U+FFFD.
func nextRune(s []byte, i int) (rune, int) {
	c := s[i]
	if c >= utf8.RuneSelf {
		r, n := utf8.DecodeRune(s[i:])
		return r, i + n
	}
	if c != '\\' {
		return rune(c), i + 1
	}
	switch e := s[i+1]; e {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r := hex4(s[i+2:])
		if !utf16.IsSurrogate(r) {
			return r, i + 6
		}
		if i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if d := utf16.DecodeRune(r, hex4(s[i+8:])); d != unicode.ReplacementChar {
				return d, i + 12
			}
		}
		return unicode.ReplacementChar, i + 6
	default: // '"', '\\', '/'
		return rune(e), i + 2
	}
}

// AppendUnquoted appends the contents s of a valid string (between the
// quotes) as encoding/json decodes them: escapes resolved, a lone
// surrogate or an invalid UTF-8 byte giving U+FFFD. The result is always
// valid UTF-8.
func AppendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		var r rune
		r, i = nextRune(s, i)
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

func hex4(s []byte) rune {
	return rune(hexVal(s[0])<<12 | hexVal(s[1])<<8 | hexVal(s[2])<<4 | hexVal(s[3]))
}

// Equal reports whether the raw contents of a valid string decode to name.
func Equal(raw []byte, name string) bool {
	i, j := 0, 0
	for i < len(raw) && j < len(name) {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' {
			if c != name[j] {
				return false
			}
			i++
			j++
			continue
		}
		r, ni := nextRune(raw, i)
		s, n := utf8.DecodeRuneInString(name[j:])
		if r != s || s == utf8.RuneError && n == 1 {
			return false // a decoded string holds no invalid UTF-8
		}
		i, j = ni, j+n
	}
	return i == len(raw) && j == len(name)
}

// EqualFold reports whether the raw contents of a valid string, decoded,
// match name the way encoding/json matches a key with a field name when
// no name matches exactly: equal after simple Unicode case folding (so
// "ſ" matches "s" and "K" (Kelvin) matches "k").
func EqualFold(raw []byte, name string) bool {
	i, j := 0, 0
	for i < len(raw) && j < len(name) {
		if c, d := raw[i], name[j]; c < utf8.RuneSelf && c != '\\' && d < utf8.RuneSelf {
			if c != d && upper(c) != upper(d) {
				return false
			}
			i++
			j++
			continue
		}
		r, ni := nextRune(raw, i)
		s, n := utf8.DecodeRuneInString(name[j:])
		if foldRune(r) != foldRune(s) {
			return false
		}
		i, j = ni, j+n
	}
	return i == len(raw) && j == len(name)
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// foldRune is the smallest rune of r's case-folding set (encoding/json's
// folding of names).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(upper(byte(r)))
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// AppendString appends s quoted exactly as json.Marshal writes a string:
// HTML characters escaped, U+2028 and U+2029 too, invalid UTF-8 as
// \ufffd. The fingerprint, the backups' model encoder and the access-update
// body writer share it.
func AppendString[S []byte | string](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		// As encoding/json does: a short string conversion stays on the stack.
		r, size := utf8.DecodeRuneInString(string(s[i : i+min(len(s)-i, utf8.UTFMax)]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
