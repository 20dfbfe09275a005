package owui

import (
	"strconv"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// decodeModelsFast decodes an export answer (a JSON list of models) into
// *out, which must be empty, as json.Unmarshal would, or declines (false,
// *out untouched) and leaves the answer to json.Unmarshal.
//
// json.Unmarshal walks an export twice with its byte-at-a-time scanner
// (checkValid, then the decode, which scans every meta and params value
// again to hand it to Object.UnmarshalJSON); for a bulk change's 500
// records that was ~8 ms of the confirming call. Here jsonscan validates
// each record once while its members are matched. Like keptGrants, it only
// takes the shapes whose result is certain: members spelled exactly as the
// fields, each at most once, values of the fields' own types (integers
// without fraction or exponent, null anywhere). Anything else (another
// letter case, an escaped name, a duplicate, a type mismatch, invalid JSON,
// nesting deeper than scanMaxDepth) declines, so json.Unmarshal keeps
// giving every error and every odd case its own answer.
func decodeModelsFast(data []byte, out *[]Model) bool {
	if len(*out) != 0 {
		return false // json.Unmarshal would decode into the existing elements
	}
	i := jsonscan.SkipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return false
	}
	ms := []Model{} // an empty list decodes as an empty, non-nil slice
	i = jsonscan.SkipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			var m Model
			if end := jsonscan.SkipLiteral(data, i, "null"); end > 0 {
				i = end // a null element is a zero Model
			} else if i = decodeModel(data, i, &m); i < 0 {
				return false
			}
			ms = append(ms, m)
			i = jsonscan.SkipSpace(data, i)
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			if i == len(data) || data[i] != ',' {
				return false
			}
			i = jsonscan.SkipSpace(data, i+1)
		}
	}
	if jsonscan.SkipSpace(data, i) != len(data) {
		return false
	}
	*out = ms
	return true
}

// modelFields are the json names of Model's fields, in the order of the
// bits decodeModel records them by.
var modelFields = [...]string{"version_id", "id", "user_id", "base_model_id", "name", "params", "meta",
	"access_grants", "is_active", "updated_at", "created_at", "user", "write_access"}

// decodeModel decodes the object at data[i] into m (zero), validating it;
// it returns the index past the object, or -1 to decline.
func decodeModel(data []byte, i int, m *Model) int {
	it := jsonscan.Members(data, i, scanMaxDepth)
	var seen uint16
	for it.Next() {
		f := modelField(it.Key)
		if f < 0 {
			if foldsTo(it.Key, modelFields[:]) {
				return -1 // json.Unmarshal would match it to a field
			}
			continue // unknown members are ignored
		}
		if seen&(1<<f) != 0 {
			return -1 // a duplicate: json.Unmarshal merges into the first
		}
		seen |= 1 << f
		if !setModelField(m, f, it.Value) {
			return -1
		}
	}
	return it.End()
}

// modelField is the index in modelFields of the raw member name, spelled
// exactly, or -1.
func modelField(raw []byte) int {
	for f, name := range modelFields {
		if string(raw) == name { // compared in place, not converted
			return f
		}
	}
	return -1
}

// setModelField decodes v, a valid JSON value, into field f of m, which
// was not set before; false when it is not of the field's type.
func setModelField(m *Model, f int, v []byte) bool {
	switch f {
	case 0:
		return setString(&m.VersionID, v)
	case 1:
		return setString(&m.ID, v)
	case 2:
		return setString(&m.UserID, v)
	case 3:
		return setStringPtr(&m.BaseModelID, v)
	case 4:
		return setString(&m.Name, v)
	case 5:
		return setObject(&m.Params, v)
	case 6:
		return setObject(&m.Meta, v)
	case 7:
		gs, ok := scanGrants(v)
		m.AccessGrants = gs
		return ok
	case 8:
		return setBool(&m.IsActive, v)
	case 9:
		return setInt(&m.UpdatedAt, v)
	case 10:
		return setInt(&m.CreatedAt, v)
	case 11:
		return setUser(&m.User, v)
	case 12:
		if string(v) == "null" {
			return true
		}
		var b bool
		if !setBool(&b, v) {
			return false
		}
		m.WriteAccess = &b
		return true
	}
	return false
}

// setString decodes a JSON string into *dst; null leaves *dst as it is,
// as json.Unmarshal does.
func setString(dst *string, v []byte) bool {
	if string(v) == "null" {
		return true
	}
	s, ok := stringValue(v)
	if ok {
		*dst = s
	}
	return ok
}

// setStringPtr decodes a JSON string or null (nil) into *dst.
func setStringPtr(dst **string, v []byte) bool {
	if string(v) == "null" {
		*dst = nil
		return true
	}
	s, ok := stringValue(v)
	if ok {
		*dst = &s
	}
	return ok
}

// setBool decodes true or false into *dst; null leaves it.
func setBool(dst *bool, v []byte) bool {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	case "null":
	default:
		return false
	}
	return true
}

// setInt decodes a JSON integer into *dst; null leaves it. A fraction, an
// exponent or a value out of range is declined (json.Unmarshal fails on
// them).
func setInt(dst *int64, v []byte) bool {
	if string(v) == "null" {
		return true
	}
	if len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return false
	}
	*dst = n
	return true
}

// setObject keeps a JSON object (or null) as Object.UnmarshalJSON does
// when json.Unmarshal hands it the value.
func setObject(dst *Object, v []byte) bool {
	if len(v) == 0 || v[0] != '{' && string(v) != "null" {
		return false
	}
	return dst.UnmarshalJSON(v) == nil
}

// userFields are the json names of User's fields.
var userFields = [...]string{"id", "name", "email", "role"}

// setUser decodes a user object (or null) into *dst. Inside it, as
// json.Unmarshal does for one object, a repeated member wins and null
// leaves a field as it is.
func setUser(dst **User, v []byte) bool {
	if string(v) == "null" {
		*dst = nil
		return true
	}
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	u := &User{}
	it := jsonscan.ValidMembers(v, 0)
	for it.Next() {
		var field *string
		switch string(it.Key) {
		case "id":
			field = &u.ID
		case "name":
			field = &u.Name
		case "email":
			field = &u.Email
		case "role":
			field = &u.Role
		default:
			if foldsTo(it.Key, userFields[:]) {
				return false
			}
			continue
		}
		if !setString(field, it.Value) {
			return false
		}
	}
	*dst = u
	return it.End() >= 0
}

// foldsTo reports whether a raw member name that is not spelled exactly as
// one of names would still be matched to one by json.Unmarshal (another
// letter case, an escape).
func foldsTo(raw []byte, names []string) bool {
	for _, n := range names {
		if jsonscan.EqualFold(raw, n) {
			return true
		}
	}
	return false
}
