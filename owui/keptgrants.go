package owui

import (
	"encoding/json"
	"strconv"

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
// AccessGrant fields spelled exactly, with strings free of escapes and an
// integer (or null) created_at, plus any other members. Anything else is
// declined (ok false) and left to json.Unmarshal.
func scanGrants(val []byte) (gs []AccessGrant, ok bool) {
	if jsonscan.SkipLiteral(val, 0, "null") > 0 {
		return nil, true
	}
	if len(val) == 0 || val[0] != '[' {
		return nil, false
	}
	gs = []AccessGrant{}
	i := jsonscan.SkipSpace(val, 1)
	if i < len(val) && val[i] == ']' {
		return gs, true
	}
	for {
		var g AccessGrant
		end := jsonscan.SkipLiteral(val, i, "null")
		if end < 0 {
			if end = jsonscan.ValidValue(val, i); !grant(val[i:end], &g) {
				return nil, false
			}
		}
		gs = append(gs, g)
		i = jsonscan.SkipSpace(val, end)
		if i < len(val) && val[i] == ']' {
			return gs, true
		}
		if i == len(val) || val[i] != ',' {
			return nil, false
		}
		i = jsonscan.SkipSpace(val, i+1)
	}
}

// grant decodes one grant object, validated already (see scanGrants).
func grant(obj []byte, g *AccessGrant) bool {
	if len(obj) == 0 || obj[0] != '{' {
		return false
	}
	m := jsonscan.ValidMembers(obj, 0)
	for m.Next() {
		name, v := m.Key, m.Value
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
			if string(v) != "null" {
				if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
					return false
				}
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil {
					return false // a fraction, an exponent, out of range
				}
				g.CreatedAt = n
			}
		default:
			if grantFieldFold(name) {
				return false
			}
		}
		if field != nil && string(v) != "null" {
			s, ok := grantString(v)
			if !ok {
				return false
			}
			*field = s
		}
	}
	return m.End() >= 0
}

// grantString is stringValue without an allocation for the values most
// grants hold (two grants per answer, hundreds of answers per update_models).
func grantString(v []byte) (string, bool) {
	switch string(v) {
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
	return stringValue(v)
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
