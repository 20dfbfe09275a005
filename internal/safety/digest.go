package safety

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
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
//
// Values made only of what encoding/json decodes into (nil, bool, float64,
// string, []any, map[string]any) plus []string, map[string]string,
// RawObject (hashed as its decoded map) and Fields (as its map) are hashed
// as they are walked, without the encode and decode round trip; the bytes
// hashed are the same either way.
func Fingerprint(v any) string {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 4096)
	if writeTop(w, v) && w.Flush() == nil {
		return hex.EncodeToString(h.Sum(nil))
	}
	c, err := canonicalJSON(v)
	if err != nil {
		var r [sha256.Size]byte
		_, _ = rand.Read(r[:])
		return hex.EncodeToString(r[:])
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

// parallelMin is the length from which a list of records (a bound
// state's models) is walked in parallel chunks: below it the goroutine
// and the chunk's buffer cost more than the second core saves.
const parallelMin = 64

// writeTop writes what writePlain writes for v, walking a list at the top
// or one level down in a map (a bound state's records) in parallel when
// it is long. Deeper lists stay serial: one level of fan-out already uses
// every core.
func writeTop(w *bufio.Writer, v any) bool {
	switch x := v.(type) {
	case []any:
		return writeRecords(w, x)
	case map[string]any:
		return writePlainObject(w, x, func(w *bufio.Writer, v any) bool {
			if l, ok := v.([]any); ok {
				return writeRecords(w, l)
			}
			return writePlain(w, v)
		})
	}
	return writePlain(w, v)
}

// recordsPerChunk is how many records one goroutine walks at a time: small
// enough that when the other cores are busy (the scheduler runs a helper
// late, or not at all) the caller walks the rest itself instead of waiting.
const recordsPerChunk = parallelMin / 2

// writeRecords writes x as writePlainList(w, x, writePlain) does, the
// same bytes in the same order: when x is a long list of records, its
// chunks are walked into their own buffers by this goroutine and
// GOMAXPROCS-1 helpers, each taking the next chunk not yet taken, then the
// buffers are written in order. A chunk that cannot be walked makes it report false, as the
// serial walk would (the caller discards a false walk's output either way).
func writeRecords(w *bufio.Writer, x []any) bool {
	helpers := min(runtime.GOMAXPROCS(0), len(x)/recordsPerChunk) - 1
	if len(x) < parallelMin || helpers < 1 || !isRecord(x[0]) {
		return writePlainList(w, x, writePlain)
	}
	chunks := make([]recordChunk, (len(x)+recordsPerChunk-1)/recordsPerChunk)
	var next atomic.Int64
	var failed atomic.Bool
	walk := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(chunks) || failed.Load() {
				return
			}
			if !chunks[k].walk(x[k*recordsPerChunk : min(len(x), (k+1)*recordsPerChunk)]) {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range helpers {
		wg.Go(walk)
	}
	walk()
	wg.Wait()
	defer func() {
		for k := range chunks {
			chunks[k].release()
		}
	}()
	for k := range chunks {
		if chunks[k].panicked != nil {
			panic(chunks[k].panicked) // here, where the tool's recover catches it; in a helper it would end the process
		}
	}
	if failed.Load() {
		return false
	}
	w.WriteByte('[')
	for k := range chunks {
		if k > 0 {
			w.WriteByte(',')
		}
		w.Write(chunks[k].bytes())
	}
	w.WriteByte(']')
	return true
}

// isRecord says whether v is a bound record (tools' boundOf gives Fields):
// a list of those is worth the fan-out, a list of ids or strings is not.
func isRecord(v any) bool {
	_, ok := v.(Fields)
	return ok
}

// recordChunk is the canonical JSON of some consecutive records, comma
// separated, without brackets.
type recordChunk struct {
	buf      *chunkBuffer
	panicked any
}

// chunkBuffer is a chunk's output and the writer the walk writes it with,
// pooled: 500 records fill some 300 KB of chunks per fingerprint.
type chunkBuffer struct {
	out bytes.Buffer
	w   *bufio.Writer
}

var chunkBuffers = sync.Pool{New: func() any {
	b := new(chunkBuffer)
	b.w = bufio.NewWriterSize(&b.out, 4096)
	return b
}}

func (c *recordChunk) bytes() []byte { return c.buf.out.Bytes() }

// walk writes x into c's buffer and reports whether every record was walked.
func (c *recordChunk) walk(x []any) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.panicked, ok = r, false
		}
	}()
	c.buf = chunkBuffers.Get().(*chunkBuffer)
	c.buf.out.Reset()
	w := c.buf.w
	w.Reset(&c.buf.out)
	for i, e := range x {
		if i > 0 {
			w.WriteByte(',')
		}
		if !writePlain(w, e) {
			return false
		}
	}
	return w.Flush() == nil
}

func (c *recordChunk) release() {
	if c.buf != nil && c.buf.out.Cap() <= 1<<20 { // a rare huge chunk is not kept for the pool's life
		chunkBuffers.Put(c.buf)
	}
	c.buf = nil
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

// writePlain writes the canonical JSON of v as writeCanonical would write
// it after the encode and decode round trip, and reports false (having
// written an unusable prefix) when v holds anything else.
func writePlain(w *bufio.Writer, v any) bool {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false // encoding/json refuses them: the caller fails closed
		}
		// Any exact spelling canonicalizes alike; this is encoding/json's
		// shortest one.
		w.WriteString(canonicalNumber(strconv.FormatFloat(x, 'g', -1, 64)))
	case string:
		return writePlainString(w, x)
	case []any:
		return writePlainList(w, x, writePlain)
	case []string:
		return writePlainList(w, x, writePlainString)
	case map[string]any:
		return writePlainObject(w, x, writePlain)
	case map[string]string:
		return writePlainObject(w, x, writePlainString)
	case RawObject:
		writeRawObject(w, x)
	case Fields:
		return writePlainFields(w, x)
	default:
		return false
	}
	return true
}

// writePlainList writes a JSON array (null for a nil slice) with each
// element written by elem.
func writePlainList[E any](w *bufio.Writer, x []E, elem func(*bufio.Writer, E) bool) bool {
	if x == nil {
		w.WriteString("null")
		return true
	}
	w.WriteByte('[')
	for i, e := range x {
		if i > 0 {
			w.WriteByte(',')
		}
		if !elem(w, e) {
			return false
		}
	}
	w.WriteByte(']')
	return true
}

// writePlainObject writes a JSON object with sorted keys (null for a nil
// map) and each value written by val.
func writePlainObject[V any](w *bufio.Writer, x map[string]V, val func(*bufio.Writer, V) bool) bool {
	if x == nil {
		w.WriteString("null")
		return true
	}
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			w.WriteByte(',')
		}
		if !writePlainString(w, k) {
			return false
		}
		w.WriteByte(':')
		if !val(w, x[k]) {
			return false
		}
	}
	w.WriteByte('}')
	return true
}

// writePlainString writes s as encoding/json does: plain printable ASCII
// as is, other valid UTF-8 (escapes, HTML characters, non-ASCII) as
// json.Marshal spells it (jsonscan.AppendString, without its reflection). It
// reports false for invalid UTF-8, which the round trip turns into U+FFFD
// (escaped once, then raw).
func writePlainString(w *bufio.Writer, s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			if !utf8.ValidString(s) {
				return false
			}
			w.Write(jsonscan.AppendString(w.AvailableBuffer(), s))
			return true
		}
	}
	w.WriteByte('"')
	w.WriteString(s)
	w.WriteByte('"')
	return true
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
