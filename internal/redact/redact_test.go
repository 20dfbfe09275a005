package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
)

const secret = "sk-Secret/Key+0123456789abcdef?x=1&y"

// Every form an echo may carry is found, in text and in JSON.
func TestForms(t *testing.T) {
	s := New(secret)
	for _, tc := range []struct{ name, in string }{
		{"plain", "key " + secret + " end"},
		{"upper", strings.ToUpper(secret)},
		{"lower", "x" + strings.ToLower(secret)},
		{"query escape", "?k=" + url.QueryEscape(secret)},
		{"query escape lower hex", strings.ToLower(url.QueryEscape(secret))},
		{"path escape", "/p/" + url.PathEscape(secret)},
		{"base64 std", base64.StdEncoding.EncodeToString([]byte(secret))},
		{"base64 raw std", base64.RawStdEncoding.EncodeToString([]byte(secret))},
		{"base64 url", base64.URLEncoding.EncodeToString([]byte(secret))},
		{"base64 raw url", base64.RawURLEncoding.EncodeToString([]byte(secret))},
		{"basic auth offset 1", base64.StdEncoding.EncodeToString([]byte("a:" + secret))},
		{"bearer offset 7", base64.StdEncoding.EncodeToString([]byte("Bearer " + secret + " tail"))},
		{"offset 2 url", base64.RawURLEncoding.EncodeToString([]byte("ab" + secret))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := s.String(tc.in)
			if !strings.Contains(out, Mask) {
				t.Fatalf("nothing redacted in %q: %q", tc.in, out)
			}
			for _, f := range Forms(secret) {
				if strings.Contains(strings.ToLower(out), strings.ToLower(f)) {
					t.Errorf("%q still holds form %q", out, f)
				}
			}
			// The JSON path finds the same in a JSON document.
			doc, _ := json.Marshal(map[string]string{"description": tc.in})
			got := s.JSON(doc)
			var back map[string]string
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("redacted JSON is invalid: %v: %s", err, got)
			}
			if !strings.Contains(back["description"], Mask) {
				t.Errorf("JSON not redacted: %s", got)
			}
		})
	}
}

func TestLeavesOtherTextAlone(t *testing.T) {
	s := New(secret, "", "ab") // empty and too-short secrets are ignored
	for _, in := range []string{"", "ab", "hello world", "c2stU2VjcmV0", `{"a":"b"}`} {
		if got := s.String(in); got != in {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
	var nilSet *Set
	if nilSet.String(secret) != secret || !nilSet.Empty() {
		t.Error("a nil Set redacts")
	}
	// A short secret is cut only as spelled.
	short := New("tok1")
	if got := short.String("TOK1 tok1"); got != "TOK1 "+Mask {
		t.Errorf("short secret: %q", got)
	}
}

func TestValue(t *testing.T) {
	type rec struct {
		ID   string         `json:"id"`
		Meta map[string]any `json:"meta"`
		N    float64        `json:"n"`
	}
	s := New(secret)
	clean := rec{ID: "a", N: 1.5}
	if got := s.Value(clean); got.(rec).ID != "a" {
		t.Fatalf("a clean value was changed: %#v", got)
	}
	dirty := []rec{{ID: "a", N: 1234567890123, Meta: map[string]any{
		"description": "echo " + strings.ToUpper(secret),
		secret:        base64.StdEncoding.EncodeToString([]byte(secret)),
	}}}
	got := s.Value(dirty)
	b, _ := json.Marshal(got)
	for _, f := range Forms(secret) {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(f)) {
			t.Errorf("%s holds %q", b, f)
		}
	}
	if !strings.Contains(string(b), `"n":1234567890123`) || !strings.Contains(string(b), `"id":"a"`) {
		t.Errorf("other fields changed: %s", b)
	}
	if !strings.Contains(string(b), `"`+Mask+`":"`+Mask) {
		t.Errorf("key and value not redacted: %s", b)
	}
}

func TestWith(t *testing.T) {
	base := New("first-secret-000")
	both := base.With("second-secret-00")
	if got := base.String("second-secret-00"); got != "second-secret-00" {
		t.Errorf("With changed its receiver: %q", got)
	}
	if got := both.String("first-secret-000 second-secret-00"); got != Mask+" "+Mask {
		t.Errorf("With: %q", got)
	}
	if base.With("") != base || base.With("first-secret-000") != base {
		t.Error("With of nothing new should return the same Set")
	}
	// Every stdio call asks for the Set with an empty caller token and
	// redacts an answer that holds no secret: neither may allocate.
	body := []byte(`{"id":"m","name":"a model","meta":{"description":"nothing secret here"}}`)
	if n := testing.AllocsPerRun(50, func() {
		_ = base.With("")
		_ = base.With("first-secret-000")
		_ = base.JSON(body)
	}); n != 0 {
		t.Errorf("With of nothing new and a clean body: %v allocations", n)
	}
}

// A secret of letters only is found in any case, also next to other text
// that shares its first letter.
func TestFoldLettersOnly(t *testing.T) {
	s := New("abcdefghijklmnop")
	for in, want := range map[string]string{
		"aaABCDEFGHIJKLMNOPz":                 "aa" + Mask + "z",
		"abcdefghijklmnoq AbCdEfGhIjKlMnOp":   "abcdefghijklmnoq " + Mask,
		"abcdefghijklmno":                     "abcdefghijklmno",
		"x abcdefghijklmnop abcdefghijklmnop": "x " + Mask + " " + Mask,
	} {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// Body picks the spelling by content type: JSON stays valid JSON, images
// pass untouched, other text is searched as text.
func TestBody(t *testing.T) {
	s := New(secret)
	esc, _ := json.Marshal(secret) // the JSON spelling, with \u0026 for &
	jsonDoc := `{"echo":` + string(esc) + `}`
	plain := "echo: " + secret
	for _, tc := range []struct {
		name, ctype, in, want string
	}{
		{"declared JSON", "application/json; charset=utf-8", jsonDoc, `{"echo":"` + Mask + `"}`},
		{"Open WebUI's JSON type (not parsed)", "application/json", jsonDoc, `{"echo":"` + Mask + `"}`},
		{"JSON type, other case", "Application/JSON", jsonDoc, `{"echo":"` + Mask + `"}`},
		{"+json", "application/problem+json", jsonDoc, `{"echo":"` + Mask + `"}`},
		{"JSON without a JSON type", "text/plain", jsonDoc, `{"echo":"` + Mask + `"}`},
		{"plain text", "text/plain", plain, "echo: " + Mask},
		{"no type", "", plain, "echo: " + Mask},
		{"image untouched", "image/png", plain, plain},
	} {
		got := string(s.Body(tc.ctype, []byte(tc.in)))
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if strings.HasSuffix(tc.ctype, "json") && !json.Valid([]byte(got)) {
			t.Errorf("%s: not JSON any more: %q", tc.name, got)
		}
	}
}

// Error keeps a clean error itself (errors.Is still works) and replaces a
// dirty one by its redacted message.
func TestError(t *testing.T) {
	s := New(secret)
	if s.Error(nil) != nil {
		t.Error("nil error became non-nil")
	}
	clean := fmt.Errorf("dial: %w", io.ErrUnexpectedEOF)
	if got := s.Error(clean); got != clean || !errors.Is(got, io.ErrUnexpectedEOF) {
		t.Errorf("clean error replaced: %v", got)
	}
	dirty := fmt.Errorf("bad Location %q: %w", "http://x/?k="+secret, io.ErrUnexpectedEOF)
	got := s.Error(dirty)
	if want := `bad Location "http://x/?k=` + Mask + `": unexpected EOF`; got == nil || got.Error() != want {
		t.Errorf("dirty error: %v, want %s", got, want)
	}
	if New().Error(dirty) != dirty {
		t.Error("an empty set changed an error")
	}
}

// A string exactly as long as a form (the shortest included) is still
// searched: String's length shortcut skips only strings shorter than every
// form.
func TestStringExactlyAForm(t *testing.T) {
	for _, sec := range []string{secret, "abcd", "0123456789"} {
		s := New(sec, "another-secret-0123456789")
		for _, f := range Forms(sec) {
			if got := s.String(f); got != Mask {
				t.Errorf("String(%q) = %q, want %q", f, got, Mask)
			}
		}
	}
}
