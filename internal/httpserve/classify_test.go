package httpserve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mark3labs/mcp-go/mcp"
)

// classifyUnmarshal is the former classify, a second json.Unmarshal of the
// body: the reference the scanner must agree with on every input.
func classifyUnmarshal(body []byte) messageKind {
	var m struct {
		Method *string          `json:"method"`
		ID     *json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return kindCall
	}
	switch {
	case m.Method == nil:
		return kindResponse
	case m.ID == nil:
		return kindNotification
	case *m.Method == string(mcp.MethodSubscriptionsListen):
		return kindStream
	default:
		return kindCall
	}
}

// Real MCP messages (as Open WebUI's client and the SDKs send them).
var classifySeeds = []string{
	`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"clientInfo":{"name":"open-webui","version":"0.12.4"}}}`,
	`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
	typicalToolsCall,
	`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":42,"reason":"user aborted \"the\" call"}}`,
	`{"jsonrpc":"2.0","id":7,"result":{"action":"accept","content":{"confirm":true}}}`,
	`{"jsonrpc":"2.0","id":"s-1","error":{"code":-32601,"message":"Method not found"}}`,
	`{"jsonrpc":"2.0","id":3,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`,
	`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
	`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]`,
}

// typicalToolsCall is a tools/call with nested arguments, a few hundred bytes.
const typicalToolsCall = `{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"update_model",` +
	`"arguments":{"id":"llama3:8b-instruct","changes":{"name":"Llama 3 \u2013 8B","meta":{"description":"General chat model.\nUse for \"everyday\" questions.",` +
	`"tags":[{"name":"chat"},{"name":"fast"}],"capabilities":{"vision":false,"citations":true}},"params":{"temperature":0.7,"top_p":0.9,"max_tokens":4096,"stop":null}},` +
	`"expected_fingerprint":"sha256:3f2a9c0b7d1e","confirm_token":"ct_01HZX9K2M4"},"_meta":{"progressToken":17}}}`

func TestClassify(t *testing.T) {
	deep := func(n int) string { // {"a": n-1 nested arrays }: n containers in all
		return `{"method":"x","a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
	}
	cases := []struct {
		name string
		body string
		want messageKind
	}{
		{"call", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}`, kindCall},
		{"id zero", `{"jsonrpc":"2.0","id":0,"method":"ping"}`, kindCall},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, kindNotification},
		{"result", `{"jsonrpc":"2.0","id":7,"result":{"action":"accept"}}`, kindResponse},
		{"error", `{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"x"}}`, kindResponse},
		{"listen", `{"jsonrpc":"2.0","id":3,"method":"subscriptions/listen","params":{}}`, kindStream},
		{"listen notification", `{"method":"subscriptions/listen"}`, kindNotification},
		{"empty object", `{}`, kindResponse},
		{"spaces everywhere", " \t\r\n{ \"method\" :\n\"x\" ,\t\"id\" : 1 } \r\n", kindCall},

		// Not an object.
		{"empty", ``, kindCall},
		{"only space", " \n", kindCall},
		{"not json", `not json`, kindCall},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, kindCall},
		{"empty batch", `[]`, kindCall},
		{"null", `null`, kindResponse},
		{"null spaced", " null\n", kindResponse},
		{"null truncated", `nul`, kindCall},
		{"null trailing", `nullx`, kindCall},
		{"true", `true`, kindCall},
		{"number", `12`, kindCall},
		{"string", `"method"`, kindCall},
		{"bom", "\xef\xbb\xbf{\"method\":\"x\"}", kindCall},

		// Syntax errors in or after the object.
		{"trailing data", `{"method":"x"}x`, kindCall},
		{"two objects", `{"method":"x"}{}`, kindCall},
		{"trailing comma after", `{"method":"x"},`, kindCall},
		{"trailing comma in", `{"method":"x",}`, kindCall},
		{"unterminated object", `{"method":"x"`, kindCall},
		{"unterminated string", `{"method":"x`, kindCall},
		{"unquoted key", `{method:"x"}`, kindCall},
		{"missing colon", `{"method" "x"}`, kindCall},
		{"missing comma", `{"a":1 "method":"x"}`, kindCall},
		{"form feed is no space", "{\f\"method\":\"x\"}", kindCall},
		{"control char in string", "{\"method\":\"x\ny\"}", kindCall},
		{"tab in key", "{\"met\thod\":\"x\"}", kindCall},
		{"bad escape", `{"method":"x","a":"\x"}`, kindCall},
		{"bad hex", `{"method":"x","a":"\u12G4"}`, kindCall},
		{"short hex", `{"method":"x","a":"\u12"}`, kindCall},
		{"escape at end", `{"method":"x","a":"\`, kindCall},
		{"nested unterminated", `{"method":"x","a":[1,{"b":2]}`, kindCall},
		{"nested trailing comma", `{"method":"x","a":[1,]}`, kindCall},
		{"nested object trailing comma", `{"method":"x","a":{"b":1,}}`, kindCall},
		{"nested key not string", `{"method":"x","a":{1:2}}`, kindCall},
		{"mismatched close", `{"method":"x","a":[}`, kindCall},

		// Values that are skipped must still be valid.
		{"number ok", `{"method":"x","n":-0.5e+10,"m":1E5,"z":0,"w":[-0,12.25e-3]}`, kindNotification},
		{"leading zero", `{"method":"x","n":01}`, kindCall},
		{"bare dot", `{"method":"x","n":1.}`, kindCall},
		{"bare minus", `{"method":"x","n":-}`, kindCall},
		{"plus", `{"method":"x","n":+1}`, kindCall},
		{"dot first", `{"method":"x","n":.5}`, kindCall},
		{"empty exponent", `{"method":"x","n":1e}`, kindCall},
		{"hex number", `{"method":"x","n":0x1}`, kindCall},
		{"literal typo", `{"method":"x","a":tru}`, kindCall},
		{"literal case", `{"method":"x","a":True}`, kindCall},
		{"invalid utf8 value", "{\"method\":\"x\xff\"}", kindNotification},
		{"strings with escapes", `{"p":"\"}","q":"\\","r":"\\\"","s":"\u00e9\/\b\f\n\r\t","method":"x"}`, kindNotification},
		{"nested", `{"params":[1,[2,{"a":[]}],{},"]}"],"id":1,"method":"x"}`, kindCall},
		{"nested method and id ignored", `{"params":{"method":"x","id":1}}`, kindResponse},
		{"nested id ignored", `{"result":{"id":1},"method":"x"}`, kindNotification},
		{"depth 10000", deep(10000), kindNotification},
		{"depth 10001", deep(10001), kindCall},
		{"deep objects", `{"method":"x","a":` + strings.Repeat(`{"b":`, 50) + `1` + strings.Repeat(`}`, 50) + `}`, kindNotification},

		// id.
		{"id null", `{"method":"tools/call","id":null}`, kindNotification},
		{"id null then set", `{"id":null,"id":1,"method":"x"}`, kindCall},
		{"id set then null", `{"id":1,"id":null,"method":"x"}`, kindNotification},
		{"id string", `{"method":"x","id":"abc"}`, kindCall},
		{"id object", `{"method":"x","id":{"a":null}}`, kindCall},
		{"id array", `{"method":"x","id":[]}`, kindCall},
		{"id false", `{"method":"x","id":false}`, kindCall},

		// method.
		{"method null", `{"method":null,"id":1}`, kindResponse},
		{"method set then null", `{"method":"x","method":null,"id":1}`, kindResponse},
		{"method null then set", `{"method":null,"method":"x","id":1}`, kindCall},
		{"last method wins", `{"method":"tools/call","method":"subscriptions/listen","id":1}`, kindStream},
		{"last method wins 2", `{"method":"subscriptions/listen","method":"tools/call","id":1}`, kindCall},
		{"method number", `{"method":1,"id":1}`, kindCall},
		{"method number no id", `{"method":1}`, kindCall},
		{"method object", `{"method":{},"id":null}`, kindCall},
		{"method array", `{"method":["subscriptions/listen"]}`, kindCall},
		{"method bool", `{"method":true}`, kindCall},
		{"type error not undone", `{"method":1,"method":null}`, kindCall},
		{"type error not undone 2", `{"method":1,"method":"x"}`, kindCall},
		{"method empty", `{"method":"","id":1}`, kindCall},
		{"method value is case-sensitive", `{"method":"Subscriptions/listen","id":1}`, kindCall},
		{"method escaped slash", `{"method":"subscriptions\/listen","id":1}`, kindStream},
		{"method unicode escape", `{"method":"\u0073ubscriptions/listen","id":1}`, kindStream},
		{"method upper-case hex", `{"method":"subscriptions\u002Flisten","id":1}`, kindStream},
		{"method longer", `{"method":"subscriptions/listen\u0000","id":1}`, kindCall},
		{"method shorter", `{"method":"subscriptions/liste\u006e","id":1}`, kindStream},
		{"method prefix", `{"method":"subscriptions/liste","id":1}`, kindCall},
		{"method non-ascii escape", `{"method":"subscriptions/listen\u00e9","id":1}`, kindCall},
		{"method surrogate", `{"method":"subscriptions/listen\ud800","id":1}`, kindCall},

		// Keys: unescaped, then matched case-insensitively.
		{"key upper", `{"METHOD":"subscriptions/listen","Id":1}`, kindStream},
		{"key mixed", `{"mEtHoD":"x"}`, kindNotification},
		{"key ID upper", `{"ID":1,"result":{}}`, kindResponse},
		{"key both cases, last wins", `{"method":"x","METHOD":null,"id":1}`, kindResponse},
		{"key escaped", `{"m\u0065thod":"x","\u0069d":2}`, kindCall},
		{"key escaped upper", `{"\u006D\u0045THOD":"subscriptions/listen","id":1}`, kindStream},
		{"key escaped slash", `{"meth\/od":"x"}`, kindResponse},
		{"key longer", `{"methods":"x"}`, kindResponse},
		{"key shorter", `{"metho":"x"}`, kindResponse},
		{"key nul", `{"method\u0000":"x"}`, kindResponse},
		{"key quote", `{"a\"method":"x"}`, kindResponse},
		{"key backslash", `{"method\\":"x"}`, kindResponse},
		{"key non-ascii", `{"méthod":"x"}`, kindResponse},
		{"key dotless i", `{"method":"x","ıd":1}`, kindNotification},
		{"key kelvin", `{"method":"x","\u212Ad":1}`, kindNotification},
		{"key invalid utf8", "{\"method\xff\":\"x\"}", kindResponse},
		{"key non-ascii escape", `{"m\u00e9thod":"x"}`, kindResponse},
	}
	for _, c := range cases {
		if ref := classifyUnmarshal([]byte(c.body)); ref != c.want {
			t.Errorf("%s: the reference (json.Unmarshal) gives %d, the table says %d: fix the table", c.name, ref, c.want)
		}
		if got := classify([]byte(c.body)); got != c.want {
			t.Errorf("%s: classify(%.80q) = %d, want %d", c.name, c.body, got, c.want)
		}
	}
}

func TestClassifyAllocatesNothing(t *testing.T) {
	body := []byte(typicalToolsCall)
	if n := testing.AllocsPerRun(100, func() { classify(body) }); n != 0 {
		t.Errorf("classify allocates %.0f times per call, want 0", n)
	}
}

// FuzzClassify checks the scanner against json.Unmarshal on any bytes.
func FuzzClassify(f *testing.F) {
	for _, s := range classifySeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"M\u0045THOD":"subscriptions\/listen","iD":null,"id":[1,{"a":"\\\""}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := classify(body), classifyUnmarshal(body); got != want {
			t.Errorf("classify(%q) = %d, json.Unmarshal says %d", body, got, want)
		}
	})
}

// BenchmarkClassify: the scanner against the former json.Unmarshal, on a
// typical tools/call body (run both in one go to compare).
func BenchmarkClassify(b *testing.B) {
	body := []byte(typicalToolsCall)
	for _, bc := range []struct {
		name string
		fn   func([]byte) messageKind
	}{{"scan", classify}, {"unmarshal", classifyUnmarshal}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if bc.fn(body) != kindCall {
					b.Fatal("not a call")
				}
			}
		})
	}
}

func TestReadAtMost(t *testing.T) {
	const limit = 4096
	errBoom := errors.New("boom")
	for _, size := range []int{0, 1, 511, 512, 513, 3000, limit, limit + 1, 3 * limit} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		want := data[:min(size, limit+1)]
		for _, declared := range []int64{int64(size), -1, 0, int64(size) / 2, int64(size) * 2} {
			for name, rd := range map[string]io.Reader{
				"whole":    bytes.NewReader(data),
				"one byte": iotest.OneByteReader(bytes.NewReader(data)),
				"data+EOF": iotest.DataErrReader(bytes.NewReader(data)),
			} {
				got, err := readAtMost(rd, limit, declared)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("size %d declared %d %s: got %d bytes, err %v; want %d bytes", size, declared, name, len(got), err, len(want))
				}
			}
		}
	}
	// A read error is returned, with what came before it.
	got, err := readAtMost(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errBoom)), limit, -1)
	if !errors.Is(err, errBoom) || string(got) != "abc" {
		t.Errorf("read error: got %q, %v", got, err)
	}
	// A declared size is trusted only up to readPrealloc.
	got, _ = readAtMost(strings.NewReader(""), 16<<20, 16<<20)
	if len(got) != 0 || cap(got) > readPrealloc+1 {
		t.Errorf("declared 16 MiB, sent nothing: len %d cap %d, want 0 and at most %d", len(got), cap(got), readPrealloc+1)
	}
	// A declared body is read into one buffer.
	data := bytes.Repeat([]byte("x"), 5000)
	if n := testing.AllocsPerRun(50, func() {
		_, _ = readAtMost(bytes.NewReader(data), limit*2, int64(len(data)))
	}); n > 2 { // the buffer, and the bytes.Reader the closure makes
		t.Errorf("reading a declared 5000-byte body allocates %.0f times, want at most 2", n)
	}
}
