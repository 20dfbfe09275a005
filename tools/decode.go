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

// conformer checks one value against one schema: path names the value in
// problems ("" is the arguments object itself).
type conformer struct {
	problems *[]string
}

// conformValue dispatches on the schema's type; an untyped schema (any)
// passes the value through.
func conformValue(s *jsonschema.Schema, v any, path string, problems *[]string) any {
	if s == nil || s == jsonschema.TrueSchema {
		return v
	}
	c := conformer{problems}
	switch s.Type {
	case "object":
		return c.object(s, v, path)
	case "array":
		return c.array(s, v, path)
	case "string":
		return c.str(s, v, path)
	case "integer", "number":
		return c.number(s, v, path)
	case "boolean":
		return c.boolean(v, path)
	}
	return v
}

// add records a problem with the value at path.
func (c conformer) add(path, format string, a ...any) {
	*c.problems = append(*c.problems, fmt.Sprintf("%q %s", display(path), fmt.Sprintf(format, a...)))
}

// display names the value at path in a problem.
func display(path string) string {
	if path == "" {
		return "arguments"
	}
	return path
}

// bad records a problem and returns v unchanged.
func (c conformer) bad(v any, path, format string, a ...any) any {
	c.add(path, format, a...)
	return v
}

// object accepts a map or a JSON object sent as a string, drops nulls (an
// optional argument not given), and checks every property, unknown keys
// and required keys.
func (c conformer) object(s *jsonschema.Schema, v any, path string) any {
	m, ok := asObject(v)
	if !ok {
		return c.bad(v, path, "must be an object, got %s", describe(v))
	}
	if s.Properties == nil {
		return m
	}
	closed := s.AdditionalProperties == jsonschema.FalseSchema || s.AdditionalProperties == nil
	out := make(map[string]any, len(m))
	for k, val := range m {
		ps, found := s.Properties.Get(k)
		switch {
		case !found && closed:
			*c.problems = append(*c.problems, fmt.Sprintf("%q is not an argument here (valid: %s)", join(path, k), strings.Join(propertyNames(s), ", ")))
		case found && val != nil:
			out[k] = conformValue(ps, val, join(path, k), c.problems)
		}
	}
	c.required(s.Required, out, path)
	return out
}

// required names each required property that out lacks.
func (c conformer) required(names []string, out map[string]any, path string) {
	for _, r := range names {
		if _, ok := out[r]; !ok {
			*c.problems = append(*c.problems, fmt.Sprintf("%q is required", join(path, r)))
		}
	}
}

func asObject(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	var m map[string]any
	str, isStr := v.(string)
	return m, isStr && json.Unmarshal([]byte(str), &m) == nil && m != nil
}

func propertyNames(s *jsonschema.Schema) []string {
	var known []string
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		known = append(known, pair.Key)
	}
	return known
}

// array accepts a list, a JSON list sent as a string, or one item where a
// list was expected; it checks the length and every item.
func (c conformer) array(s *jsonschema.Schema, v any, path string) any {
	arr, ok := asList(v)
	if !ok {
		return c.bad(v, path, "must be a list, got %s", describe(v))
	}
	if s.MinItems != nil && uint64(len(arr)) < *s.MinItems {
		c.add(path, "needs at least %d item(s)", *s.MinItems)
	}
	if s.MaxItems != nil && uint64(len(arr)) > *s.MaxItems {
		c.add(path, "allows at most %d item(s)", *s.MaxItems)
	}
	out := make([]any, len(arr))
	for i, it := range arr {
		out[i] = conformValue(s.Items, it, fmt.Sprintf("%s[%d]", display(path), i), c.problems)
	}
	return out
}

func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case string:
		var arr []any
		if strings.HasPrefix(strings.TrimSpace(t), "[") && json.Unmarshal([]byte(t), &arr) == nil {
			return arr, true
		}
	}
	if _, isMap := v.(map[string]any); isMap || isScalar(v) {
		return []any{v}, true // one item given where a list was expected
	}
	return nil, false
}

// str accepts a string or a whole number (an id typed as 42), then checks
// length in characters and the enum.
func (c conformer) str(s *jsonschema.Schema, v any, path string) any {
	str, ok := asString(v)
	if !ok {
		return c.bad(v, path, "must be a string, got %s", describe(v))
	}
	if p := stringProblem(s, str); p != "" {
		return c.bad(v, path, "%s", p)
	}
	return str
}

func asString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10), true
		}
	}
	return "", false
}

// stringProblem says what is wrong with str's length or value, or "".
func stringProblem(s *jsonschema.Schema, str string) string {
	n := uint64(utf8.RuneCountInString(str))
	switch {
	case s.MinLength != nil && n < *s.MinLength && *s.MinLength == 1:
		return "must not be empty"
	case s.MinLength != nil && n < *s.MinLength:
		return fmt.Sprintf("must be at least %d characters", *s.MinLength)
	case s.MaxLength != nil && n > *s.MaxLength:
		return fmt.Sprintf("must be at most %d characters (got %d)", *s.MaxLength, n)
	case len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return e == str }):
		return fmt.Sprintf("must be one of %s, got %q", enumList(s.Enum), str)
	}
	return ""
}

// number accepts a number, a json.Number or a number sent as a string, then
// checks wholeness (integer) and the bounds.
func (c conformer) number(s *jsonschema.Schema, v any, path string) any {
	f, err := asFloat(v)
	if err != nil {
		return c.bad(v, path, "must be a number, got %s", err.Error())
	}
	switch {
	case s.Type == "integer" && f != math.Trunc(f):
		return c.bad(v, path, "must be a whole number, got %v", f)
	case below(f, s.Minimum):
		lo, _ := s.Minimum.Float64()
		return c.bad(v, path, "must be at least %v, got %v", lo, f)
	case above(f, s.Maximum):
		hi, _ := s.Maximum.Float64()
		return c.bad(v, path, "must be at most %v, got %v", hi, f)
	}
	return f
}

// notNumber is asFloat's error: what was given, as the message names it.
type notNumber string

func (e notNumber) Error() string { return string(e) }

func asFloat(v any) (float64, error) {
	switch t := v.(type) {
	case float64:
		return t, nil
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f, nil
		}
		return 0, notNumber(strconv.Quote(string(t)))
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(t), 64); err == nil {
			return f, nil
		}
		return 0, notNumber(strconv.Quote(t))
	}
	return 0, notNumber(describe(v))
}

// below and above ignore a bound that does not parse.
func below(f float64, bound json.Number) bool {
	lo, err := bound.Float64()
	return bound != "" && err == nil && f < lo
}

func above(f float64, bound json.Number) bool {
	hi, err := bound.Float64()
	return bound != "" && err == nil && f > hi
}

// boolean accepts true/false, also sent as a string ("true", "1").
func (c conformer) boolean(v any, path string) any {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(t)); err == nil {
			return b
		}
	}
	return c.bad(v, path, "must be true or false, got %s", describe(v))
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
