package tools

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/redact"
)

// TestResultsAreRedactedAtTheWrapper: a secret the upstream client does not
// know (the HTTP bearer token), stored in a model's description in several
// spellings, is cut out of the structured result and the text by the shared
// wrapper, not only out of the text. (The upstream key and a caller's own
// token are cut already where answers enter, see secrets_test.go.)
func TestResultsAreRedactedAtTheWrapper(t *testing.T) {
	const httpToken = "http-bearer-SECRET-0123456789"
	e := newEnv(t)
	e.deps.Secrets = append(e.deps.Secrets, httpToken)
	desc := strings.Join([]string{
		httpToken, strings.ToUpper(httpToken), base64.StdEncoding.EncodeToString([]byte("Bearer " + httpToken)),
		base64.RawURLEncoding.EncodeToString([]byte(httpToken)),
	}, " ")
	e.ok("create_model", map[string]any{"id": "leaky", "name": "Leaky", "base_model_id": "gpt-4o", "description": desc}, nil)
	for name, args := range map[string]map[string]any{"get_model": {"id": "leaky"}, "list_models": {"query": "leaky", "detail": "full"}, "export_models": nil} {
		res := e.call(name, args)
		if res.IsError {
			t.Fatalf("%s: %s", name, text(res))
		}
		sc, _ := json.Marshal(res.StructuredContent)
		for where, s := range map[string]string{"structuredContent": string(sc), "text": text(res)} {
			if name == "get_model" && !strings.Contains(s, redact.Mask) {
				t.Errorf("%s %s: nothing redacted (the test proves nothing): %s", name, where, s)
			}
			for _, f := range redact.Forms(httpToken) {
				if strings.Contains(strings.ToLower(s), strings.ToLower(f)) {
					t.Errorf("%s %s holds %q", name, where, f)
				}
			}
		}
	}
}
