package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
)

// conform checks args against a tool's input schema and repairs the type
// slips language models commonly make ("2" for 2, "true" for true, "x" for
// ["x"], a JSON object sent as a string). It returns the repaired value and
// every problem found, each naming the argument, so one reply can fix all.
func conform(s *jsonschema.Schema, args map[string]any) (map[string]any, []string) {
	var problems []string
	v := conformValue(s, args, "", &problems)
	out, _ := v.(map[string]any)
	return out, problems
}

func conformValue(s *jsonschema.Schema, v any, path string, problems *[]string) any {
	if s == nil || s == jsonschema.TrueSchema {
		return v
	}
	name := path
	if name == "" {
		name = "arguments"
	}
	bad := func(format string, a ...any) any {
		*problems = append(*problems, fmt.Sprintf("%q %s", name, fmt.Sprintf(format, a...)))
		return v
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			if str, isStr := v.(string); isStr && json.Unmarshal([]byte(str), &m) == nil && m != nil {
				ok = true
			}
		}
		if !ok {
			return bad("must be an object, got %s", describe(v))
		}
		if s.Properties == nil {
			return m
		}
		out := make(map[string]any, len(m))
		var known []string
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			known = append(known, pair.Key)
		}
		for k, val := range m {
			ps, found := s.Properties.Get(k)
			if !found {
				if s.AdditionalProperties == jsonschema.FalseSchema || s.AdditionalProperties == nil {
					*problems = append(*problems, fmt.Sprintf("%q is not an argument here (valid: %s)", join(path, k), strings.Join(known, ", ")))
				}
				continue
			}
			if val == nil {
				// null for an optional argument means "not given".
				continue
			}
			out[k] = conformValue(ps, val, join(path, k), problems)
		}
		for _, r := range s.Required {
			if _, ok := out[r]; !ok {
				*problems = append(*problems, fmt.Sprintf("%q is required", join(path, r)))
			}
		}
		return out
	case "array":
		arr, ok := v.([]any)
		if !ok {
			if str, isStr := v.(string); isStr && strings.HasPrefix(strings.TrimSpace(str), "[") && json.Unmarshal([]byte(str), &arr) == nil {
				ok = true
			} else if _, isMap := v.(map[string]any); isMap || isScalar(v) {
				arr, ok = []any{v}, true // one item given where a list was expected
			}
		}
		if !ok {
			return bad("must be a list, got %s", describe(v))
		}
		if s.MinItems != nil && uint64(len(arr)) < *s.MinItems {
			bad("needs at least %d item(s)", *s.MinItems)
		}
		if s.MaxItems != nil && uint64(len(arr)) > *s.MaxItems {
			bad("allows at most %d item(s)", *s.MaxItems)
		}
		out := make([]any, len(arr))
		for i, it := range arr {
			out[i] = conformValue(s.Items, it, fmt.Sprintf("%s[%d]", name, i), problems)
		}
		return out
	case "string":
		str, ok := v.(string)
		if !ok {
			if f, isNum := v.(float64); isNum && f == math.Trunc(f) && math.Abs(f) < 1e15 {
				str, ok = strconv.FormatInt(int64(f), 10), true
			}
		}
		if !ok {
			return bad("must be a string, got %s", describe(v))
		}
		n := uint64(utf8.RuneCountInString(str))
		if s.MinLength != nil && n < *s.MinLength {
			if *s.MinLength == 1 {
				return bad("must not be empty")
			}
			return bad("must be at least %d characters", *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return bad("must be at most %d characters (got %d)", *s.MaxLength, n)
		}
		if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return e == str }) {
			return bad("must be one of %s, got %q", enumList(s.Enum), str)
		}
		return str
	case "integer", "number":
		var f float64
		switch t := v.(type) {
		case float64:
			f = t
		case json.Number:
			x, err := t.Float64()
			if err != nil {
				return bad("must be a number, got %q", t)
			}
			f = x
		case string:
			x, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
			if err != nil {
				return bad("must be a number, got %q", t)
			}
			f = x
		default:
			return bad("must be a number, got %s", describe(v))
		}
		if s.Type == "integer" && f != math.Trunc(f) {
			return bad("must be a whole number, got %v", f)
		}
		if s.Minimum != "" {
			if lo, err := s.Minimum.Float64(); err == nil && f < lo {
				return bad("must be at least %v, got %v", lo, f)
			}
		}
		if s.Maximum != "" {
			if hi, err := s.Maximum.Float64(); err == nil && f > hi {
				return bad("must be at most %v, got %v", hi, f)
			}
		}
		return f
	case "boolean":
		switch t := v.(type) {
		case bool:
			return t
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(t)); err == nil {
				return b
			}
		}
		return bad("must be true or false, got %s", describe(v))
	}
	return v
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, float64, bool, json.Number:
		return true
	}
	return false
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		if len(t) > 40 {
			t = t[:40] + "…"
		}
		return fmt.Sprintf("the string %q", t)
	case bool:
		return fmt.Sprintf("the boolean %v", t)
	case float64, json.Number:
		return fmt.Sprintf("the number %v", t)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func enumList(e []any) string {
	parts := make([]string, len(e))
	for i, x := range e {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
