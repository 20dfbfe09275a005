package safety

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestArgsDigest(t *testing.T) {
	ignore := []string{"confirm_token", "dry_run"}
	base := map[string]any{"id": "team/bot:v2", "limit": 2.0, "grants": []any{map[string]any{"principal_type": "user", "principal_id": "u1", "permission": "read"}}}
	tests := []struct {
		name  string
		a, b  map[string]any
		equal bool
	}{
		{"same", base, base, true},
		{"ignored keys dropped", base, with(base, "confirm_token", "abc", "dry_run", true), true},
		{"key order", map[string]any{"a": 1, "b": map[string]any{"x": 1, "y": 2}}, map[string]any{"b": map[string]any{"y": 2, "x": 1}, "a": 1}, true},
		{"2 and 2.0", map[string]any{"n": 2}, map[string]any{"n": 2.0}, true},
		{"int types", map[string]any{"n": int64(7)}, map[string]any{"n": uint8(7)}, true},
		{"json.Number spellings", map[string]any{"n": json.Number("2.50")}, map[string]any{"n": json.Number("25e-1")}, true},
		{"nil and empty", nil, map[string]any{}, true},
		{"only ignored keys", map[string]any{"dry_run": false}, nil, true},
		{"number vs string", map[string]any{"n": 2}, map[string]any{"n": "2"}, false},
		{"2 vs 3", map[string]any{"n": 2}, map[string]any{"n": 3}, false},
		{"0.1 vs 0.10000000000000002", map[string]any{"n": 0.1}, map[string]any{"n": 0.10000000000000002}, false},
		{"big integers", map[string]any{"n": json.Number("12345678901234567890123")}, map[string]any{"n": json.Number("12345678901234567890124")}, false},
		{"other value", base, with(base, "id", "team/bot:v3"), false},
		{"extra key", base, with(base, "name", "Bot"), false},
		{"null vs missing", map[string]any{"a": nil}, map[string]any{}, false},
		{"false vs missing", map[string]any{"a": false}, map[string]any{}, false},
		{"empty list vs null", map[string]any{"a": []any{}}, map[string]any{"a": nil}, false},
		{"list order matters", map[string]any{"a": []any{1, 2}}, map[string]any{"a": []any{2, 1}}, false},
		{"nested ignore is not top-level", map[string]any{"x": map[string]any{"dry_run": true}}, map[string]any{"x": map[string]any{}}, false},
		{"key vs value boundary", map[string]any{"ab": "c"}, map[string]any{"a": "bc"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			da, db := ArgsDigest(tt.a, ignore...), ArgsDigest(tt.b, ignore...)
			if !hex64.MatchString(da) {
				t.Fatalf("digest %q is not SHA-256 hex", da)
			}
			if (da == db) != tt.equal {
				t.Fatalf("digests equal = %v, want %v\n a=%v\n b=%v", da == db, tt.equal, tt.a, tt.b)
			}
		})
	}
	// The input map is not modified.
	m := map[string]any{"confirm_token": "x", "id": "a"}
	ArgsDigest(m, ignore...)
	if len(m) != 2 {
		t.Fatalf("ArgsDigest modified its input: %v", m)
	}
	// Without ignore, the token is part of the digest.
	if ArgsDigest(m) == ArgsDigest(m, "confirm_token") {
		t.Fatal("ignore had no effect")
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestFingerprint(t *testing.T) {
	model := func() owui.Model {
		return owui.Model{ID: "team/bot:v2", Name: "Bot", UpdatedAt: 1764000000, Meta: owui.ObjectOf(map[string]any{"description": "d", "tags": []any{map[string]any{"name": "x"}}})}
	}
	m1, m2 := model(), model()
	if Fingerprint(m1) != Fingerprint(m2) {
		t.Fatal("equal models fingerprint differently")
	}
	// A struct and its decoded JSON form are the same state.
	b, _ := json.Marshal(m1)
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	if Fingerprint(m1) != Fingerprint(decoded) {
		t.Fatal("a model and its decoded JSON fingerprint differently")
	}
	m2.UpdatedAt++
	if Fingerprint(m1) == Fingerprint(m2) {
		t.Fatal("updated_at change not detected")
	}
	m2 = model()
	m2.AccessGrants = []owui.AccessGrant{{PrincipalType: "user", PrincipalID: "*", Permission: "read"}}
	if Fingerprint(m1) == Fingerprint(m2) {
		t.Fatal("grant change not detected")
	}
	if Fingerprint([]owui.Model{m1, m2}) == Fingerprint([]owui.Model{m2, m1}) {
		t.Fatal("list order not part of the fingerprint")
	}
	// Unencodable values fail closed: they match nothing, not even themselves.
	if a, b := Fingerprint(math.NaN()), Fingerprint(math.NaN()); a == b || !hex64.MatchString(a) {
		t.Fatalf("NaN fingerprints %q and %q should differ", a, b)
	}
	if a, b := ArgsDigest(map[string]any{"c": make(chan int)}), ArgsDigest(map[string]any{"c": make(chan int)}); a == b {
		t.Fatal("unencodable args should never digest alike")
	}
}

func TestCanonicalNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"0.000", "0"},
		{"0e10", "0"},
		{"2", "2e0"},
		{"2.0", "2e0"},
		{"20e-1", "2e0"},
		{"0.2E1", "2e0"},
		{"20", "2e1"},
		{"-1.50", "-15e-1"},
		{"1e+21", "1e21"},
		{"100", "1e2"},
		{"0.001", "1e-3"},
		{"12345678901234567890123", "12345678901234567890123e0"},
		{"1e999999999", "1e999999999"},
		{"1e99999999999999999999", "1e99999999999999999999"}, // beyond int64: kept as is
	}
	for _, tt := range tests {
		if got := canonicalNumber(tt.in); got != tt.want {
			t.Errorf("canonicalNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalJSON(t *testing.T) {
	got, err := canonicalJSON(map[string]any{"b": []any{1, "x<y", nil, true}, "a": map[string]any{"d": 1.5, "c": false}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"a":{"c":false,"d":15e-1},"b":[1e0,"x\u003cy",null,true]}`
	if string(got) != want {
		t.Fatalf("canonicalJSON = %s\nwant            %s", got, want)
	}
}

// slowFingerprint is Fingerprint by the encode, decode and canonical write
// round trip alone: the walk of plain values must hash the same bytes.
func slowFingerprint(t testing.TB, v any) string {
	t.Helper()
	c, err := canonicalJSON(v)
	if err != nil {
		t.Fatalf("canonicalJSON(%#v): %v", v, err)
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

func TestFingerprintPlainWalkMatchesRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"bools", []any{true, false}},
		{"numbers", []any{0.0, math.Copysign(0, -1), 2.0, 2.5, -1e21, 1e21, 1e-7, float64(123456789012345678), 0.1, math.MaxFloat64, math.SmallestNonzeroFloat64}},
		{"strings", []any{"", "plain-id/x:1", "quote\"back\\slash", "<html>&amp;", "tab\tnew\nline\x00", "é 漢字 😀", "\u2028\u2029", "del\x7f"}},
		{"nil slices and maps", map[string]any{"a": []any(nil), "b": map[string]any(nil), "c": []string(nil), "d": map[string]string(nil)}},
		{"empty slices and maps", map[string]any{"a": []any{}, "b": map[string]any{}, "c": []string{}, "d": map[string]string{}}},
		{"key order and escaping", map[string]any{"z": 1.0, "a": 2.0, "<k>": "v", "é": map[string]string{"y": "1", "x": "<2>"}}},
		{"model content shape", map[string]any{"id": "team/bot:v2", "meta": map[string]any{"tags": []any{map[string]any{"name": "x"}}}, "grants": []string{"group\x00g1\x00read"}, "base_model_id": nil, "is_active": true}},
	}
	// Invalid UTF-8 is left to the round trip, which spells it U+FFFD.
	for _, v := range []any{"bad\xffutf8", []string{"\xff"}, map[string]any{"\xfe": 1.0}, map[string]string{"k": "\xc3"}} {
		if writePlain(bufio.NewWriter(io.Discard), v) {
			t.Errorf("%q was walked", v)
		}
		if got, want := Fingerprint(v), slowFingerprint(t, v); got != want {
			t.Errorf("%q: %s != round trip %s", v, got, want)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !writePlain(bufio.NewWriter(io.Discard), c.v) {
				t.Fatal("not walked: the test would compare the round trip with itself")
			}
			if got, want := Fingerprint(c.v), slowFingerprint(t, c.v); got != want {
				t.Fatalf("walk %s != round trip %s", got, want)
			}
		})
	}
}

// FuzzFingerprintPlainWalk: any JSON document, decoded as encoding/json
// decodes it, hashes alike by the walk and by the round trip.
func FuzzFingerprintPlainWalk(f *testing.F) {
	for _, s := range []string{`null`, `{"a":[1,2.5e3,"x<y>"],"b":{"c":null}}`, `["\u00e9\ud83d\ude00", -0, 1E400]`, `"\u2028"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		if !writePlain(bufio.NewWriter(io.Discard), v) {
			t.Fatalf("%q decodes to a value the walk does not take", doc)
		}
		if got, want := Fingerprint(v), slowFingerprint(t, v); got != want {
			t.Fatalf("%q: walk %s != round trip %s", doc, got, want)
		}
	})
}
