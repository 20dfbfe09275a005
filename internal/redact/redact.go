// Package redact is the one place that cuts secrets (the Open WebUI API key,
// the HTTP bearer token, a caller's own Open WebUI token) out of anything the
// server passes on: upstream answers, tool results, errors and log lines.
//
// A secret is found not only as spelled but also in the forms an echoing
// server or proxy produces: any letter case, percent-encoded (query and path
// escaping), base64 in both alphabets with or without padding — including
// base64 of a longer text that contains the secret at any offset, as in
// "Authorization: Basic …" — and JSON string escaping of each of those.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Mask replaces every secret found.
const Mask = "[redacted]"

const (
	// minLen is the shortest secret that is redacted at all (shorter ones
	// would eat ordinary words).
	minLen = 4
	// minVariantLen is the shortest secret also redacted case-folded and
	// encoded: below it those forms would match ordinary text by chance.
	minVariantLen = 10
)

// pattern is one form of a secret.
type pattern struct {
	s    string
	fold bool   // match in any ASCII letter case
	b    []byte // s, for bytes.Index without a conversion per search
}

// Set is an immutable set of secrets with all their searched forms. The zero
// value and nil redact nothing.
type Set struct {
	secrets []string
	text    []pattern // forms searched in plain text
	json    []pattern // forms searched in JSON text (escaped)

	// withCache keeps the Sets With made for one extra secret (a caller's
	// token comes with every request of that caller).
	mu        sync.Mutex
	withCache map[string]*Set
}

// withCacheMax bounds withCache; it is emptied when full.
const withCacheMax = 256

// New returns a Set of the given secrets; empty and too-short ones are
// ignored.
func New(secrets ...string) *Set {
	s := &Set{}
	return s.With(secrets...)
}

// With returns a Set holding s's secrets and extra ones (s is unchanged).
func (s *Set) With(extra ...string) *Set {
	if s != nil && !s.adds(extra) {
		return s // the common call: no caller token (stdio), nothing to copy
	}
	if s == nil || len(extra) != 1 || len(extra[0]) < minLen || slices.Contains(s.secrets, extra[0]) {
		return s.with(extra)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.withCache[extra[0]]; ok {
		return w
	}
	if s.withCache == nil || len(s.withCache) >= withCacheMax {
		s.withCache = map[string]*Set{}
	}
	w := s.with(extra)
	s.withCache[extra[0]] = w
	return w
}

// adds reports whether extra holds a secret s does not redact yet.
func (s *Set) adds(extra []string) bool {
	for _, sec := range extra {
		if len(sec) >= minLen && !slices.Contains(s.secrets, sec) {
			return true
		}
	}
	return false
}

func (s *Set) with(extra []string) *Set {
	out := &Set{}
	if s != nil {
		out.secrets = slices.Clone(s.secrets)
	}
	added := false
	for _, sec := range extra {
		if len(sec) >= minLen && !slices.Contains(out.secrets, sec) {
			out.secrets = append(out.secrets, sec)
			added = true
		}
	}
	if !added && s != nil {
		return s
	}
	type form struct {
		s    string
		fold bool
	}
	seen := map[*[]pattern]map[form]bool{&out.text: {}, &out.json: {}}
	add := func(list *[]pattern, p pattern) {
		if p.fold {
			p.s = lowerASCII(p.s)
		}
		if len(p.s) < minLen || seen[list][form{p.s, p.fold}] {
			return
		}
		seen[list][form{p.s, p.fold}] = true
		p.b = []byte(p.s)
		*list = append(*list, p)
	}
	for _, sec := range out.secrets {
		forms := []pattern{{s: sec}}
		if len(sec) >= minVariantLen {
			forms = append(forms[:0], pattern{s: sec, fold: true},
				pattern{s: url.QueryEscape(sec), fold: true},
				pattern{s: url.PathEscape(sec), fold: true})
			forms = append(forms, base64Forms(sec)...)
		}
		for _, f := range forms {
			add(&out.text, f)
			for _, esc := range jsonEscapes(f.s) {
				add(&out.json, pattern{s: esc, fold: f.fold})
			}
		}
	}
	// Longest first, so a whole encoding is cut before its core.
	for _, l := range [][]pattern{out.text, out.json} {
		slices.SortStableFunc(l, func(a, b pattern) int { return len(b.s) - len(a.s) })
	}
	return out
}

// Empty reports whether s redacts nothing.
func (s *Set) Empty() bool { return s == nil || len(s.secrets) == 0 }

// base64Forms are the full encodings of sec and, for each of the three byte
// offsets sec can have inside a longer encoded text, the run of base64
// characters that depends on sec's bytes alone.
func base64Forms(sec string) []pattern {
	var out []pattern
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		out = append(out, pattern{s: enc.EncodeToString([]byte(sec))},
			pattern{s: enc.WithPadding(base64.NoPadding).EncodeToString([]byte(sec))})
		n := len(sec)
		for k := range 3 {
			full := enc.WithPadding(base64.NoPadding).EncodeToString(append(make([]byte, k), sec...))
			// Character i covers bits [6i, 6i+6) of the input; keep those
			// that lie wholly inside the secret's bits [8k, 8(k+n)).
			from, to := (8*k+5)/6, 8*(k+n)/6
			if to-from >= minLen {
				out = append(out, pattern{s: full[from:to]})
			}
		}
	}
	return out
}

// jsonEscapes are the spellings of s inside a JSON string: as Go and as
// Python write it (they differ for <, >, & and non-ASCII).
func jsonEscapes(s string) []string {
	out := []string{s}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(s)
		e := strings.TrimSuffix(b.String(), "\n")
		e = e[1 : len(e)-1]
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	// A raw form holding a quote, backslash or control character cannot
	// occur inside a JSON string as is; searching for it could cut across
	// the JSON syntax.
	if strings.ContainsFunc(s, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 }) {
		out = out[1:]
	}
	return out
}

// String returns x with every form of every secret replaced by Mask.
func (s *Set) String(x string) string {
	// text is longest first: a string shorter than its last form holds
	// none (short field values, e.g. a grant's "group" and "read").
	if s.Empty() || len(x) < minLen || len(s.text) == 0 || len(x) < len(s.text[len(s.text)-1].s) {
		return x
	}
	out, changed := replace([]byte(x), s.text)
	if !changed {
		return x
	}
	return string(out)
}

// Bytes is String for a byte slice; b is returned unchanged (not copied)
// when it holds no secret.
func (s *Set) Bytes(b []byte) []byte {
	if s.Empty() {
		return b
	}
	out, _ := replace(b, s.text)
	return out
}

// JSON is Bytes for a JSON document: it searches the escaped spellings, so
// the result stays valid JSON.
func (s *Set) JSON(b []byte) []byte {
	if s.Empty() {
		return b
	}
	out, _ := replace(b, s.json)
	return out
}

// Body is Bytes for an HTTP body of the given Content-Type: JSON (declared,
// or any body that parses as JSON) is searched in its escaped spellings so
// it stays valid; images are left alone (bytes, not text, passed on as such).
func (s *Set) Body(contentType string, b []byte) []byte {
	mt := contentType
	if mt != "application/json" { // Open WebUI's own needs no parsing
		mt, _, _ = mime.ParseMediaType(contentType)
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return b
	case mt == "application/json" || strings.HasSuffix(mt, "+json"), json.Valid(b):
		return s.JSON(b)
	default:
		return s.Bytes(b)
	}
}

// Error returns err itself when its message holds no secret (so errors.Is
// and errors.As still see through it), else a plain error with the
// message redacted. net/http, for one, quotes an unparsable Location
// header in its error, and a server may echo the key there.
func (s *Set) Error(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); s.String(msg) != msg {
		return errors.New(s.String(msg))
	}
	return err
}

// Value returns v unchanged when its JSON encoding holds no secret, else a
// copy (decoded JSON: maps, slices, strings, json.Number) with every secret
// cut out of every string and key.
func (s *Set) Value(v any) any {
	if s.Empty() || v == nil {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	if _, changed := replace(b, s.json); !changed {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return v
	}
	return s.walk(tree)
}

func (s *Set) walk(v any) any {
	switch x := v.(type) {
	case string:
		return s.String(x)
	case []any:
		for i := range x {
			x[i] = s.walk(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[s.String(k)] = s.walk(e)
		}
		return out
	}
	return v
}

// replace cuts every pattern out of b. It returns b itself when nothing
// matched.
func replace(b []byte, pats []pattern) ([]byte, bool) {
	changed := false
	for _, p := range pats {
		j := p.index(b)
		if j < 0 {
			continue
		}
		var out []byte
		last := 0
		for j >= 0 {
			out = append(out, b[last:j]...)
			out = append(out, Mask...)
			last = j + len(p.s)
			if k := p.index(b[last:]); k >= 0 {
				j = last + k
			} else {
				j = -1
			}
		}
		out = append(out, b[last:]...)
		b, changed = out, true
	}
	return b, changed
}

// index is the first match of p in h, or -1. A case-folded pattern is
// found without copying h: candidates are located with bytes.IndexByte on
// a byte whose case cannot vary (or on both cases of the first letter),
// then compared ignoring ASCII case.
func (p pattern) index(h []byte) int {
	if !p.fold {
		return bytes.Index(h, p.b)
	}
	anchor := strings.IndexFunc(p.s, func(r rune) bool { return r < 'a' || r > 'z' })
	if anchor >= 0 {
		return foldFrom(h, p.s, anchor, p.s[anchor])
	}
	lo := foldFrom(h, p.s, 0, p.s[0])
	up := foldFrom(h, p.s, 0, p.s[0]-('a'-'A'))
	switch {
	case lo < 0:
		return up
	case up < 0 || lo < up:
		return lo
	}
	return up
}

// foldFrom finds p (lower case) in h ignoring ASCII case, trying only the
// places where byte c occurs at offset anchor of p.
func foldFrom(h []byte, p string, anchor int, c byte) int {
	for i := anchor; i < len(h); {
		j := bytes.IndexByte(h[i:], c)
		if j < 0 {
			return -1
		}
		start := i + j - anchor
		if start+len(p) <= len(h) && equalFold(h[start:start+len(p)], p) {
			return start
		}
		i += j + 1
	}
	return -1
}

// equalFold compares b with the lower-case p, ignoring ASCII case in b.
func equalFold(b []byte, p string) bool {
	for i := range len(p) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string { return string(lowerBytes([]byte(s))) }

func lowerBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Forms lists every spelling of sec that Set searches for (case-folded ones
// in lower case): for tests that check an output holds none of them.
func Forms(sec string) []string {
	s := New(sec)
	out := make([]string, 0, len(s.text))
	for _, p := range s.text {
		out = append(out, p.s)
	}
	return out
}
