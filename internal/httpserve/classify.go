package httpserve

import (
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// messageKind classifies a POST body for the concurrency cap.
type messageKind int

const (
	kindCall         messageKind = iota // request: counted
	kindNotification                    // notification (e.g. notifications/cancelled): quick, not counted
	kindResponse                        // client's answer to a server request: not counted
	kindStream                          // subscriptions/listen: long-lived, counted as a stream
)

// classify looks at the JSON-RPC message shape only: whether the top-level
// object has a "method" (and which) and an "id". mcp-go parses the body
// itself afterwards, so this is a single allocation-free pass instead of a
// second json.Unmarshal (issue 19).
//
// The answer is exactly what json.Unmarshal into
//
//	struct{ Method *string `json:"method"`; ID *json.RawMessage `json:"id"` }
//
// gives (the former implementation, kept in the tests as the reference and
// fuzzed against this one):
//   - any syntax error (including trailing data or nesting deeper than
//     10000) or a type error (a top-level value other than an object or
//     null, a "method" that is neither a string nor null): kindCall, and
//     mcp-go answers the error;
//   - keys match case-insensitively after unescaping ("METHOD",
//     "m\u0065thod"); the last of duplicate keys wins;
//   - a null "method" or "id" counts as absent (it leaves the pointer nil).
func classify(body []byte) messageKind {
	i := jsonscan.SkipSpace(body, 0)
	if i == len(body) {
		return kindCall
	}
	if body[i] != '{' {
		// Only a top-level null decodes without error (and fills nothing).
		if j := jsonscan.SkipLiteral(body, i, "null"); j > 0 && jsonscan.SkipSpace(body, j) == len(body) {
			return kindResponse
		}
		return kindCall // a batch, another value or invalid JSON
	}

	var (
		hasMethod bool
		hasID     bool
		typeError bool
		method    []byte // raw contents of the method string, between the quotes
	)
	m := jsonscan.Members(body, i, jsonscan.MaxDepth)
	for m.Next() {
		switch c := m.Value[0]; {
		case !jsonscan.EqualFold(m.Key, "method"):
			if jsonscan.EqualFold(m.Key, "id") {
				hasID = c != 'n'
			}
		case c == '"':
			hasMethod, method = true, m.Value[1:len(m.Value)-1]
		case c == 'n':
			hasMethod = false
		default:
			typeError = true
		}
	}
	if end := m.End(); end < 0 || jsonscan.SkipSpace(body, end) != len(body) {
		return kindCall // invalid, or trailing data
	}

	switch {
	case typeError:
		return kindCall
	case !hasMethod:
		return kindResponse
	case !hasID:
		return kindNotification
	case jsonscan.Equal(method, string(mcp.MethodSubscriptionsListen)):
		return kindStream
	default:
		return kindCall
	}
}
