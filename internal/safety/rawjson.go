package safety

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/jsonscan"
)

// RawObject is a JSON object kept as its bytes (an owui.Object's meta or
// params). Fingerprint hashes it as the map[string]any that json.Unmarshal
// decodes from it, so it binds exactly what a decoded map bound, but reads
// the bytes in place: decoding a record's meta and params into maps was
// most of the cost of binding 500 records. Like the map, it is null when
// the bytes are null, not an object, or do not decode (invalid JSON, a
// number beyond float64).
type RawObject []byte

// MarshalJSON gives the decoded map's JSON, for the encode round trip
// Fingerprint takes when a value beside the object cannot be walked.
func (r RawObject) MarshalJSON() ([]byte, error) {
	var m map[string]any
	if json.Unmarshal(r, &m) != nil {
		m = nil
	}
	return json.Marshal(m)
}

// rawWalker writes the canonical JSON of raw JSON values: what writePlain
// writes for the values encoding/json decodes from them.
type rawWalker struct {
	src  []byte      // the object being walked
	out  []byte      // its canonical bytes
	mems []rawMember // the members of every object open in the walk
	keys []byte      // decoded keys (and a string being written) that held an escape or invalid UTF-8
	num  []byte      // a float's shortest spelling
	bad  bool        // a number is beyond float64: the object decodes to nothing
}

// rawMember is one member of an object: where its key, as encoding/json
// decodes it, and its raw value start. Offsets, not slices: sorting
// pointer-free members needs no write barriers. idx orders repeated keys
// (the last one wins).
type rawMember struct {
	key, keyEnd int  // in src, or in keys when decoded
	decoded     bool // the key is in keys
	val         int  // in src
	idx         int
}

func (rw *rawWalker) key(m *rawMember) []byte {
	if m.decoded {
		return rw.keys[m.key:m.keyEnd]
	}
	return rw.src[m.key:m.keyEnd]
}

var rawWalkers = sync.Pool{New: func() any { return new(rawWalker) }}

// writeRawObject writes the canonical JSON of r as writePlain writes the
// map json.Unmarshal decodes from r (null where that fails).
func writeRawObject(w *bufio.Writer, r RawObject) {
	i := jsonscan.SkipSpace(r, 0)
	if i == len(r) || r[i] != '{' || !jsonscan.Valid(r, jsonscan.MaxDepth) {
		w.WriteString("null")
		return
	}
	rw := rawWalkers.Get().(*rawWalker)
	rw.src, rw.out, rw.keys, rw.bad = r, rw.out[:0], rw.keys[:0], false
	rw.value(i)
	if rw.bad {
		w.WriteString("null")
	} else {
		w.Write(rw.out)
	}
	rw.src = nil
	if cap(rw.out) > 1<<20 || cap(rw.keys) > 1<<20 || cap(rw.mems) > 1<<14 {
		rw.out, rw.keys, rw.mems = nil, nil, nil // a rare huge object is not kept for the pool's life
	}
	rawWalkers.Put(rw)
}

// value writes the valid JSON value that starts at src[i].
func (rw *rawWalker) value(i int) {
	v := rw.src
	switch v[i] {
	case '{':
		rw.object(i)
	case '[':
		rw.out = append(rw.out, '[')
		n := 0
		for i = jsonscan.SkipSpace(v, i+1); v[i] != ']'; {
			if n > 0 {
				rw.out = append(rw.out, ',')
			}
			n++
			end := jsonscan.ValidValue(v, i)
			rw.value(i)
			i = jsonscan.SkipSpace(v, end)
			if v[i] == ',' {
				i = jsonscan.SkipSpace(v, i+1)
			}
		}
		rw.out = append(rw.out, ']')
	case '"':
		end := jsonscan.ValidString(v, i)
		s := v[i+1 : end-1]
		if needsUnquote(s) {
			at := len(rw.keys)
			rw.keys = jsonscan.AppendUnquoted(rw.keys, s)
			s = rw.keys[at:]
			rw.out = jsonscan.AppendString(rw.out, s)
			rw.keys = rw.keys[:at]
		} else {
			rw.out = jsonscan.AppendString(rw.out, s)
		}
	case 't':
		rw.out = append(rw.out, "true"...)
	case 'f':
		rw.out = append(rw.out, "false"...)
	case 'n':
		rw.out = append(rw.out, "null"...)
	default:
		rw.number(v[i:jsonscan.SkipNumber(v, i)])
	}
}

// object writes the valid object at src[i] with its keys sorted as
// writePlainObject sorts a map's, each key once with its last value
// (json.Unmarshal into a map keeps the last).
func (rw *rawWalker) object(i int) {
	base, keysBase := len(rw.mems), len(rw.keys)
	sorted := true
	m := jsonscan.ValidMembers(rw.src, i)
	for m.Next() {
		mem := rawMember{idx: len(rw.mems)}
		// Key and Value are subslices of src (src[a:b] has capacity
		// cap(src)-a), so their capacities give their offsets.
		mem.val = cap(rw.src) - cap(m.Value)
		if needsUnquote(m.Key) {
			mem.decoded, mem.key = true, len(rw.keys)
			rw.keys = jsonscan.AppendUnquoted(rw.keys, m.Key)
			mem.keyEnd = len(rw.keys)
		} else {
			mem.key = cap(rw.src) - cap(m.Key)
			mem.keyEnd = mem.key + len(m.Key)
		}
		if len(rw.mems) > base && bytes.Compare(rw.key(&rw.mems[len(rw.mems)-1]), rw.key(&mem)) >= 0 {
			sorted = false
		}
		rw.mems = append(rw.mems, mem)
	}
	end := len(rw.mems)
	if !sorted {
		slices.SortFunc(rw.mems[base:end], func(a, b rawMember) int {
			if c := bytes.Compare(rw.key(&a), rw.key(&b)); c != 0 {
				return c
			}
			return a.idx - b.idx
		})
	}
	rw.out = append(rw.out, '{')
	first := true
	for j := base; j < end; j++ {
		// Nested objects append to rw.mems: index it, never hold a slice of it.
		mem := rw.mems[j]
		if j+1 < end && bytes.Equal(rw.key(&mem), rw.key(&rw.mems[j+1])) {
			continue // a later value of the same key replaces this one
		}
		if !first {
			rw.out = append(rw.out, ',')
		}
		first = false
		rw.out = jsonscan.AppendString(rw.out, rw.key(&mem))
		rw.out = append(rw.out, ':')
		rw.value(mem.val)
	}
	rw.out = append(rw.out, '}')
	rw.mems, rw.keys = rw.mems[:base], rw.keys[:keysBase]
}

// needsUnquote reports whether valid string contents s decode to other
// bytes than s (an escape, or invalid UTF-8 that becomes U+FFFD).
func needsUnquote(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			return bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s)
		}
	}
	return false
}

// number writes the JSON number lit as writePlain writes the float64
// json.Unmarshal decodes from it; one beyond float64 marks the object bad
// (json.Unmarshal fails).
func (rw *rawWalker) number(lit []byte) {
	if intLit(lit) {
		// Below 10^15 an integer is exact in a float64, so its own digits
		// are the float's value.
		rw.out = appendCanonicalNumber(rw.out, lit)
		return
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		rw.bad = true
		return
	}
	rw.num = strconv.AppendFloat(rw.num[:0], f, 'e', -1, 64)
	rw.out = appendCanonicalNumber(rw.out, rw.num)
}

// intLit reports whether lit is an integer literal of at most 15 digits.
func intLit(lit []byte) bool {
	d := lit
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 15 {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// appendCanonicalNumber appends canonicalNumber(lit) for a JSON number or
// a strconv 'e' or 'g' spelling of a finite float64 (an exponent of a few
// digits), without allocating.
func appendCanonicalNumber(dst, lit []byte) []byte {
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var buf [40]byte
	digits := buf[:0]
	var exp int64
	i := 0
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		digits = append(digits, lit[i])
	}
	if i < len(lit) && lit[i] == '.' {
		for i++; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			digits = append(digits, lit[i])
			exp--
		}
	}
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		e, err := strconv.ParseInt(string(lit[i+1:]), 10, 64)
		if err != nil || e > 1<<62 || e < -(1<<62) {
			return append(dst, canonicalNumber(string(lit))...) // unreachable for the spellings above
		}
		exp += e
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return append(dst, '0')
	}
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	if neg {
		dst = append(dst, '-')
	}
	dst = append(dst, digits...)
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, exp, 10)
}

// Fields is a JSON object given as its members, for a value built once per
// record: Fingerprint hashes it exactly as the map[string]any of the same
// members, without the map. Keys in strictly increasing order (as sorted
// strings compare) are walked as they are; others are hashed through that
// map (the last of a repeated key wins).
type Fields []Field

// Field is one member of Fields.
type Field struct {
	Key   string
	Value any
}

// asMap is the map f stands for (nil for nil f).
func (f Fields) asMap() map[string]any {
	if f == nil {
		return nil
	}
	m := make(map[string]any, len(f))
	for _, x := range f {
		m[x.Key] = x.Value
	}
	return m
}

// MarshalJSON encodes f as its map, for the encode round trip.
func (f Fields) MarshalJSON() ([]byte, error) { return json.Marshal(f.asMap()) }

// writePlainFields writes f as writePlainObject writes its map.
func writePlainFields(w *bufio.Writer, f Fields) bool {
	for i := 1; i < len(f); i++ {
		if f[i-1].Key >= f[i].Key {
			return writePlain(w, f.asMap())
		}
	}
	if f == nil {
		w.WriteString("null")
		return true
	}
	w.WriteByte('{')
	for i, x := range f {
		if i > 0 {
			w.WriteByte(',')
		}
		if !writePlainString(w, x.Key) {
			return false
		}
		w.WriteByte(':')
		if !writePlain(w, x.Value) {
			return false
		}
	}
	w.WriteByte('}')
	return true
}
