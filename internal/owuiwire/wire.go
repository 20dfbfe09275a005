// Package owuiwire reproduces what Open WebUI 0.12.4's chat puts in front of
// the LLM for an MCP tool server, so token budgets can be checked in plain
// go test: the tool definitions it sends with every request
// (utils/mcp/client.py list_tool_specs, prefixed names in utils/middleware.py,
// serialised by the OpenAI router with Python's json.dumps), and a tool
// result after MCPClient.call_tool and middleware.process_tool_result. The
// chat suite (e2e, tags e2e,chat) measures the same against the real server.
package owuiwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// ToolSpecs is the "tools" array of the LLM request for an MCP connection
// with id serverID: per tool {"type":"function","function":{name
// "<serverID>_<tool>", description, parameters: inputSchema}} (outputSchema
// is dropped), as Python's json.dumps writes it (", " and ": " separators,
// non-ASCII escaped). Pass the tools as the server holds them: a tool decoded
// by a Go client has lost its schema's key order (ToolSpecsJSON takes the
// wire form).
func ToolSpecs(tools []mcp.Tool, serverID string) (string, error) {
	raws := make([]json.RawMessage, 0, len(tools))
	for _, t := range tools {
		raw, err := json.Marshal(t)
		if err != nil {
			return "", err
		}
		raws = append(raws, raw)
	}
	return ToolSpecsJSON(raws, serverID)
}

// ToolSpecsJSON is ToolSpecs over the tools of a tools/list answer as they
// came over the wire: Open WebUI's Python client keeps each inputSchema
// exactly as sent (key order, no added keys).
func ToolSpecsJSON(tools []json.RawMessage, serverID string) (string, error) {
	specs := make([]json.RawMessage, 0, len(tools))
	for _, raw := range tools {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", err
		}
		var name string
		if err := json.Unmarshal(m["name"], &name); err != nil {
			return "", fmt.Errorf("tool without a name: %w", err)
		}
		// Keys in Open WebUI's order: name, description, parameters.
		fn := fmt.Sprintf(`{"name":%q,"description":%s,"parameters":%s}`, serverID+"_"+name, orNull(m["description"]), orNull(m["inputSchema"]))
		specs = append(specs, json.RawMessage(`{"type":"function","function":`+fn+`}`))
	}
	b, err := json.Marshal(specs)
	if err != nil {
		return "", err
	}
	return Dumps(b, -1, true)
}

func orNull(r json.RawMessage) string {
	if len(r) == 0 {
		return "null"
	}
	return string(r)
}

// ErrToolError is returned by ToolResult for isError results: Open WebUI
// raises, and the LLM gets {"error": "<tool> failed: <text>"} instead.
var ErrToolError = errors.New("tool returned isError")

// ToolResult is the tool message content the LLM receives for a successful
// result: call_tool appends structuredContent as one more text block unless
// a text block is JSON equal to it; process_tool_result parses JSON text
// blocks, keeps a single block as is and wraps several in {"results": [...]},
// and dumps dicts and lists with indent=2 (ensure_ascii=False).
func ToolResult(res *mcp.CallToolResult) (string, error) {
	if res.IsError {
		return "", ErrToolError
	}
	var texts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	blocks := append([]string(nil), texts...)
	if res.StructuredContent != nil {
		sb, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return "", err
		}
		structured, err := canonical(sb)
		if err != nil {
			return "", err
		}
		equal := false
		for _, tx := range texts {
			c, err := canonical([]byte(tx))
			if err != nil { // not JSON: compared as a JSON string
				q, _ := json.Marshal(tx)
				c, _ = canonical(q)
			}
			if c == structured {
				equal = true
				break
			}
		}
		if !equal {
			// call_tool appends JSONCodec.dumps(structured, sort_keys=True).
			s, err := Dumps([]byte(structured), -1, true)
			if err != nil {
				return "", err
			}
			blocks = append(blocks, s)
		}
	}
	// process_tool_result: each text block parsed as JSON when it is JSON.
	items := make([]json.RawMessage, len(blocks))
	for i, b := range blocks {
		if json.Valid([]byte(b)) {
			items[i] = json.RawMessage(b)
		} else {
			q, _ := json.Marshal(b)
			items[i] = q
		}
	}
	if len(items) == 1 {
		var s string
		if json.Unmarshal(items[0], &s) == nil {
			return s, nil // a plain string goes through unchanged
		}
		trimmed := bytes.TrimSpace(items[0])
		if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
			return Dumps(items[0], 2, false)
		}
		return strings.TrimSpace(string(items[0])), nil // a number or bool: str(value)
	}
	wrapped, err := json.Marshal(map[string]any{"results": items})
	if err != nil {
		return "", err
	}
	return Dumps(wrapped, 2, false)
}

// canonical is JSON with sorted keys and Python's default separators, the
// form call_tool compares.
func canonical(b []byte) (string, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	if _, err := d.Token(); err != io.EOF {
		return "", errors.New("trailing data")
	}
	var sb strings.Builder
	writeSorted(&sb, v)
	return sb.String(), nil
}

func writeSorted(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(pyString(k, true))
			sb.WriteString(": ")
			writeSorted(sb, x[k])
		}
		sb.WriteByte('}')
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeSorted(sb, e)
		}
		sb.WriteByte(']')
	case string:
		sb.WriteString(pyString(x, true))
	case json.Number:
		sb.WriteString(pyNumber(x))
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case nil:
		sb.WriteString("null")
	}
}

// Dumps re-serialises JSON the way Python's json.dumps does, keeping key
// order: indent < 0 is the one-line form with ", " and ": "; indent >= 0
// puts every element on its own line (empty containers stay "{}" / "[]").
func Dumps(b []byte, indent int, ensureASCII bool) (string, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var sb strings.Builder
	if err := dumpValue(d, &sb, indent, 0, ensureASCII); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func dumpValue(d *json.Decoder, sb *strings.Builder, indent, depth int, ascii bool) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		closer := byte('}')
		if v == '[' {
			closer = ']'
		}
		sb.WriteByte(byte(v))
		n := 0
		for d.More() {
			if n > 0 {
				sb.WriteByte(',')
				if indent < 0 {
					sb.WriteByte(' ')
				}
			}
			newline(sb, indent, depth+1)
			if v == '{' {
				kt, err := d.Token()
				if err != nil {
					return err
				}
				sb.WriteString(pyString(kt.(string), ascii))
				sb.WriteString(": ")
			}
			if err := dumpValue(d, sb, indent, depth+1, ascii); err != nil {
				return err
			}
			n++
		}
		if _, err := d.Token(); err != nil {
			return err
		}
		if n > 0 {
			newline(sb, indent, depth)
		}
		sb.WriteByte(closer)
	case string:
		sb.WriteString(pyString(v, ascii))
	case json.Number:
		sb.WriteString(pyNumber(v))
	case bool:
		sb.WriteString(strconv.FormatBool(v))
	case nil:
		sb.WriteString("null")
	}
	return nil
}

func newline(sb *strings.Builder, indent, depth int) {
	if indent < 0 {
		return
	}
	sb.WriteByte('\n')
	sb.WriteString(strings.Repeat(" ", indent*depth))
}

// pyNumber writes a number as Python re-dumps a parsed one: ints as is,
// floats by repr.
func pyNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := n.Float64()
	if err != nil {
		return s
	}
	r := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(r, ".eEn") { // Python: 1.0, not 1
		r += ".0"
	}
	return r
}

// pyString is a JSON string as Python's json.dumps writes it.
func pyString(s string, ascii bool) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(&sb, `\u%04x`, r)
			case ascii && r >= utf8.RuneSelf:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(&sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(&sb, `\u%04x`, r)
				}
			default:
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
