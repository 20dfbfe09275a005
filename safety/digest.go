package safety

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// ArgsDigest returns the SHA-256 (hex) of the canonical JSON of args without
// the ignored top-level keys. Key order and number spelling do not matter
// (2 and 2.0 digest alike); value types do ("2" is a string, not a number).
// A nil map digests like an empty one.
func ArgsDigest(args map[string]any, ignore ...string) string {
	m := make(map[string]any, len(args))
	for k, v := range args {
		if !slices.Contains(ignore, k) {
			m[k] = v
		}
	}
	return Fingerprint(m)
}

// Fingerprint returns the SHA-256 (hex) of the canonical JSON of v. v is
// first encoded with encoding/json, so struct tags and custom marshalers
// apply. A value JSON cannot encode (NaN, a channel, a cycle) gets a random
// fingerprint: it then matches nothing, so a confirmation bound to it fails
// closed instead of colliding with another unencodable value.
func Fingerprint(v any) string {
	c, err := canonicalJSON(v)
	if err != nil {
		var r [sha256.Size]byte
		_, _ = rand.Read(r[:])
		return hex.EncodeToString(r[:])
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

// canonicalJSON encodes v with sorted object keys, no insignificant space and
// numbers in one spelling per value.
func canonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep the literal so big integers are not rounded through float64
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	writeCanonical(&buf, x)
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, x any) {
	switch x := x.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case json.Number:
		buf.WriteString(canonicalNumber(string(x)))
	case string:
		writeString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeCanonical(buf, e)
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			writeCanonical(buf, x[k])
		}
		buf.WriteByte('}')
	}
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always encodes
	buf.Write(b)
}

// canonicalNumber rewrites a JSON number literal as digits×10^exp with no
// leading or trailing zeros in the digits ("2", "2.0", "20e-1" → "2e0";
// zero and minus zero → "0"), so equal values spell alike. It works on the
// text, never on a float, so it is exact and cheap even for "1e999999".
func canonicalNumber(s string) string {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	exp := -int64(len(frac))
	if hasExp {
		e, err := strconv.ParseInt(expText, 10, 64)
		if err != nil || e > 1<<62 || e < -(1<<62) {
			// An exponent beyond int64: no real input has one; keep the
			// literal, which is still deterministic.
			return orig
		}
		exp += e
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.FormatInt(exp, 10)
}
