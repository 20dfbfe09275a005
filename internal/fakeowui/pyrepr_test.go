package fakeowui

import (
	"math"
	"testing"
)

// Expected texts were produced by CPython 3.11.
func TestPyRepr(t *testing.T) {
	floats := []struct {
		in   float64
		want string
	}{
		{1, "1.0"}, {100, "100.0"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {1.5e-7, "1.5e-07"}, {123456789.123, "123456789.123"}, {math.Copysign(0, -1), "-0.0"},
		{2.5e300, "2.5e+300"}, {1e22, "1e+22"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	}
	for _, tc := range floats {
		if got := pyFloat(tc.in); got != tc.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	strs := []struct{ in, want string }{
		{"it's", `"it's"`}, {`say "hi"`, `'say "hi"'`}, {`both ' "`, `'both \' "'`},
		{"tab\tnl\n\r\x01é\u2028\U000e0001\\", `'tab\tnl\n\r\x01é\u2028\U000e0001\\'`},
	}
	for _, tc := range strs {
		if got := pyRepr(tc.in); got != tc.want {
			t.Errorf("pyRepr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	v, err := decodePy([]byte(`{"b":1.0,"a":[true,null,-0,5e2,1E400],"c":{"x":"y"},"b":2}`))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, pyRepr(v), `{'b': 2, 'a': [True, None, 0, 500.0, inf], 'c': {'x': 'y'}}`)
	mustEqual(t, pyType(v), "dict")
	a, _ := lookupPy(v, []any{"a", 3})
	mustEqual(t, []string{pyRepr(a), pyType(a)}, []string{"500.0", "float"})
	if _, ok := lookupPy(v, []any{"a", 9}); ok {
		t.Fatal("index out of range found")
	}
	if _, ok := lookupPy(v, []any{"c", "x", "y"}); ok {
		t.Fatal("path through a string found")
	}
	// Plain decoded values: maps sorted, whole floats as ints.
	mustEqual(t, pyRepr(map[string]any{"z": 1.0, "a": []any{false, 2.5}}), `{'a': [False, 2.5], 'z': 1}`)
	mustEqual(t, pyTruncate("ééééééééééééééééééééééééééééééééééééééééééééééééééé"), "ééééééééééééééééééééééééé...éééééééééééééééééééééééé")
}
