package safety

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// decodedObject is what RawObject stands for: the map json.Unmarshal
// decodes from b (owui.Object.Map), nil where that fails.
func decodedObject(b []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// plainBytes is the canonical JSON writePlain hashes for v, and whether it
// walked v.
func plainBytes(v any) ([]byte, bool) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	ok := writePlain(w, v)
	w.Flush()
	return buf.Bytes(), ok
}

// checkRawObject fails unless RawObject(doc) is walked and hashes exactly
// the bytes its decoded map hashes, alone and beside a value that sends
// Fingerprint through the encode round trip.
func checkRawObject(t *testing.T, doc []byte) {
	t.Helper()
	m := decodedObject(doc)
	got, ok := plainBytes(RawObject(doc))
	if !ok {
		t.Fatalf("%q: RawObject not walked", doc)
	}
	want, ok := plainBytes(m)
	if !ok {
		t.Fatalf("%q: the decoded map is not walked", doc)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%.200q:\nraw walk     %s\ndecoded walk %s", doc, got, want)
	}
	if g, w := Fingerprint(RawObject(doc)), Fingerprint(m); g != w {
		t.Fatalf("%q: fingerprint %s, decoded %s", doc, g, w)
	}
	// Invalid UTF-8 beside it: both take the round trip (RawObject through
	// its MarshalJSON).
	raw, dec := map[string]any{"meta": RawObject(doc), "x": "\xff"}, map[string]any{"meta": m, "x": "\xff"}
	if Fingerprint(dec) != Fingerprint(dec) {
		// Nested past encoding/json's limit once inside the map: both fail
		// closed with a random fingerprint.
		if Fingerprint(raw) == Fingerprint(raw) {
			t.Fatalf("%.100q in the round trip: fails closed decoded, not raw", doc)
		}
		return
	}
	if g, w := Fingerprint(raw), Fingerprint(dec); g != w {
		t.Fatalf("%.100q in the round trip: fingerprint %s, decoded %s", doc, g, w)
	}
}

func TestRawObjectMatchesDecodedMap(t *testing.T) {
	deep := func(n int) string {
		return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
	}
	cases := []struct {
		name, doc string
		want      string // the canonical bytes; "" to compare with the decoded map only
	}{
		{"null", `null`, `null`},
		{"spaced null", " \n null\t", `null`},
		{"empty", ``, `null`},
		{"not an object", `[1,2]`, `null`},
		{"a string", `"x"`, `null`},
		{"a number", `1`, `null`},
		{"invalid", `{"a":1`, `null`},
		{"trailing garbage", `{"a":1} x`, `null`},
		{"two objects", `{}{}`, `null`},
		{"empty object", ` { } `, `{}`},
		{"spacing", "{ \"b\" :\n[ 1 , { } , [ ] ] ,\t\"a\" : true }", `{"a":true,"b":[1e0,{},[]]}`},
		{"key order", `{"b":1,"a":2,"B":3,"é":4,"aa":5,"":6}`, `{"":6e0,"B":3e0,"a":2e0,"aa":5e0,"b":1e0,"é":4e0}`},
		{"nested key order", `{"z":{"y":[{"d":null,"c":false}],"x":"s"}}`, `{"z":{"x":"s","y":[{"c":false,"d":null}]}}`},
		{"duplicate keys: the last wins", `{"a":1,"b":0,"a":2}`, `{"a":2e0,"b":0}`},
		{"duplicates are replaced, not merged", `{"a":{"x":1},"a":{"y":2}}`, `{"a":{"y":2e0}}`},
		{"duplicate after unescaping", `{"a":1,"\u0061":2,"b":3,"\u0062":4,"b":5}`, `{"a":2e0,"b":5e0}`},
		{"duplicate nested", `{"o":{"k":[1],"k":[2],"k":[3]}}`, `{"o":{"k":[3e0]}}`},
		{"invalid UTF-8 keys decode alike", "{\"\xff\":1,\"\xfe\":2}", `{"` + "\uFFFD" + `":2e0}`},
		{"escaped keys sort decoded", `{"\u007a":1,"\u0041":2,"\n":3}`, `{"\n":3e0,"A":2e0,"z":1e0}`},
		{"integers", `{"a":[0,-0,1,10,100,-1200,999999999999999,123456789012345]}`, `{"a":[0,0,1e0,1e1,1e2,-12e2,999999999999999e0,123456789012345e0]}`},
		{"one value, many spellings", `{"a":[1.0,1,1e0,1E0,10e-1,0.1e1,1.000]}`, `{"a":[1e0,1e0,1e0,1e0,1e0,1e0,1e0]}`},
		{"exponents", `{"a":[1e2,1E+2,1e-2,2.5e3,-1.5E-7,0e5,-0.0,0.0e-9]}`, `{"a":[1e2,1e2,1e-2,25e2,-15e-8,0,0,0]}`},
		{"big integers round through float64", `{"a":[12345678901234567890,9007199254740993,1234567890123456,99999999999999999]}`, `{"a":[12345678901234567e3,9007199254740992e0,1234567890123456e0,1e17]}`},
		{"fractions round", `{"a":[0.1,0.30000000000000004,3.141592653589793238462643]}`, `{"a":[1e-1,30000000000000004e-17,3141592653589793e-15]}`},
		{"float64 limits", `{"a":[5e-324,1.7976931348623157e308,2.2250738585072014e-308]}`, ""},
		{"underflow decodes to zero", `{"a":[1e-400,-1e-400]}`, `{"a":[0,0]}`},
		{"overflow: json.Unmarshal fails", `{"a":1,"b":1e400}`, `null`},
		{"overflow deep inside", `{"a":[{"b":[-1.8e308]}]}`, `null`},
		{"huge exponent", `{"a":1e99999999999999999999}`, `null`},
		{"tiny exponent", `{"a":1e-99999999999999999999}`, `{"a":0}`},
		{"escapes", `{"s":"q\"b\\s\/n\nt\tr\rb\bf\f"}`, `{"s":"q\"b\\s/n\nt\tr\rb\bf\f"}`},
		{"unicode escapes", `{"s":"\u00e9\u6f22\ud83d\ude00\u0041"}`, `{"s":"é漢😀A"}`},
		{"lone surrogates", `{"s":["\ud800","\udc00","\ud800\u0041","\udc00\ud800","\ud800\ud800\udc00","x\ud83dy"]}`, ""},
		{"control escapes", `{"s":"\u0000\u0001\u001f\u007f"}`, `{"s":"\u0000\u0001\u001f` + "\x7f" + `"}`},
		{"HTML and separators", `{"<k>":"a<b>&c\u2028\u2029"}`, `{"\u003ck\u003e":"a\u003cb\u003e\u0026c\u2028\u2029"}`},
		{"invalid UTF-8 in values", "{\"s\":\"a\xffb\xc3\",\"t\":\"\xed\xa0\x80\"}", `{"s":"a` + "\uFFFD" + `b` + "\uFFFD" + `","t":"` + "\uFFFD\uFFFD\uFFFD" + `"}`},
		{"U+FFFD itself", `{"s":"` + "\uFFFD" + `\ufffd"}`, `{"s":"` + "\uFFFD\uFFFD" + `"}`},
		{"non-ASCII kept raw", `{"s":"é 漢字 😀"}`, `{"s":"é 漢字 😀"}`},
		{"literals", `{"a":[true,false,null],"b":null}`, `{"a":[true,false,null],"b":null}`},
		{"nested at encoding/json's limit", deep(10000), ""},
		{"nested past encoding/json's limit", deep(10001), `null`},
		{"model meta", `{"description":"Reviews code.\nBe brief.","tags":[{"name":"dev"},{"name":"bulk"}],"capabilities":{"vision":false,"citations":true},"profile_image_url":"/static/favicon.png","suggestion_prompts":null}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkRawObject(t, []byte(c.doc))
			if c.want != "" {
				if got, _ := plainBytes(RawObject(c.doc)); string(got) != c.want {
					t.Fatalf("canonical %s\nwant      %s", got, c.want)
				}
			}
		})
	}
	if got, _ := plainBytes(RawObject(nil)); string(got) != "null" {
		t.Fatalf("nil RawObject: %s", got)
	}
}

func TestAppendCanonicalNumber(t *testing.T) {
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, 100, 1e21, 1e20, 123456789, 0.0001, 0.00001, 1e-7, 0.1, 1.0 / 3,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64, 9007199254740993, 12345678901234567890}
	for _, f := range floats {
		for _, spelling := range []string{strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', -1, 64)} {
			if got, want := string(appendCanonicalNumber(nil, []byte(spelling))), canonicalNumber(strconv.FormatFloat(f, 'g', -1, 64)); got != want {
				t.Errorf("%v spelled %s: %s, want %s", f, spelling, got, want)
			}
		}
	}
	for _, lit := range []string{"0", "-0", "7", "-7", "10", "1200", "-999999999999999", "100000000000000"} {
		if got, want := string(appendCanonicalNumber(nil, []byte(lit))), canonicalNumber(lit); got != want {
			t.Errorf("%s: %s, want %s", lit, got, want)
		}
	}
}

// FuzzFingerprintRawObject: any bytes as a RawObject hash exactly what the
// map json.Unmarshal decodes from them hashes (null when it fails), alone
// and inside the encode round trip; its strings and numbers are spelled as
// json.Marshal and canonicalNumber spell them.
func FuzzFingerprintRawObject(f *testing.F) {
	for _, s := range []string{`null`, `{}`, `[1]`, `{"a":[1,2.5e3,"x<y>"],"b":{"c":null}}`, `{"a":1,"a":2,"\u0061":3}`,
		`{"s":["\u00e9\ud83d\ude00","\ud800","\udc00\ud800"],"n":[-0,1E400,1e-400,12345678901234567890,0.1]}`,
		"{\"\xff\":\"\xfe\",\"\xc3\":1}", `{"a":{"x":1},"a":{"y":2}}`, "{ \"a\" :\n[ ] }", `{"a":1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkRawObject(t, doc)
		want, _ := json.Marshal(string(doc))
		if got := jsonscan.AppendString(nil, string(doc)); !bytes.Equal(got, want) {
			t.Fatalf("%q: string %s, json.Marshal %s", doc, got, want)
		}
		if n := jsonscan.SkipNumber(doc, 0); n > 0 {
			if f, err := strconv.ParseFloat(string(doc[:n]), 64); err == nil {
				if got, want := string(appendCanonicalNumber(nil, strconv.AppendFloat(nil, f, 'e', -1, 64))), canonicalNumber(strconv.FormatFloat(f, 'g', -1, 64)); got != want {
					t.Fatalf("%q: number %s, want %s", doc[:n], got, want)
				}
			}
		}
	})
}

func TestFieldsHashAsTheirMap(t *testing.T) {
	cases := []struct {
		name   string
		f      Fields
		walked bool
	}{
		{"nil", nil, true},
		{"empty", Fields{}, true},
		{"sorted", Fields{{"a", 1.0}, {"b", []string{"g\x00x"}}, {"c", RawObject(`{"y":1,"x":2}`)}, {"é", nil}}, true},
		{"unsorted", Fields{{"b", 1.0}, {"a", "<x>"}}, true},
		{"repeated: the last wins", Fields{{"a", 1.0}, {"a", 2.0}}, true},
		{"nested", Fields{{"f", Fields{{"z", true}, {"y", false}}}, {"m", map[string]any{"k": Fields{}}}}, true},
		{"invalid UTF-8: the round trip", Fields{{"a", "\xff"}, {"b", RawObject(`{"n":1.0}`)}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m any = c.f.asMap()
			if c.f == nil {
				m = map[string]any(nil)
			}
			got, ok := plainBytes(c.f)
			if ok != c.walked {
				t.Fatalf("walked = %v, want %v", ok, c.walked)
			}
			if ok {
				want, _ := plainBytes(deepMap(m))
				if !bytes.Equal(got, want) {
					t.Fatalf("%s, its map %s", got, want)
				}
			}
			if g, w := Fingerprint(c.f), slowFingerprint(t, deepMap(m)); g != w {
				t.Fatalf("fingerprint %s, its map's round trip %s", g, w)
			}
		})
	}
}

// deepMap replaces Fields and RawObject inside v by the maps they stand for.
func deepMap(v any) any {
	switch x := v.(type) {
	case Fields:
		return deepMap(x.asMap())
	case RawObject:
		return decodedObject(x)
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepMap(e)
		}
		return out
	}
	return v
}
