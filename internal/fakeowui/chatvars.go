package fakeowui

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Chat variables (0.11.0+): /list, GET /model and /api/models add
// meta.chat_variables_schema when params.system uses
// {{chat.variables.<key>}} or {{chat.variables.<key> | <type>:<props>}}.
// This follows utils/chat_variables.py.

var (
	// Compiled on first use (--demo links this package into the server).
	chatVarRE    = lazyRE(`{{\s*chat\.variables\.([^\s|}]+)(?:\s*\|\s*([^}]*))?\s*}}`)
	chatVarKeyRE = lazyRE(`^[a-z][a-z0-9_]*$`)
)

// chatFieldKeys are the definition keys a field keeps, in the (sorted)
// order _safe_field copies them.
var chatFieldKeys = []string{"default", "label", "max", "maxlength", "min", "minlength", "options", "placeholder", "required", "step", "type"}

// addChatVariables sets or removes m.Meta["chat_variables_schema"] from
// m.Params["system"], as add_chat_variables_schema does.
func addChatVariables(m *modelJSON) {
	system, _ := m.Params["system"].(string)
	if schema := chatVariablesSchema(system); schema != nil {
		m.Meta["chat_variables_schema"] = map[string]any{"fields": schema}
		return
	}
	delete(m.Meta, "chat_variables_schema")
}

// chatVariablesSchema returns the fields of the schema, nil when there are
// none or the prompt's variables are invalid.
func chatVariablesSchema(system string) []any {
	var order []string
	fields := map[string]pyDict{}
	typed := map[string]pyDict{}
	for _, m := range chatVarRE().FindAllStringSubmatchIndex(system, -1) {
		key := strings.TrimSpace(system[m[2]:m[3]])
		if !chatVarKeyRE().MatchString(key) {
			return nil
		}
		def := ""
		if m[4] >= 0 {
			def = strings.TrimSpace(system[m[4]:m[5]])
		}
		if def == "" {
			if _, seen := fields[key]; !seen {
				order = append(order, key)
				fields[key] = safeChatField(key, pyDict{{"type", "text"}})
			}
			continue
		}
		field := safeChatField(key, parseChatVarDefinition(def))
		if t, _ := field.get("type"); t == "select" {
			if o, _ := field.get("options"); o == nil || len(o.([]any)) == 0 {
				return nil
			}
		}
		if prev, ok := typed[key]; ok && pyRepr(prev) != pyRepr(field) {
			return nil
		}
		typed[key] = field
		if _, seen := fields[key]; !seen {
			order = append(order, key)
		}
		fields[key] = field
	}
	if len(order) == 0 {
		return nil
	}
	out := make([]any, len(order))
	for i, k := range order {
		out[i] = fields[k]
	}
	return out
}

// safeChatField is _safe_field: the key, the allowed definition keys,
// type (default text), options (a list for selects) and required (a bool).
func safeChatField(key string, def pyDict) pyDict {
	f := pyDict{{"key", key}}
	for _, k := range chatFieldKeys {
		if v, ok := def.get(k); ok {
			f = append(f, pyItem{k, v})
		}
	}
	if _, ok := f.get("type"); !ok {
		f = append(f, pyItem{"type", "text"})
	}
	if t, _ := f.get("type"); t == "select" {
		if o, _ := f.get("options"); !isList(o) {
			f = f.set("options", []any{})
		}
	}
	req, _ := f.get("required")
	return f.set("required", pyTruthy(req))
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

func pyTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case json.Number:
		f, _ := v.Float64()
		return f != 0
	case []any:
		return len(v) > 0
	case pyDict:
		return len(v) > 0
	}
	return true
}

// parseChatVarDefinition is parse_variable_definition: "type:prop=value:flag".
func parseChatVarDefinition(def string) pyDict {
	parts := splitChatProps(def, ':')
	if len(parts) == 0 {
		return pyDict{{"type", "text"}}
	}
	typ := strings.TrimSpace(strings.TrimPrefix(parts[0], "type="))
	if typ == "" {
		typ = "text"
	}
	out := pyDict{{"type", typ}}
	for _, part := range parts[1:] {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		eq := splitChatProps(part, '=')
		if len(eq) == 1 {
			out = out.set(strings.TrimSpace(eq[0]), true)
			continue
		}
		out = out.set(strings.TrimSpace(eq[0]), parseChatVarValue(strings.TrimSpace(strings.Join(eq[1:], "="))))
	}
	return out
}

// parseChatVarValue is parse_json_value: "quoted" text, JSON for [ and {,
// the raw text otherwise (numbers stay strings).
func parseChatVarValue(v string) any {
	if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
		return v[1 : len(v)-1]
	}
	if strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{") {
		if parsed, err := decodePy([]byte(v)); err == nil {
			return parsed
		}
	}
	return v
}

// splitChatProps is split_properties: split on delim outside strings and
// brackets, trimming each part and dropping a blank last one.
func splitChatProps(v string, delim rune) []string {
	var out []string
	var cur strings.Builder
	depth, inString, escape := 0, false, false
	for _, r := range v {
		switch {
		case escape:
			cur.WriteRune(r)
			escape = false
			continue
		case r == '\\':
			cur.WriteRune(r)
			escape = true
			continue
		case r == '"':
			inString = !inString
			cur.WriteRune(r)
			continue
		}
		if !inString {
			switch r {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			if r == delim && depth == 0 {
				out = append(out, strings.TrimSpace(cur.String()))
				cur.Reset()
				continue
			}
		}
		cur.WriteRune(r)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// MarshalJSON lets a pyDict (chat variable fields) keep its key order.
func (d pyDict) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	e := newValueEncoder(&b)
	b.WriteByte('{')
	for i, it := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := e.encode(it.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := e.encode(it.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
