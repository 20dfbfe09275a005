//go:generate go run ./gen

// Package schemas holds the Go types of every tool's arguments and results
// and turns them into the flat JSON schemas that MCP clients expect: root
// type object, everything inline (no $ref or $defs, which many clients cannot
// resolve), closed objects, a description on every input property.
package schemas

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
)

// Opaque marks result types whose inner shape is left out of output schemas
// (they are described by the property that holds them). Full record schemas
// repeated in every tool would spend an agent's context on every session for
// structure it never validates.
type Opaque interface{ opaqueInOutputSchema() }

var opaqueType = reflect.TypeFor[Opaque]()

// Compact marks argument types whose full shape another tool's schema
// already shows: the published input schema says only "object", while
// arguments are still validated against the full shape (Schema.Parsed).
type Compact interface{ compactInInputSchema() }

var compactType = reflect.TypeFor[Compact]()

func reflector(output, compact bool) *jsonschema.Reflector {
	return &jsonschema.Reflector{
		ExpandedStruct:             true,
		DoNotReference:             true,
		Anonymous:                  true,
		RequiredFromJSONSchemaTags: true,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			switch {
			case t.Kind() == reflect.Interface:
				// `any` would become the bare `true` schema, which some
				// providers reject.
				return &jsonschema.Schema{}
			case output && t.Implements(opaqueType), compact && t.Implements(compactType):
				if t.Kind() == reflect.Slice {
					return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "object"}}
				}
				return &jsonschema.Schema{Type: "object"}
			}
			return nil
		},
	}
}

// Schema is a tool's schema: the published JSON, and the full parsed form
// that the argument decoder walks.
//
// Raw comes from the table that `go generate ./...` writes
// (zz_schemas_gen.go, built from the tool declarations), so start-up does
// no reflection, marshalling or checking; a type missing from the table
// (a test's own tool) is reflected and checked on the spot. The parsed
// form is reflected on first use.
type Schema struct {
	// Key names the schema in the generated table: "in " or "out " and the
	// Go type.
	Key     string
	Raw     json.RawMessage
	parsed  func() *jsonschema.Schema
	reflect func() json.RawMessage
}

// Parsed is the full schema (reflected once, on first use) that arguments
// are validated against; for inputs it may be larger than Raw (Compact).
func (s Schema) Parsed() *jsonschema.Schema {
	if s.parsed == nil {
		return nil
	}
	return s.parsed()
}

// Reflected builds the published JSON from the Go type now (what the
// generator writes; a test compares it with Raw).
func (s Schema) Reflected() json.RawMessage {
	if s.reflect == nil {
		return nil
	}
	return s.reflect()
}

// Input describes the argument type T.
func Input[T any]() Schema { return build[T](false) }

// Output describes the result type T.
func Output[T any]() Schema { return build[T](true) }

func build[T any](output bool) Schema {
	kind := "in "
	if output {
		kind = "out "
	}
	s := Schema{Key: kind + reflect.TypeFor[T]().String()}
	s.reflect = func() json.RawMessage {
		raw, err := json.Marshal(reflectRoot[T](output, !output))
		if err != nil {
			panic(fmt.Sprintf("schemas: marshalling %T: %v", *new(T), err))
		}
		if err := check(raw); err != nil {
			panic(fmt.Sprintf("schemas: %T: %v", *new(T), err))
		}
		return raw
	}
	s.parsed = sync.OnceValue(func() *jsonschema.Schema { return reflectRoot[T](output, false) })
	if g, ok := generated[s.Key]; ok {
		s.Raw = json.RawMessage(g)
	} else {
		s.Raw = s.reflect()
	}
	return s
}

func reflectRoot[T any](output, compact bool) *jsonschema.Schema {
	s := reflector(output, compact).Reflect(new(T))
	s.Version = ""
	if s.Properties == nil || s.Properties.Len() == 0 {
		// A tool without arguments still gets an explicit closed object.
		s.Properties = jsonschema.NewProperties()
	}
	return s
}

// check enforces the shape every tool schema must have; it runs whenever a
// schema is reflected (the generator, its test, types missing from the
// table), so a bad type fails `go generate` and the tests rather than one
// client in the field.
func check(raw json.RawMessage) error {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return err
	}
	if root["type"] != "object" {
		return fmt.Errorf("root type is %v, want object", root["type"])
	}
	if root["additionalProperties"] != false {
		return fmt.Errorf("root object is not closed (additionalProperties: false)")
	}
	s := string(raw)
	for _, bad := range []string{`"$ref"`, `"$defs"`, `"$id"`} {
		if strings.Contains(s, bad) {
			return fmt.Errorf("schema contains %s", bad)
		}
	}
	return nil
}
