package httpserve

import "github.com/mark3labs/mcp-go/mcp"

// messageKind classifies a POST body for the concurrency cap.
type messageKind int

const (
	kindCall         messageKind = iota // request: counted
	kindNotification                    // notification (e.g. notifications/cancelled): quick, not counted
	kindResponse                        // client's answer to a server request: not counted
	kindStream                          // subscriptions/listen: long-lived, counted as a stream
)

// maxJSONDepth is encoding/json's nesting limit: a deeper document is a
// syntax error there, so it is one here too.
const maxJSONDepth = 10000

// classify looks at the JSON-RPC message shape only: whether the top-level
// object has a "method" (and which) and an "id". mcp-go parses the body
// itself afterwards, so this is a single allocation-free pass instead of a
// second json.Unmarshal (issue 19).
//
// The answer is exactly what json.Unmarshal into
//
//	struct{ Method *string `json:"method"`; ID *json.RawMessage `json:"id"` }
//
// gives (the former implementation, kept in the tests as the reference and
// fuzzed against this one):
//   - any syntax error (including trailing data or nesting deeper than
//     10000) or a type error (a top-level value other than an object or
//     null, a "method" that is neither a string nor null): kindCall, and
//     mcp-go answers the error;
//   - keys match case-insensitively after unescaping ("METHOD",
//     "m\u0065thod"); the last of duplicate keys wins;
//   - a null "method" or "id" counts as absent (it leaves the pointer nil).
func classify(body []byte) messageKind {
	i := skipSpace(body, 0)
	if i == len(body) {
		return kindCall
	}
	if body[i] != '{' {
		// Only a top-level null decodes without error (and fills nothing).
		if j := skipLiteral(body, i, "null"); j > 0 && skipSpace(body, j) == len(body) {
			return kindResponse
		}
		return kindCall // a batch, another value or invalid JSON
	}

	var (
		depth     depthStack
		hasMethod bool
		hasID     bool
		typeError bool
		method    []byte // raw contents of the method string, between the quotes
		methodEsc bool   // method contains a backslash
	)
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			// Key.
			if i == len(body) || body[i] != '"' {
				return kindCall
			}
			end, esc := skipString(body, i)
			if end < 0 {
				return kindCall
			}
			key := body[i+1 : end-1]
			isMethod := equalFold(key, esc, "method")
			isID := !isMethod && equalFold(key, esc, "id")
			i = skipSpace(body, end)
			if i == len(body) || body[i] != ':' {
				return kindCall
			}
			i = skipSpace(body, i+1)
			if i == len(body) {
				return kindCall
			}
			// Value.
			c := body[i]
			end = skipValue(body, i, &depth)
			if end < 0 {
				return kindCall
			}
			switch {
			case isMethod && c == '"':
				hasMethod, method = true, body[i+1:end-1]
				methodEsc = indexByte(method, '\\')
			case isMethod && c == 'n':
				hasMethod = false
			case isMethod:
				typeError = true
			case isID:
				hasID = c != 'n'
			}
			i = skipSpace(body, end)
			if i == len(body) {
				return kindCall
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return kindCall
			}
			i = skipSpace(body, i+1)
		}
	}
	if skipSpace(body, i) != len(body) {
		return kindCall // trailing data
	}

	switch {
	case typeError:
		return kindCall
	case !hasMethod:
		return kindResponse
	case !hasID:
		return kindNotification
	case equal(method, methodEsc, string(mcp.MethodSubscriptionsListen)):
		return kindStream
	default:
		return kindCall
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func indexByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// depthStack records, for each open container below the top-level object,
// whether it is an object. A fixed array: no allocation, ~1.2 KB of stack.
type depthStack [maxJSONDepth/64 + 1]uint64

// skipValue returns the index just past the JSON value that starts at b[i],
// or -1 if it is not valid JSON. Containers are walked iteratively; the
// top-level object counts as depth 1 toward maxJSONDepth.
func skipValue(b []byte, i int, st *depthStack) int {
	d := 0 // open containers inside this value
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; c {
		case '{', '[':
			if d+1 >= maxJSONDepth { // with the top-level object: > maxJSONDepth
				return -1
			}
			obj := c == '{'
			if obj {
				st[d/64] |= 1 << (d % 64)
			} else {
				st[d/64] &^= 1 << (d % 64)
			}
			i = skipSpace(b, i+1)
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
			i, _ = skipString(b, i)
		case 't':
			i = skipLiteral(b, i, "true")
		case 'f':
			i = skipLiteral(b, i, "false")
		case 'n':
			i = skipLiteral(b, i, "null")
		default:
			i = skipNumber(b, i)
		}
		if i < 0 {
			return -1
		}
		// A value ended at b[i-1]: close containers or move to the next element.
		for {
			if d == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i == len(b) {
				return -1
			}
			obj := st[(d-1)/64]&(1<<((d-1)%64)) != 0
			switch c := b[i]; {
			case c == ',':
				i = skipSpace(b, i+1)
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
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i, _ = skipString(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// skipString returns the index just past the string that starts with the
// quote at b[i] (-1 if invalid), and whether it holds an escape. Like
// encoding/json: control characters are invalid, other bytes (even invalid
// UTF-8) are not.
func skipString(b []byte, i int) (int, bool) {
	esc := false
	for i++; i < len(b); i++ {
		c := b[i]
		if !strStop[c] {
			continue
		}
		switch {
		case c == '"':
			return i + 1, esc
		case c == '\\':
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
	return -1, esc
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

// skipLiteral returns the index past lit at b[i], or -1.
func skipLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// skipNumber returns the index past the JSON number at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) int {
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

// nextChar decodes one character of the (valid) string contents s at i:
// the byte it stands for, or ok=false for anything outside ASCII (the names
// compared here are ASCII, and encoding/json folds no non-ASCII character
// to one of their letters), and the index after it.
func nextChar(s []byte, i int) (c byte, ok bool, next int) {
	c = s[i]
	if c >= 0x80 {
		return 0, false, i + 1
	}
	if c != '\\' {
		return c, true, i + 1
	}
	switch e := s[i+1]; e {
	case 'b':
		return '\b', true, i + 2
	case 'f':
		return '\f', true, i + 2
	case 'n':
		return '\n', true, i + 2
	case 'r':
		return '\r', true, i + 2
	case 't':
		return '\t', true, i + 2
	case 'u':
		r := hexVal(s[i+2])<<12 | hexVal(s[i+3])<<8 | hexVal(s[i+4])<<4 | hexVal(s[i+5])
		if r >= 0x80 { // includes surrogates, which decode to U+FFFD or a non-ASCII pair
			return 0, false, i + 6
		}
		return byte(r), true, i + 6
	default: // '"', '\\', '/'
		return e, true, i + 2
	}
}

// equal reports whether the string contents s (escaped when esc) decode to
// want (ASCII).
func equal(s []byte, esc bool, want string) bool {
	if !esc {
		return string(s) == want
	}
	j := 0
	for i := 0; i < len(s); j++ {
		c, ok, next := nextChar(s, i)
		if !ok || j == len(want) || c != want[j] {
			return false
		}
		i = next
	}
	return j == len(want)
}

// equalFold is equal with encoding/json's case-insensitive key matching;
// want is lower-case ASCII letters.
func equalFold(s []byte, esc bool, want string) bool {
	if !esc && len(s) != len(want) {
		return false
	}
	j := 0
	for i := 0; i < len(s); j++ {
		c, ok, next := nextChar(s, i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !ok || j == len(want) || c != want[j] {
			return false
		}
		i = next
	}
	return j == len(want)
}
