package fakeowui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// This file renders values the way Python prints them, for the pydantic
// error text that import puts in its detail. Go maps forget key order, so
// import re-decodes its elements into pyDict values, which keep it.

// pyDict is a JSON object with its key order.
type pyDict []pyItem

type pyItem struct {
	key string
	val any
}

func (d pyDict) get(k string) (any, bool) {
	for _, it := range d {
		if it.key == k {
			return it.val, true
		}
	}
	return nil, false
}

// set replaces k in place, or appends it, like assigning to a Python dict.
func (d pyDict) set(k string, v any) pyDict {
	for i, it := range d {
		if it.key == k {
			d[i].val = v
			return d
		}
	}
	return append(d, pyItem{k, v})
}

// decodePy decodes JSON keeping object key order (objects become pyDict,
// numbers json.Number).
func decodePy(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return decodePyValue(dec)
}

func decodePyValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		d := pyDict{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodePyValue(dec)
			if err != nil {
				return nil, err
			}
			d = d.set(kt.(string), v)
		}
		_, err := dec.Token()
		return d, err
	case json.Delim('['):
		l := []any{}
		for dec.More() {
			v, err := decodePyValue(dec)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token()
		return l, err
	}
	return tok, nil
}

// toPy converts a decoded JSON value (or a metaJSON) into the pyDict form:
// meta keeps ModelMeta's order, other objects are sorted.
func toPy(v any) any {
	switch v := v.(type) {
	case metaJSON:
		d := pyDict{}
		for _, k := range typedMetaKeys {
			if x, ok := v[k]; ok {
				d = append(d, pyItem{k, toPy(x)})
			}
		}
		for _, k := range sortedKeys(v) {
			if !slices.Contains(typedMetaKeys, k) {
				d = append(d, pyItem{k, toPy(v[k])})
			}
		}
		return d
	case map[string]any:
		d := pyDict{}
		for _, k := range sortedKeys(v) {
			d = append(d, pyItem{k, toPy(v[k])})
		}
		return d
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = toPy(x)
		}
		return out
	}
	return v
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lookupPy finds the value at loc (keys and list indices) under root.
func lookupPy(root any, loc []any) (any, bool) {
	v := root
	for _, step := range loc {
		switch x := v.(type) {
		case pyDict:
			k, ok := step.(string)
			if !ok {
				return nil, false
			}
			if v, ok = x.get(k); !ok {
				return nil, false
			}
		case []any:
			i, ok := step.(int)
			if !ok || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// pydanticMessage renders errs the way str(ValidationError) does. When
// root (the validated input, as pyDict) is given, the inputs are taken
// from it so that key order matches Python's.
func pydanticMessage(title string, errs []valErr, root any) string {
	var b strings.Builder
	noun := "errors"
	if len(errs) == 1 {
		noun = "error"
	}
	fmt.Fprintf(&b, "%d validation %s for %s", len(errs), noun, title)
	for _, e := range errs {
		parts := make([]string, len(e.Loc))
		for i, l := range e.Loc {
			parts[i] = fmt.Sprint(l)
		}
		input := toPy(e.Input)
		if root != nil {
			at := e.Loc
			if e.Type == "missing" && len(at) > 0 {
				at = at[:len(at)-1]
			}
			if v, ok := lookupPy(root, at); ok {
				input = v
			}
		}
		fmt.Fprintf(&b, "\n%s\n  %s [type=%s, input_value=%s, input_type=%s]", strings.Join(parts, "."), e.Msg, e.Type, pyTruncate(pyRepr(input)), pyType(input))
		fmt.Fprintf(&b, "\n    For further information visit https://errors.pydantic.dev/2.13/v/%s", e.Type)
	}
	return b.String()
}

// pyTruncate shortens a repr longer than 50 characters as pydantic-core
// does: the first 25, "...", the last 24.
func pyTruncate(s string) string {
	r := []rune(s)
	if len(r) <= 50 {
		return s
	}
	return string(r[:25]) + "..." + string(r[len(r)-24:])
}

func pyType(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return "float"
		}
		return "int"
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 {
			return "int"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any, pyDict:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyRepr is Python's repr of a decoded JSON value.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return pyStr(v)
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if string(v) == "-0" {
				return "0"
			}
			return string(v)
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !math.IsInf(f, 0) { // out of range is inf, as in Python
			return string(v)
		}
		return pyFloat(f)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 {
			return strconv.FormatInt(int64(v), 10)
		}
		return pyFloat(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case pyDict:
		parts := make([]string, len(v))
		for i, it := range v {
			parts[i] = pyStr(it.key) + ": " + pyRepr(it.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any, metaJSON:
		return pyRepr(toPy(v))
	}
	return fmt.Sprint(v)
}

// pyFloat is repr(float): the shortest round-trip digits, in exponent form
// below 1e-4 and from 1e16 on, always with a "." or an exponent.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	if n < -4 || n >= 16 {
		sign := "+"
		if n < 0 {
			sign, n = "-", -n
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, n)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pyStr is repr(str): single quotes unless the text has ' and no ".
func pyStr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case !unicode.IsPrint(r):
			switch {
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
