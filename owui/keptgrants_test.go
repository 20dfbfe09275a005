package owui

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// grantsAnswer is an access-update answer shaped like 0.12.4's, with the
// kinds of content a real meta and params carry.
const grantsAnswer = `{"version_id":"v1","id":"team/bot:v2","user_id":"u1","base_model_id":"gpt-4o","name":"Bot \"v2\" ü",` +
	`"params":{"system":"Be nice <b>&</b> \u2028 \\n","temperature":0.7,"stop":["</s>"],"n":-1.5e-3},` +
	`"meta":{"profile_image_url":null,"description":"d\u00e9j\u00e0","tags":[{"name":"a"}],"capabilities":{"vision":true,"x":false},"knowledge":[]},` +
	`"access_grants":[{"id":"ag1","resource_type":"model","resource_id":"team/bot:v2","principal_type":"group","principal_id":"g1","permission":"read","created_at":5},` +
	`{"id":"ag2","resource_type":"model","resource_id":"team/bot:v2","principal_type":"user","principal_id":"*","permission":"write","created_at":6}],` +
	`"is_active":true,"updated_at":1800000000,"created_at":1700000000}`

// decodeOld is how SetModelAccess decoded before keptGrants: the
// reference every fast decode must agree with.
func decodeOld(data []byte) ([]AccessGrant, error) {
	var out struct {
		AccessGrants []AccessGrant `json:"access_grants"`
	}
	err := json.Unmarshal(data, &out)
	return out.AccessGrants, err
}

// checkFast asserts the one property decodeFast must keep: when it
// decodes, json.Unmarshal succeeds on the same bytes with the same grants.
func checkFast(t *testing.T, data []byte) bool {
	t.Helper()
	var k keptGrants
	if !k.decodeFast(data) {
		if k.AccessGrants != nil {
			t.Fatalf("declined but changed the result: %q", data)
		}
		return false
	}
	want, err := decodeOld(data)
	if err != nil {
		t.Fatalf("decodeFast accepted what json.Unmarshal rejects (%v): %q", err, data)
	}
	if !reflect.DeepEqual(k.AccessGrants, want) {
		t.Fatalf("decodeFast = %+v, json.Unmarshal = %+v for %q", k.AccessGrants, want, data)
	}
	return true
}

func TestKeptGrantsDecodeFast(t *testing.T) {
	g := `{"principal_type":"group","principal_id":"g","permission":"read"}`
	for _, tc := range []struct {
		name string
		body string
		fast bool // decoded by the fast path (false: left to json.Unmarshal)
	}{
		{"0.12.4 answer", grantsAnswer, true},
		{"no grants", `{"id":"m","access_grants":[]}`, true},
		{"grants null", `{"id":"m","access_grants":null}`, true},
		{"grants absent", `{"id":"m"}`, true},
		{"empty object", ` { } `, true},
		{"white space everywhere", " \r\n\t{ \"access_grants\" :\n[ " + g + " ] , \"x\" : [ 1 , { } , [ ] ] }\n", true},
		{"every literal and number form", `{"a":[true,false,null,0,-0,1.5,-2e10,3E+2,4e-2,123456789012345678901234567890],"access_grants":[` + g + `]}`, true},
		{"escapes", `{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE80","access_grants":[]}`, true},
		{"invalid UTF-8 in a string", "{\"a\":\"\xff\xfe\",\"access_grants\":[" + g + "]}", true},
		{"null grant element", `{"access_grants":[null,` + g + `]}`, true},
		{"grant strings with escapes", `{"access_grants":[{"principal_type":"gr\u006fup","principal_id":"a\"b","permission":"read"}]}`, true},
		{"grant strings with invalid UTF-8", "{\"access_grants\":[{\"principal_id\":\"\xff\"}]}", true},
		{"grant field in another case", `{"access_grants":[{"Principal_Type":"group"}]}`, true},
		{"grant members null, duplicated, unknown", `{"access_grants":[{"principal_type":null,"principal_id":"a","principal_id":"b","x":{"y":[1]},"created_at":null}]}`, true},
		{"created_at negative zero", `{"access_grants":[{"created_at":-0}]}`, true},
		{"a member again: kept, then decoded", `{"access_grants":[{"principal_id":"abc","principal_id":"a\u0062"}]}`, true},
		{"a member again: decoded, then kept", `{"access_grants":[{"principal_id":"a\u0062","principal_id":"abc"}]}`, true},
		{"a member again: kept, then empty", `{"access_grants":[{"principal_id":"abc","principal_id":""}]}`, true},
		{"a member again: kept, then null", `{"access_grants":[{"principal_id":"abc","principal_id":null}]}`, true},
		{"a member again: kept, then common", `{"access_grants":[{"permission":"custom","permission":"read"},{"permission":"read","permission":"custom"}]}`, true},
		{"more grants and text than the stack holds", `{"access_grants":[` + strings.Repeat(`{"id":"`+strings.Repeat("i", 100)+`","principal_type":"group","principal_id":"`+strings.Repeat("p", 150)+`","permission":"read"},null,`, 6) + g + `]}`, true},
		{"created_at fraction", `{"access_grants":[{"created_at":1.5}]}`, false},
		{"created_at out of range", `{"access_grants":[{"created_at":92233720368547758070}]}`, false},
		{"grant not an object", `{"access_grants":["x"]}`, false},
		// Left to json.Unmarshal, which then gives its own answer or error.
		{"duplicate member", `{"access_grants":[],"access_grants":[` + g + `]}`, false},
		{"other letter case", `{"Access_Grants":[` + g + `]}`, false},
		{"other case after the exact one", `{"access_grants":[],"ACCESS_GRANTS":[` + g + `]}`, false},
		{"escaped name", `{"access\u005fgrants":[` + g + `]}`, false},
		{"non-ASCII name folding to it", `{"acce` + "\u017f" + `s_grants":[` + g + `]}`, false},
		{"top-level array", `[` + g + `]`, false},
		{"top-level string", `"x"`, false},
		{"grants not a list", `{"access_grants":"x"}`, false},
		{"grant field of the wrong type", `{"access_grants":[{"principal_type":5}]}`, false},
		{"created_at of the wrong type", `{"access_grants":[{"principal_type":"group","created_at":"x"}]}`, false},
		{"truncated", grantsAnswer[:len(grantsAnswer)-10], false},
		{"trailing garbage", grantsAnswer + "x", false},
		{"two values", grantsAnswer + grantsAnswer, false},
		{"trailing comma", `{"access_grants":[],}`, false},
		{"trailing comma in a list", `{"a":[1,],"access_grants":[]}`, false},
		{"leading zero", `{"a":01,"access_grants":[]}`, false},
		{"bare minus", `{"a":-,"access_grants":[]}`, false},
		{"dot without digits", `{"a":1.,"access_grants":[]}`, false},
		{"exponent without digits", `{"a":1e,"access_grants":[]}`, false},
		{"plus sign", `{"a":+1,"access_grants":[]}`, false},
		{"raw control character", "{\"a\":\"x\ty\",\"access_grants\":[]}", false},
		{"bad escape", `{"a":"\x","access_grants":[]}`, false},
		{"short unicode escape", `{"a":"\u12","access_grants":[]}`, false},
		{"bad literal", `{"a":tru,"access_grants":[]}`, false},
		{"single quotes", `{'access_grants':[]}`, false},
		{"missing colon", `{"access_grants" []}`, false},
		{"unterminated string", `{"access_grants":[],"a":"x}`, false},
		{"deep nesting", `{"a":` + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + `,"access_grants":[]}`, false},
		{"html", `<!doctype html><html></html>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkFast(t, []byte(tc.body)); got != tc.fast {
				t.Fatalf("decoded by the fast path: %v, want %v", got, tc.fast)
			}
		})
	}
}

// SetModelAccess gives the same grants, error kinds and error texts as the
// plain json.Unmarshal decode did, for good and bad answers alike.
func TestSetModelAccessSameAsUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		kind              Kind // "" for success
	}{
		{"answer", "application/json", grantsAnswer, ""},
		{"other case", "application/json", `{"ACCESS_GRANTS":[{"principal_type":"group","principal_id":"g","permission":"read"}]}`, ""},
		{"duplicate", "application/json", `{"access_grants":[],"access_grants":[{"principal_type":"user","principal_id":"u","permission":"write"}]}`, ""},
		{"no grants", "application/json", `{"id":"m"}`, ""},
		{"null", "application/json", `null`, KindBadResponse},
		{"empty", "application/json", ``, KindBadResponse},
		{"html", "text/html; charset=utf-8", `<!doctype html><html></html>`, KindRouteMissing},
		{"not JSON", "text/plain", `Internal Server Error`, KindBadResponse},
		{"truncated", "application/json", grantsAnswer[:200], KindBadResponse},
		{"list", "application/json", `[]`, KindBadResponse},
		{"grants not a list", "application/json", `{"access_grants":{}}`, KindBadResponse},
		{"bad created_at", "application/json", `{"access_grants":[{"created_at":"x"}]}`, KindBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = io.WriteString(w, tc.body)
			})
			rec.answer("GET", "/api/version", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"version":"0.12.4"}`)
			})
			c := rec.client(Config{})
			ctx := context.Background()
			form := AccessForm{ID: "m", AccessGrants: []Grant{{PrincipalType: "group", PrincipalID: "g", Permission: "read"}}}
			got, err := c.SetModelAccess(ctx, form)
			var old struct {
				AccessGrants []AccessGrant `json:"access_grants"`
			}
			oldErr := c.call(ctx, accessUpdate(form), &old)
			want := make([]Grant, 0, len(old.AccessGrants))
			for _, g := range old.AccessGrants {
				want = append(want, g.Grant())
			}
			if tc.kind == "" {
				if err != nil || oldErr != nil {
					t.Fatalf("errors: %v / %v", err, oldErr)
				}
				if !reflect.DeepEqual(got, want) || len(got) == 0 && tc.name != "no grants" {
					t.Fatalf("grants %+v, want %+v", got, want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != tc.kind {
				t.Fatalf("error %v, want kind %s", err, tc.kind)
			}
			// The texts match but for the Go type json names (the old
			// decode target was an anonymous struct).
			oldText := strings.NewReplacer("struct { AccessGrants []owui.AccessGrant \"json:\\\"access_grants\\\"\" }", "owui.keptGrants",
				"Go struct field .", "Go struct field keptGrants.").Replace(fmt.Sprint(oldErr))
			if oldErr == nil || err.Error() != oldText {
				t.Fatalf("error %q, json.Unmarshal path gave %q", err, oldErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("grants on error: %#v, json.Unmarshal path gave %#v", got, want)
			}
		})
	}
}

// FuzzKeptGrants: whatever the answer, the fast decode either declines or
// agrees with json.Unmarshal.
func FuzzKeptGrants(f *testing.F) {
	f.Add([]byte(grantsAnswer))
	f.Add([]byte(`{"access_grants":[{"principal_type":"group","principal_id":"g","permission":"read"}],"a":[1,-2.5e3,true,null,"\u00e9\n"]}`))
	f.Add([]byte(`{"Access_grants":[],"access_grants":null}`))
	f.Add([]byte(`[{"access_grants":[]}]`))
	f.Add([]byte(`{"access_grants":[{"id":"x","principal_id":"abc","principal_id":"a\u0062","permission":"custom","permission":null},null,{"resource_id":"","resource_type":"model"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
	})
}

// BenchmarkKeptGrants compares the fast decode with the json.Unmarshal one
// on the fake's answer for a demo model (the answers update_models reads).
func BenchmarkKeptGrants(b *testing.B) {
	body := demoAccessAnswer(b)
	b.Logf("answer: %d bytes", len(body))
	b.Run("unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if gs, err := decodeOld(body); err != nil || len(gs) != 2 {
				b.Fatal(gs, err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var k keptGrants
			if !k.decodeFast(body) || len(k.AccessGrants) != 2 {
				b.Fatal(k)
			}
		}
	})
}

// SetModelAccess redacts only the strings it keeps, not the whole answer:
// a credential echoed into a kept grant, in any spelling the whole-body
// redaction knows, is cut out just as UpdateModelAccess (which redacts the
// whole body first) cuts it out, and never reaches the result or an error.
func TestSetModelAccessRedactsWhatItKeeps(t *testing.T) {
	const key = "sk-ECHO/Key+0123456789abcdef&x<y>"
	const token = "12345678901234567890123" // a caller's token, all digits
	rec := newRecorder(t)
	var answer string
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	})
	c := rec.client(Config{APIKey: key})
	ctx := context.Background()
	keyJSON, _ := json.Marshal(key) // Go's spelling: \u0026 \u003c \u003e
	b64 := base64.StdEncoding.EncodeToString([]byte("Basic user:" + key))
	for _, echo := range []string{key, strings.ToUpper(key), string(keyJSON[1 : len(keyJSON)-1]), b64, url.QueryEscape(key), "before " + key + " after"} {
		answer = `{"id":"m","meta":{"description":"` + echo + `"},"access_grants":[` +
			`{"id":"` + echo + `","principal_type":"group","principal_id":"` + echo + `","permission":"read"},` +
			`{"principal_type":"` + echo + `","principal_id":"g","permission":"` + echo + `"}]}`
		got, err := c.SetModelAccess(ctx, AccessForm{ID: "m"})
		if err != nil {
			t.Fatalf("%q: %v", echo, err)
		}
		m, err := c.UpdateModelAccess(ctx, AccessForm{ID: "m"})
		if err != nil {
			t.Fatalf("%q: %v", echo, err)
		}
		if want := m.Grants(); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: kept %+v, the whole-body redaction gives %+v", echo, got, want)
		}
		if s := fmt.Sprint(got); !strings.Contains(s, "[redacted]") || strings.Contains(strings.ToLower(s), "echo") {
			t.Errorf("%q: kept %s", echo, s)
		}
	}
	// A decoding error quotes a number of the answer: a credential that is
	// one is cut out of the error too.
	callerCtx := caller.With(ctx, caller.Identity{ID: "u", UpstreamToken: token})
	answer = `{"access_grants":[{"principal_type":"group","principal_id":"g","permission":"read","created_at":` + token + `}]}`
	_, err := c.SetModelAccess(callerCtx, AccessForm{ID: "m"})
	if !IsKind(err, KindBadResponse) || strings.Contains(err.Error(), token[:10]) {
		t.Errorf("number echo: %v", err)
	}
	if _, plain := c.SetModelAccess(ctx, AccessForm{ID: "m"}); plain == nil || !strings.Contains(plain.Error(), token) {
		t.Errorf("without that caller the number is quoted as is: %v", plain)
	}
	// An error answer is redacted whole, as every error answer is.
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]string{"detail": "denied for " + r.Header.Get("Authorization")})
	})
	if _, err := c.SetModelAccess(ctx, AccessForm{ID: "m"}); !IsKind(err, KindForbidden) || strings.Contains(err.Error(), "ECHO") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("403 echo: %v", err)
	}
}

// The answers of SetModelAccess are read into recycled buffers
// (Client.keptBodies): what it returns must hold copies, not the buffer's bytes,
// which the next answer overwrites.
func TestSetModelAccessResultsOutliveTheBody(t *testing.T) {
	rec := newRecorder(t)
	var answer string
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	})
	c := rec.client(Config{})
	ctx := context.Background()
	body := func(s string) string {
		return `{"id":"m","access_grants":[{"id":"` + s + `","principal_type":"group","principal_id":"` + s + `","permission":"read"},` +
			`{"principal_type":"user","principal_id":"` + s + `\u00e9","permission":"write"}]}`
	}
	var kept [][]Grant
	for _, s := range []string{"aaaaaaaa", "bbbbbbbb", "cccccccc"} {
		answer = body(s)
		gs, err := c.SetModelAccess(ctx, AccessForm{ID: "m"})
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, gs)
	}
	for i, s := range []string{"aaaaaaaa", "bbbbbbbb", "cccccccc"} {
		want := []Grant{{PrincipalType: "group", PrincipalID: s, Permission: "read"}, {PrincipalType: "user", PrincipalID: s + "é", Permission: "write"}}
		if !reflect.DeepEqual(kept[i], want) {
			t.Errorf("answer %d: kept %+v after later answers, want %+v", i, kept[i], want)
		}
	}
}
