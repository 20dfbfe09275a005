package owui

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
	"github.com/owui-mcp/owui-mcp/internal/redact"
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

// redactKept redacts the fields SetModelAccess keeps (AccessGrant.Grant);
// the others are dropped unread.
func (k *keptGrants) redactKept(sec *redact.Set) {
	for i := range k.AccessGrants {
		g := &k.AccessGrants[i]
		g.PrincipalType, g.PrincipalID, g.Permission = sec.String(g.PrincipalType), sec.String(g.PrincipalID), sec.String(g.Permission)
	}
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
			var slow []AccessGrant // not &gs: that would put gs on the heap on every call
			if err := json.Unmarshal(val, &slow); err != nil {
				return false
			}
			gs = slow
		}
	}
	k.AccessGrants = gs
	return true
}

// scanGrants decodes an already validated access_grants value in the
// common shape: null, or a list of null or objects whose members are the
// AccessGrant fields spelled exactly, each a string (or null) but for an
// integer (or null) created_at, plus any other members. Anything else is
// declined (ok false) and left to json.Unmarshal.
//
// It allocates twice whatever the number of grants: the list, and one
// string holding the bytes of every string the grants keep (each field a
// slice of it: copies, so the grants never refer to the answer's buffer,
// which Client.keptBodies recycles).
func scanGrants(val []byte) ([]AccessGrant, bool) {
	if jsonscan.SkipLiteral(val, 0, "null") > 0 {
		return nil, true
	}
	if len(val) == 0 || val[0] != '[' {
		return nil, false
	}
	i := jsonscan.SkipSpace(val, 1)
	if i < len(val) && val[i] == ']' {
		return []AccessGrant{}, true
	}
	// Room on the stack for the usual few grants and their strings.
	var gsBuf [4]AccessGrant
	var spansBuf [4][grantStrings]span
	var textBuf [512]byte
	gs, spans, text := gsBuf[:0], spansBuf[:0], textBuf[:0] // none of them leaves
	for {
		var g AccessGrant
		var raw [grantStrings][]byte
		end := jsonscan.SkipLiteral(val, i, "null")
		if end < 0 {
			if end = grant(val, i, &g, &raw); end < 0 {
				return nil, false
			}
		}
		var sp [grantStrings]span
		for f, r := range raw {
			if r != nil {
				sp[f] = span{len(text), len(text) + len(r)}
				text = append(text, r...)
			}
		}
		gs, spans = append(gs, g), append(spans, sp)
		i = jsonscan.SkipSpace(val, end)
		if i < len(val) && val[i] == ']' {
			break
		}
		if i == len(val) || val[i] != ',' {
			return nil, false
		}
		i = jsonscan.SkipSpace(val, i+1)
	}
	all := string(text)
	out := make([]AccessGrant, len(gs))
	for k, g := range gs {
		for f, sp := range spans[k] {
			if sp.end > sp.start {
				*grantString(&g, f) = all[sp.start:sp.end]
			}
		}
		out[k] = g
	}
	return out, true
}

// span is where a kept string lies in scanGrants' text.
type span struct{ start, end int }

// grantStrings is the number of AccessGrant's string fields (grantString).
const grantStrings = 6

// grantString is AccessGrant's string field number f.
func grantString(g *AccessGrant, f int) *string {
	switch f {
	case 0:
		return &g.ID
	case 1:
		return &g.ResourceType
	case 2:
		return &g.ResourceID
	case 3:
		return &g.PrincipalType
	case 4:
		return &g.PrincipalID
	}
	return &g.Permission
}

// grant decodes the grant object at val[i], validated already (see
// scanGrants), and returns the index past it, or -1 if it is not in the
// common shape. A string field whose contents can be kept as they are (no
// escape, valid UTF-8, not a common value known already) is left to the
// caller to copy: raw[f] is its contents in val, and g's field stays empty.
func grant(val []byte, i int, g *AccessGrant, raw *[grantStrings][]byte) int {
	if i >= len(val) || val[i] != '{' {
		return -1
	}
	m := jsonscan.ValidMembers(val, i)
	for m.Next() {
		name, v := m.Key, m.Value
		f := -1
		switch string(name) {
		case "id":
			f = 0
		case "resource_type":
			f = 1
		case "resource_id":
			f = 2
		case "principal_type":
			f = 3
		case "principal_id":
			f = 4
		case "permission":
			f = 5
		case "created_at":
			if string(v) != "null" {
				if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
					return -1
				}
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil {
					return -1 // a fraction, an exponent, out of range
				}
				g.CreatedAt = n
			}
		default:
			if grantFieldFold(name) {
				return -1
			}
		}
		// null leaves a field as it is, as json.Unmarshal leaves it.
		if f < 0 || string(v) == "null" {
			continue
		}
		if len(v) < 2 || v[0] != '"' {
			return -1
		}
		s, ok := commonGrantValue(v)
		if !ok && len(v) > 2 && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
			*grantString(g, f), raw[f] = "", v[1:len(v)-1]
			continue
		}
		if !ok {
			if s, ok = stringValue(v); !ok {
				return -1
			}
		}
		*grantString(g, f), raw[f] = s, nil
	}
	return m.End()
}

// commonGrantValue decodes, without an allocation, the values most grants
// hold (two grants per answer, hundreds of answers per update_models).
func commonGrantValue(v []byte) (string, bool) {
	switch string(v) {
	case `""`:
		return "", true
	case `"model"`:
		return "model", true
	case `"group"`:
		return "group", true
	case `"user"`:
		return "user", true
	case `"read"`:
		return "read", true
	case `"write"`:
		return "write", true
	}
	return "", false
}

// grantFields are the json names of AccessGrant's fields.
var grantFields = [...]string{"id", "resource_type", "resource_id", "principal_type", "principal_id", "permission", "created_at"}

// grantFieldFold reports whether a raw member name that is not spelled
// exactly as a field would still be decoded into one by json.Unmarshal
// (another letter case, an escape).
func grantFieldFold(name []byte) bool {
	for _, f := range grantFields {
		if jsonscan.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// scanMember checks that data is exactly one valid JSON value, as
// json.Valid does, and when it is an object returns the raw value of its
// member named key (nil when there is none). ok is false when the scan
// cannot stand in for json.Unmarshal: invalid JSON, a value that is not an
// object, a member that json.Unmarshal would also match to key without
// being spelled exactly so (a duplicate, another letter case, an escape),
// or nesting deeper than scanMaxDepth.
func scanMember(data []byte, key string) (val []byte, ok bool) {
	i := jsonscan.SkipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return nil, false
	}
	m := jsonscan.Members(data, i, scanMaxDepth)
	for m.Next() {
		if !jsonscan.EqualFold(m.Key, key) {
			continue
		}
		if val != nil || string(m.Key) != key {
			return nil, false
		}
		val = m.Value
	}
	end := m.End()
	return val, end >= 0 && jsonscan.SkipSpace(data, end) == len(data)
}

// scanMaxDepth bounds the nesting the scan accepts well below
// encoding/json's own limit (10000); deeper answers are left to
// json.Unmarshal.
const scanMaxDepth = 1000
