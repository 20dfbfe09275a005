package jsonscan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func deep(n int) string {
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

var validSeeds = []string{
	``, ` `, `null`, `true`, `false`, `tru`, `True`, `nul`, `0`, `-0`, `01`, `1.`, `-`, `+1`, `.5`, `1e`,
	`1E+5`, `-0.5e-10`, `0x1`, `""`, `"\u00e9\/\b\f\n\r\t\"\\"`, `"\x"`, `"\u12G4"`, `"\u12"`, `"\`,
	"\"a\nb\"", "\"\xff\"", `[]`, `{}`, `[1,]`, `{"a":1,}`, `{1:2}`, `[}`, `{"a" : [ 1 , {"b":null} ] }`,
	"\t{\r\n}\n", "\f{}", `{} {}`, `[1] x`, `{"a":1}}`, `{"a"}`, `{"a":}`, `[` + "\x00" + `]`,
	deep(10000), deep(10001), deep(65), `{"a":` + deep(9999) + `}`, `{"a":` + deep(10000) + `}`,
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range validSeeds {
		if got, want := Valid([]byte(s), MaxDepth), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%.60q) = %v, json.Valid says %v", s, got, want)
		}
	}
}

func TestSkipValueDepthLimit(t *testing.T) {
	for _, c := range []struct {
		doc          string
		depth, limit int
		want         int
	}{
		{deep(3), 0, 3, 6},
		{deep(3), 0, 2, -1},
		{deep(3), 1, 4, 6},
		{deep(3), 1, 3, -1},
		{deep(100), 0, 100, 200}, // past the one-word stack
		{deep(100), 0, 99, -1},
		{deep(MaxDepth), 0, MaxDepth + 5, 2 * MaxDepth},
		{deep(MaxDepth + 1), 0, MaxDepth + 5, -1}, // capped
		{`"x"`, 5, 0, 3},                          // scalars have no depth
	} {
		if got := SkipValue([]byte(c.doc), 0, c.depth, c.limit); got != c.want {
			t.Errorf("SkipValue(%.20q…, depth %d, limit %d) = %d, want %d", c.doc, c.depth, c.limit, got, c.want)
		}
	}
}

func TestMembers(t *testing.T) {
	doc := []byte(` {"a" : 1, "b\u0063":{"x":[1,"]}"]} ,"":"", "d":null} x`)
	type member struct {
		key, value string
		esc        bool
	}
	want := []member{{"a", "1", false}, {`b\u0063`, `{"x":[1,"]}"]}`, true}, {"", `""`, false}, {"d", "null", false}}
	for _, trusted := range []bool{false, true} {
		var m MemberIter
		if trusted {
			m = ValidMembers(doc, 1)
		} else {
			m = Members(doc, 1, MaxDepth)
		}
		var got []member
		for m.Next() {
			got = append(got, member{string(m.Key), string(m.Value), m.KeyEsc})
		}
		for k := range want {
			if trusted {
				want[k].esc = false // not reported
			}
		}
		if len(got) != len(want) {
			t.Fatalf("trusted %v: members %+v, want %+v", trusted, got, want)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Errorf("trusted %v: member %d = %+v, want %+v", trusted, k, got[k], want[k])
			}
		}
		if end := m.End(); end != len(doc)-2 {
			t.Errorf("trusted %v: End() = %d, want %d", trusted, end, len(doc)-2)
		}
	}
	for _, bad := range []string{`{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":1`, `{"a":1 "b":2}`, `[]`, `{a:1}`, `{"a":[}`} {
		m := Members([]byte(bad), 0, MaxDepth)
		for m.Next() {
		}
		if m.End() != -1 {
			t.Errorf("Members(%q).End() = %d, want -1", bad, m.End())
		}
	}
	m := Members([]byte(`{"a":[[1]]}`), 0, 2)
	if m.Next() || m.End() != -1 {
		t.Errorf("Members with limit 2 accepted depth 3")
	}
}

func TestEqual(t *testing.T) {
	for _, c := range []struct {
		raw, name   string
		equal, fold bool
	}{
		{"method", "method", true, true},
		{"METHOD", "method", false, true},
		{`m\u0065thod`, "method", true, true},
		{`M\u0045THOD`, "method", false, true},
		{"metho", "method", false, false},
		{"methods", "method", false, false},
		{"", "", true, true},
		{"id", "", false, false},
		{`\/`, "/", true, true},
		{`\"\\\b\f\n\r\t`, "\"\\\b\f\n\r\t", true, true},
		{"\xff", "\uFFFD", true, true}, // invalid UTF-8 decodes to U+FFFD
		{"\xff", "\xff", false, true},  // folding maps both to U+FFFD
		{`\ud800`, "\uFFFD", true, true},
		{`\ud83d\ude00`, "😀", true, true},
		{`\ud83d\u0041`, "\uFFFDA", true, true},
		{"é", "é", true, true},
		{"É", "é", false, true},
		{"\u017f", "s", false, true}, // long s folds to s, as encoding/json matches it
		{`\u212a`, "k", false, true}, // Kelvin sign
		{"access_grants", "access_grants", true, true},
		{"access_grantſ", "access_grants", false, true},
	} {
		if got := Equal([]byte(c.raw), c.name); got != c.equal {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.raw, c.name, got, c.equal)
		}
		if got := EqualFold([]byte(c.raw), c.name); got != c.fold {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", c.raw, c.name, got, c.fold)
		}
	}
}

// foldMatches reports whether json.Unmarshal decodes the key (quoted JSON)
// into a struct field tagged name: the reference for EqualFold.
func foldMatches(t *testing.T, quoted []byte, name string) bool {
	typ := reflect.StructOf([]reflect.StructField{{
		Name: "F", Type: reflect.TypeFor[*int](), Tag: reflect.StructTag(`json:"` + name + `"`),
	}})
	v := reflect.New(typ)
	doc := append(append([]byte(`{`), quoted...), `:1}`...)
	if err := json.Unmarshal(doc, v.Interface()); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return !v.Elem().Field(0).IsNil()
}

// tagName reports whether encoding/json takes name as a tag name as is.
func tagName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// FuzzValid checks Valid against json.Valid on any bytes and, for objects,
// the member walks and the key comparisons against json.Unmarshal.
func FuzzValid(f *testing.F) {
	for _, s := range validSeeds {
		if len(s) < 1000 {
			f.Add([]byte(s), "a")
		}
	}
	f.Add([]byte(`{"M\u0045THOD":1,"\u017f":2,"\ud83d\ude00":[{}],"a\ud800":"x","K":3}`), "method")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		if want, _ := json.Marshal(string(b)); !bytes.Equal(AppendString(nil, b), want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", b, AppendString(nil, b), want)
		}
		valid := json.Valid(b)
		if got := Valid(b, MaxDepth); got != valid {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", b, got, valid)
		}
		i := SkipSpace(b, 0)
		if i == len(b) || b[i] != '{' {
			return
		}
		names := []string{"method", "id", "access_grants", "s", "k"}
		if tagName(name) {
			names = append(names, name)
		}
		walks := []MemberIter{Members(b, i, MaxDepth)}
		if valid {
			walks = append(walks, ValidMembers(b, i))
		}
		for w, m := range walks {
			for m.Next() {
				quoted := append(append([]byte(`"`), m.Key...), '"')
				var key string
				if err := json.Unmarshal(quoted, &key); err != nil {
					t.Fatalf("walk %d: key %q: %v", w, quoted, err)
				}
				if got, want := Equal(m.Key, name), key == name; got != want {
					t.Errorf("Equal(%q, %q) = %v, want %v", m.Key, name, got, want)
				}
				if w == 0 && m.KeyEsc != (bytes.IndexByte(m.Key, '\\') >= 0) {
					t.Errorf("KeyEsc of %q = %v", m.Key, m.KeyEsc)
				}
				for _, n := range names {
					if got, want := EqualFold(m.Key, n), foldMatches(t, quoted, n); got != want {
						t.Errorf("EqualFold(%q, %q) = %v, json.Unmarshal matches: %v", m.Key, n, got, want)
					}
				}
				if valid && !json.Valid(m.Value) {
					t.Errorf("walk %d: member value %q is not valid", w, m.Value)
				}
			}
			if end := m.End(); (end >= 0 && SkipSpace(b, end) == len(b)) != valid {
				t.Fatalf("walk %d of %q: End() = %d, json.Valid says %v", w, b, m.End(), valid)
			}
		}
	})
}

func TestAppendUnquotedMatchesUnmarshal(t *testing.T) {
	for _, q := range []string{`""`, `"plain"`, `"q\"b\\s\/n\nt\tr\rb\bf\f"`, `"\u00e9\u6f22\ud83d\ude00\u0041"`,
		`"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"\ud800\ud800\udc00"`, `"x\ud83dy"`, `"\u0000\u001f"`,
		"\"a\xffb\xc3\"", "\"\xed\xa0\x80\"", `"é 漢字 😀 ` + "\uFFFD" + `"`} {
		var want string
		if err := json.Unmarshal([]byte(q), &want); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := AppendUnquoted([]byte("pre"), []byte(q[1:len(q)-1])); string(got) != "pre"+want {
			t.Errorf("%s: %q, json.Unmarshal %q", q, got[3:], want)
		}
	}
}

func TestAppendStringMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\"back\\slash/", "<html>&amp;", "\x00\x01\b\f\n\r\t\x1f\x7f", "é 漢字 😀",
		"\u2028\u2029", "\uFFFD", "bad\xffutf8\xc3", "\xed\xa0\x80", "group\x00g1\x00read"} {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: %s, json.Marshal %s", s, got, want)
		}
		if got := AppendString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("%q as bytes: %s, json.Marshal %s", s, got, want)
		}
	}
}

// refSkipString is SkipString one byte at a time (as it was before
// skipPlain), the reference for the word-at-a-time scan.
func refSkipString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, false
	}
	esc := false
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, esc
		case c < 0x20:
			return -1, esc
		case c == '\\':
			esc = true
			i++
			if i == len(b) {
				return -1, esc
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return -1, esc
				}
				for _, h := range b[i+1 : i+5] {
					if hexVal(h) < 0 {
						return -1, esc
					}
				}
				i += 4
			default:
				return -1, esc
			}
		}
	}
	return -1, esc
}

// refValidString is ValidString one byte at a time.
func refValidString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++
		}
	}
	return len(b)
}

func checkStrings(t *testing.T, b []byte) {
	t.Helper()
	for i := range b {
		end, esc := SkipString(b, i)
		if wantEnd, wantEsc := refSkipString(b, i); end != wantEnd || esc != wantEsc {
			t.Fatalf("SkipString(%q, %d) = %d, %v; want %d, %v", b, i, end, esc, wantEnd, wantEsc)
		}
		if b[i] == '"' {
			if got, want := ValidString(b, i), refValidString(b, i); got != want {
				t.Fatalf("ValidString(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	}
}

// Every stop byte at every offset of an eight-byte word, after and before
// bytes that are near the stops in value (0x1f, 0x20, 0x21, 0x7f, 0x80,
// 0xff, UTF-8).
func TestSkipStringWords(t *testing.T) {
	fill := []string{"a", " ", "!", "#", "[", "]", "\x7f", "\x80", "\xff", "é", "\U0001F600"}
	stops := []string{`"`, `\`, `\"`, `\\`, `\u00e9`, `\u00g9`, `\x`, "\x00", "\x1f", "\n"}
	for _, f := range fill {
		for _, stop := range stops {
			for n := range 20 {
				b := []byte(`"` + strings.Repeat(f, n) + stop + strings.Repeat(f, 20-n) + `"` + strings.Repeat(f, n%9))
				checkStrings(t, b)
			}
		}
	}
}

func FuzzSkipString(f *testing.F) {
	f.Add([]byte(`"abcdefgh\"ijklmnop\\qrstu\u00e9vwxyz"`))
	f.Add([]byte("\"abcdefg\x1fhij\""))
	f.Add([]byte("\"\xff\xfe\x80\x7f\x20\x21\x5b\x5d\x5c\x22"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkStrings(t, b)
	})
}
