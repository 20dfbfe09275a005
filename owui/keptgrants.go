package owui

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// keptGrants is what SetModelAccess decodes from an access-update answer:
// the access_grants of the returned model and nothing else.
//
// json.Unmarshal walks the whole answer twice (a validity pass, then a
// decoding pass that skips the unwanted members byte by byte), which for
// a model with a large meta or system prompt is most of an update_models
// call's client CPU. decodeFast instead checks the answer in one plain
// pass and hands only the access_grants value to json.Unmarshal; whenever
// it cannot vouch for giving the result json.Unmarshal would give, it
// declines and decodeJSON falls back to json.Unmarshal, so every check
// and every error stays the same.
type keptGrants struct {
	AccessGrants []AccessGrant `json:"access_grants"`
}

// fastDecoder is an answer type with a decoder cheaper than json.Unmarshal
// for the common case. decodeFast reports whether it decoded data (the
// trimmed, non-empty, non-null body); on false it has changed nothing.
type fastDecoder interface {
	decodeFast(data []byte) bool
}

func (k *keptGrants) decodeFast(data []byte) bool {
	val, ok := scanMember(data, "access_grants")
	if !ok {
		return false
	}
	var gs []AccessGrant
	if val != nil {
		if gs, ok = scanGrants(val); !ok {
			if err := json.Unmarshal(val, &gs); err != nil {
				return false
			}
		}
	}
	k.AccessGrants = gs
	return true
}

// scanGrants decodes an already validated access_grants value in the
// common shape: null, or a list of null or objects whose members are the
// AccessGrant fields spelled exactly, with strings free of escapes and an
// integer (or null) created_at, plus any other members. Anything else is
// declined (ok false) and left to json.Unmarshal.
func scanGrants(val []byte) (gs []AccessGrant, ok bool) {
	s := scanner{data: val}
	if s.literal("null") {
		return nil, true
	}
	if !s.next('[') {
		return nil, false
	}
	gs = []AccessGrant{}
	s.space()
	if s.next(']') {
		return gs, true
	}
	for {
		s.space()
		var g AccessGrant
		if !s.literal("null") && !s.grant(&g) {
			return nil, false
		}
		gs = append(gs, g)
		s.space()
		if s.next(']') {
			return gs, true
		}
		if !s.next(',') {
			return nil, false
		}
	}
}

// grant decodes one grant object (see scanGrants).
func (s *scanner) grant(g *AccessGrant) bool {
	if !s.next('{') {
		return false
	}
	s.space()
	if s.next('}') {
		return true
	}
	for {
		s.space()
		start := s.i
		if !s.string() {
			return false
		}
		name := s.data[start+1 : s.i-1]
		s.space()
		s.next(':')
		s.space()
		var field *string
		switch string(name) {
		case "id":
			field = &g.ID
		case "resource_type":
			field = &g.ResourceType
		case "resource_id":
			field = &g.ResourceID
		case "principal_type":
			field = &g.PrincipalType
		case "principal_id":
			field = &g.PrincipalID
		case "permission":
			field = &g.Permission
		case "created_at":
			if !s.literal("null") {
				start := s.i
				if !s.number() {
					return false
				}
				n, err := strconv.ParseInt(string(s.data[start:s.i]), 10, 64)
				if err != nil {
					return false // a fraction, an exponent, out of range
				}
				g.CreatedAt = n
			}
		default:
			if !plainASCII(name) || grantFieldFold(name) {
				return false
			}
			if !s.value(1) {
				return false
			}
		}
		if field != nil && !s.literal("null") {
			v, ok := s.plainString()
			if !ok {
				return false
			}
			*field = v
		}
		s.space()
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// grantFieldFold reports whether name matches an AccessGrant field in
// another letter case (json.Unmarshal would decode it into that field).
func grantFieldFold(name []byte) bool {
	for _, f := range []string{"id", "resource_type", "resource_id", "principal_type", "principal_id", "permission", "created_at"} {
		if bytes.EqualFold(name, []byte(f)) {
			return true
		}
	}
	return false
}

// plainString scans a string literal without escapes and returns its
// content; a string with an escape or invalid UTF-8 is declined.
func (s *scanner) plainString() (string, bool) {
	start := s.i
	if !s.string() {
		return "", false
	}
	v := s.data[start+1 : s.i-1]
	// json.Unmarshal would unescape, and replace invalid UTF-8.
	if bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
		return "", false
	}
	return string(v), true
}

// scanMember checks that data is exactly one valid JSON value, as
// json.Valid does, and when it is an object returns the raw value of its
// member named key (nil when there is none). ok is false when the scan
// cannot stand in for json.Unmarshal: invalid JSON, a value that is not an
// object, a second member that json.Unmarshal would also match to key
// (a duplicate, another letter case, an escaped or non-ASCII name), or
// nesting deeper than scanMaxDepth.
func scanMember(data []byte, key string) (val []byte, ok bool) {
	s := scanner{data: data}
	s.space()
	if !s.next('{') {
		return nil, false
	}
	s.space()
	if s.next('}') {
		return nil, s.end()
	}
	for {
		s.space()
		start := s.i
		if !s.string() {
			return nil, false
		}
		name := data[start+1 : s.i-1]
		s.space()
		if !s.next(':') {
			return nil, false
		}
		s.space()
		vstart := s.i
		if !s.value(1) {
			return nil, false
		}
		switch {
		case string(name) == key:
			if val != nil {
				return nil, false
			}
			val = data[vstart:s.i]
		case strings.EqualFold(string(name), key) || !plainASCII(name):
			return nil, false
		}
		s.space()
		if s.next('}') {
			return val, s.end()
		}
		if !s.next(',') {
			return nil, false
		}
	}
}

// scanMaxDepth bounds recursion well below encoding/json's own limit
// (10000); deeper answers are left to json.Unmarshal.
const scanMaxDepth = 1000

// plainASCII reports whether a raw member name has no escape and no
// non-ASCII byte, so that strings.EqualFold decides a case-insensitive
// match exactly as json.Unmarshal's name folding does.
func plainASCII(name []byte) bool {
	for _, c := range name {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// scanner is a minimal JSON validator following RFC 8259, as
// encoding/json's scanner accepts it.
type scanner struct {
	data []byte
	i    int
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) next(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.data)
}

func (s *scanner) value(depth int) bool {
	if s.i >= len(s.data) {
		return false
	}
	switch c := s.data[s.i]; {
	case c == '"':
		return s.string()
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

func (s *scanner) object(depth int) bool {
	if depth > scanMaxDepth {
		return false
	}
	s.i++ // '{'
	s.space()
	if s.next('}') {
		return true
	}
	for {
		s.space()
		if !s.string() {
			return false
		}
		s.space()
		if !s.next(':') {
			return false
		}
		s.space()
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

func (s *scanner) array(depth int) bool {
	if depth > scanMaxDepth {
		return false
	}
	s.i++ // '['
	s.space()
	if s.next(']') {
		return true
	}
	for {
		s.space()
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.next(']') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// string scans a string literal: no raw control characters, only the
// escapes JSON defines. Other bytes, even invalid UTF-8, are accepted, as
// encoding/json accepts them.
func (s *scanner) string() bool {
	if !s.next('"') {
		return false
	}
	for s.i < len(s.data) {
		c := s.data[s.i]
		s.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if s.i >= len(s.data) {
				return false
			}
			e := s.data[s.i]
			s.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 > len(s.data) {
					return false
				}
				for _, h := range s.data[s.i : s.i+4] {
					if !isHex(h) {
						return false
					}
				}
				s.i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	s.next('-')
	switch {
	case s.next('0'):
	case s.digits() == 0:
		return false
	}
	if s.next('.') && s.digits() == 0 {
		return false
	}
	if s.next('e') || s.next('E') {
		if !s.next('+') {
			s.next('-')
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
