package tools

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
)

func u64(n uint64) *uint64 { return &n }

// obj builds an object schema from name/schema pairs, in order.
func obj(additional *jsonschema.Schema, required []string, props ...any) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "object", Properties: jsonschema.NewProperties(), AdditionalProperties: additional, Required: required}
	for i := 0; i < len(props); i += 2 {
		s.Properties.Set(props[i].(string), props[i+1].(*jsonschema.Schema))
	}
	return s
}

type conformCase struct {
	name     string
	s        *jsonschema.Schema
	in       any
	want     any
	problems []string // exact, in order
}

func runConform(t *testing.T, cases []conformCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var problems []string
			got := conformValue(c.s, c.in, "", &problems)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("value %#v, want %#v", got, c.want)
			}
			if !reflect.DeepEqual(problems, c.problems) {
				t.Errorf("problems %q, want %q", problems, c.problems)
			}
		})
	}
}

func TestConformAnySchema(t *testing.T) {
	runConform(t, []conformCase{
		{name: "nil schema passes through", s: nil, in: "x", want: "x"},
		{name: "true schema passes through", s: jsonschema.TrueSchema, in: 1.5, want: 1.5},
		{name: "untyped schema passes through", s: &jsonschema.Schema{}, in: []any{"a"}, want: []any{"a"}},
	})
}

func TestConformObject(t *testing.T) {
	str := &jsonschema.Schema{Type: "string"}
	closed := obj(jsonschema.FalseSchema, []string{"id"}, "id", str, "name", str)
	cases := []conformCase{
		{name: "object kept", s: closed, in: map[string]any{"id": "a", "name": "b"}, want: map[string]any{"id": "a", "name": "b"}},
		{name: "object sent as a JSON string", s: closed, in: `{"id":"a"}`, want: map[string]any{"id": "a"}},
		{name: "JSON null string is not an object", s: closed, in: "null", want: "null",
			problems: []string{`"arguments" must be an object, got the string "null"`}},
		{name: "a list is not an object", s: closed, in: []any{}, want: []any{},
			problems: []string{`"arguments" must be an object, got a list`}},
		{name: "null value means not given", s: closed, in: map[string]any{"id": "a", "name": nil}, want: map[string]any{"id": "a"}},
		{name: "missing required", s: closed, in: map[string]any{"name": "b"}, want: map[string]any{"name": "b"},
			problems: []string{`"id" is required`}},
		{name: "null required counts as missing", s: closed, in: map[string]any{"id": nil}, want: map[string]any{},
			problems: []string{`"id" is required`}},
		{name: "unknown key in a closed object", s: closed, in: map[string]any{"id": "a", "colour": "red"}, want: map[string]any{"id": "a"},
			problems: []string{`"colour" is not an argument here (valid: id, name)`}},
		{name: "unknown key without additionalProperties", s: obj(nil, nil, "id", str), in: map[string]any{"x": 1.0}, want: map[string]any{},
			problems: []string{`"x" is not an argument here (valid: id)`}},
		{name: "unknown key in an open object is dropped", s: obj(jsonschema.TrueSchema, nil, "id", str), in: map[string]any{"x": 1.0}, want: map[string]any{}},
		{name: "no properties: kept as given", s: &jsonschema.Schema{Type: "object"}, in: map[string]any{"x": nil}, want: map[string]any{"x": nil}},
		{name: "nested paths", s: obj(jsonschema.FalseSchema, nil, "meta", obj(jsonschema.FalseSchema, []string{"tag"}, "tag", str)),
			in: map[string]any{"meta": map[string]any{"tag": true}}, want: map[string]any{"meta": map[string]any{"tag": true}},
			problems: []string{`"meta.tag" must be a string, got the boolean true`}},
		{name: "nested unknown key", s: obj(jsonschema.FalseSchema, nil, "meta", obj(jsonschema.FalseSchema, nil, "tag", str)),
			in: map[string]any{"meta": map[string]any{"y": 1.0}}, want: map[string]any{"meta": map[string]any{}},
			problems: []string{`"meta.y" is not an argument here (valid: tag)`}},
	}
	runConform(t, cases)
}

func TestConformArray(t *testing.T) {
	list := &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}}
	bounded := &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "number"}, MinItems: u64(2), MaxItems: u64(3)}
	in := obj(jsonschema.FalseSchema, nil, "ids", list, "n", bounded)
	runConform(t, []conformCase{
		{name: "list kept", s: list, in: []any{"a", "b"}, want: []any{"a", "b"}},
		{name: "list sent as a JSON string", s: list, in: ` ["a","b"]`, want: []any{"a", "b"}},
		{name: "one string where a list was expected", s: list, in: "a", want: []any{"a"}},
		{name: "broken JSON list is one string item", s: list, in: "[a", want: []any{"[a"}},
		{name: "one object where a list was expected", s: &jsonschema.Schema{Type: "array"}, in: map[string]any{"k": 1.0}, want: []any{map[string]any{"k": 1.0}}},
		{name: "one number is repaired item by item", s: list, in: 7.0, want: []any{"7"}},
		{name: "null is not a list", s: list, in: nil, want: nil, problems: []string{`"arguments" must be a list, got null`}},
		{name: "items are checked with their index", s: in, in: map[string]any{"ids": []any{"a", false}}, want: map[string]any{"ids": []any{"a", false}},
			problems: []string{`"ids[1]" must be a string, got the boolean false`}},
		{name: "too few items, and items still checked", s: in, in: map[string]any{"n": []any{"x"}}, want: map[string]any{"n": []any{"x"}},
			problems: []string{`"n" needs at least 2 item(s)`, `"n[0]" must be a number, got "x"`}},
		{name: "too many items", s: in, in: map[string]any{"n": []any{1.0, 2.0, 3.0, 4.0}}, want: map[string]any{"n": []any{1.0, 2.0, 3.0, 4.0}},
			problems: []string{`"n" allows at most 3 item(s)`}},
	})
}

func TestConformString(t *testing.T) {
	str := &jsonschema.Schema{Type: "string"}
	long := strings.Repeat("é", 41)
	runConform(t, []conformCase{
		{name: "string kept", s: str, in: "a", want: "a"},
		{name: "whole number becomes a string", s: str, in: 42.0, want: "42"},
		{name: "negative whole number", s: str, in: -3.0, want: "-3"},
		{name: "fraction is not a string", s: str, in: 1.5, want: 1.5, problems: []string{`"arguments" must be a string, got the number 1.5`}},
		{name: "huge number is not a string", s: str, in: 1e15, want: 1e15, problems: []string{`"arguments" must be a string, got the number 1e+15`}},
		{name: "boolean is not a string", s: str, in: true, want: true, problems: []string{`"arguments" must be a string, got the boolean true`}},
		{name: "list is not a string", s: str, in: []any{}, want: []any{}, problems: []string{`"arguments" must be a string, got a list`}},
		{name: "empty", s: &jsonschema.Schema{Type: "string", MinLength: u64(1)}, in: "", want: "", problems: []string{`"arguments" must not be empty`}},
		{name: "too short", s: &jsonschema.Schema{Type: "string", MinLength: u64(3)}, in: "ab", want: "ab", problems: []string{`"arguments" must be at least 3 characters`}},
		{name: "too long counts characters, not bytes", s: &jsonschema.Schema{Type: "string", MaxLength: u64(40)}, in: long, want: long,
			problems: []string{`"arguments" must be at most 40 characters (got 41)`}},
		{name: "at the limit", s: &jsonschema.Schema{Type: "string", MaxLength: u64(41)}, in: long, want: long},
		{name: "enum member", s: &jsonschema.Schema{Type: "string", Enum: []any{"read", "write"}}, in: "write", want: "write"},
		{name: "not an enum member", s: &jsonschema.Schema{Type: "string", Enum: []any{"read", "write"}}, in: "admin", want: "admin",
			problems: []string{`"arguments" must be one of read, write, got "admin"`}},
		{name: "repaired number checked against the enum", s: &jsonschema.Schema{Type: "string", Enum: []any{"1", "2"}}, in: 3.0, want: 3.0,
			problems: []string{`"arguments" must be one of 1, 2, got "3"`}},
	})
}

func TestConformNumber(t *testing.T) {
	num := &jsonschema.Schema{Type: "number"}
	integer := &jsonschema.Schema{Type: "integer", Minimum: "1", Maximum: "10"}
	runConform(t, []conformCase{
		{name: "number kept", s: num, in: 1.5, want: 1.5},
		{name: "json.Number", s: num, in: json.Number("2.5"), want: 2.5},
		{name: "bad json.Number", s: num, in: json.Number("x"), want: json.Number("x"), problems: []string{`"arguments" must be a number, got "x"`}},
		{name: "number sent as a string", s: num, in: " 3 ", want: 3.0},
		{name: "words are not a number", s: num, in: "three", want: "three", problems: []string{`"arguments" must be a number, got "three"`}},
		{name: "boolean is not a number", s: num, in: true, want: true, problems: []string{`"arguments" must be a number, got the boolean true`}},
		{name: "other Go type named by type", s: num, in: 3, want: 3, problems: []string{`"arguments" must be a number, got int`}},
		{name: "integer in range", s: integer, in: "10", want: 10.0},
		{name: "fraction is not an integer", s: integer, in: 2.5, want: 2.5, problems: []string{`"arguments" must be a whole number, got 2.5`}},
		{name: "below the minimum", s: integer, in: 0.0, want: 0.0, problems: []string{`"arguments" must be at least 1, got 0`}},
		{name: "above the maximum", s: integer, in: 11.0, want: 11.0, problems: []string{`"arguments" must be at most 10, got 11`}},
		{name: "unparsable bounds are ignored", s: &jsonschema.Schema{Type: "number", Minimum: "low", Maximum: "high"}, in: -1.0, want: -1.0},
	})
}

func TestConformBoolean(t *testing.T) {
	b := &jsonschema.Schema{Type: "boolean"}
	runConform(t, []conformCase{
		{name: "boolean kept", s: b, in: false, want: false},
		{name: "boolean sent as a string", s: b, in: " true", want: true},
		{name: "1 as a string", s: b, in: "1", want: true},
		{name: "words are not a boolean", s: b, in: "yes", want: "yes", problems: []string{`"arguments" must be true or false, got the string "yes"`}},
		{name: "long strings are shortened", s: b, in: strings.Repeat("y", 41), want: strings.Repeat("y", 41),
			problems: []string{`"arguments" must be true or false, got the string "` + strings.Repeat("y", 40) + `…"`}},
		{name: "number is not a boolean", s: b, in: 1.0, want: 1.0, problems: []string{`"arguments" must be true or false, got the number 1`}},
		{name: "object is not a boolean", s: b, in: map[string]any{}, want: map[string]any{}, problems: []string{`"arguments" must be true or false, got an object`}},
	})
}

// TestConformCollectsEveryProblem: one reply names every bad argument.
func TestConformCollectsEveryProblem(t *testing.T) {
	s := obj(jsonschema.FalseSchema, []string{"id"},
		"id", &jsonschema.Schema{Type: "string"},
		"n", &jsonschema.Schema{Type: "integer"},
		"on", &jsonschema.Schema{Type: "boolean"})
	out, problems := conform(s, map[string]any{"n": "2", "on": "maybe"})
	if !reflect.DeepEqual(out, map[string]any{"n": 2.0, "on": "maybe"}) {
		t.Errorf("out %#v", out)
	}
	want := []string{`"on" must be true or false, got the string "maybe"`, `"id" is required`}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems %q, want %q", problems, want)
	}
	if out, problems := conform(s, nil); !reflect.DeepEqual(out, map[string]any{}) || !reflect.DeepEqual(problems, []string{`"id" is required`}) {
		t.Errorf("nil args: %#v %q", out, problems)
	}
}
