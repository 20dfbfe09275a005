package owui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// checkModels asserts what decodeModelsFast must keep: when it decodes,
// json.Unmarshal succeeds on the same bytes with the same models (Objects
// compared by their bytes); when it declines, it changed nothing.
func checkModels(t *testing.T, data []byte) bool {
	t.Helper()
	var got []Model
	if !decodeModelsFast(data, &got) {
		if got != nil {
			t.Fatalf("declined but changed the result: %q", data)
		}
		return false
	}
	var want []Model
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("decodeModelsFast accepted what json.Unmarshal rejects (%v): %q", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeModelsFast =\n%#v\njson.Unmarshal =\n%#v\nfor %q", got, want, data)
	}
	return true
}

func TestDecodeModelsFast(t *testing.T) {
	rec := `{"id":"m","user_id":"u","base_model_id":"b","name":"M","params":{},"meta":{},"access_grants":[],"is_active":true,"updated_at":1,"created_at":2}`
	for _, tc := range []struct {
		name string
		body string
		fast bool // decoded by the fast path (false: left to json.Unmarshal)
	}{
		{"0.12.4 record", "[" + grantsAnswer + "]", true},
		{"two records", "[" + grantsAnswer + "," + rec + "]", true},
		{"empty list", `[]`, true},
		{"empty list with space", " [ \n ] ", true},
		{"null element", `[null,` + rec + `,null]`, true},
		{"empty record", `[{}]`, true},
		{"every field null", `[{"version_id":null,"id":null,"user_id":null,"base_model_id":null,"name":null,"params":null,"meta":null,` +
			`"access_grants":null,"is_active":null,"updated_at":null,"created_at":null,"user":null,"write_access":null}]`, true},
		{"user and write_access", `[{"id":"m","user":{"id":"u","name":"N","email":"e@x","role":"admin","extra":[1]},"write_access":false}]`, true},
		{"user fields null, repeated, unknown", `[{"user":{"id":null,"name":"a","name":"b","x":{"y":1}}}]`, true},
		{"user empty", `[{"user":{}}]`, true},
		{"write_access true", `[{"write_access":true}]`, true},
		{"unknown members", `[{"id":"m","background_image_data":"data:x","x":[1,{"a":null}],"Extra":true}]`, true},
		{"white space everywhere", " [ \r\n{ \"id\" : \"m\" , \"meta\" : { \"a\" : [ 1 , 2 ] } , \"params\" :{ } } , null ] ", true},
		{"meta with invalid UTF-8", "[{\"meta\":{\"a\":\"\xff\"}}]", true},
		{"strings with escapes", `[{"id":"a\"b\u00e9\uD83D\uDE80","name":"x\ny"}]`, true},
		{"string with invalid UTF-8", "[{\"name\":\"\xff\xfe\"}]", true},
		{"negative zero and extremes", `[{"updated_at":-0,"created_at":-9223372036854775808},{"created_at":9223372036854775807}]`, true},
		{"grant fields", `[{"access_grants":[null,{"id":"g","created_at":3,"principal_type":"group"}]}]`, true},
		// Left to json.Unmarshal, which then gives its own answer or error.
		{"duplicate field", `[{"id":"a","id":"b"}]`, false},
		{"duplicate null then value", `[{"user":{"id":"a","name":"n"},"user":{"id":"b"}}]`, false},
		{"duplicate grants", `[{"access_grants":[{"id":"a","permission":"read"}],"access_grants":[{"id":"b"}]}]`, false},
		{"other letter case", `[{"ID":"a"}]`, false},
		{"other case after the exact one", `[{"id":"a","Id":"b"}]`, false},
		{"escaped name", `[{"i\u0064":"a"}]`, false},
		{"non-ASCII name folding to a field", `[{"i` + "\u017f" + `_active":true}]`, false},
		{"user field in another case", `[{"user":{"ID":"u"}}]`, false},
		{"grant field in another case", `[{"access_grants":[{"Permission":"read"}]}]`, false},
		{"fraction", `[{"created_at":1.5}]`, false},
		{"exponent", `[{"created_at":1e3}]`, false},
		{"out of range", `[{"created_at":9223372036854775808}]`, false},
		{"string for an integer", `[{"created_at":"1"}]`, false},
		{"number for a string", `[{"id":1}]`, false},
		{"string for a bool", `[{"is_active":"true"}]`, false},
		{"list for meta", `[{"meta":[]}]`, false},
		{"string for params", `[{"params":"{}"}]`, false},
		{"string for user", `[{"user":"u"}]`, false},
		{"number for write_access", `[{"write_access":1}]`, false},
		{"grants not a list", `[{"access_grants":{}}]`, false},
		{"element not an object", `[1]`, false},
		{"element a list", `[[]]`, false},
		{"top-level object", rec, false},
		{"top-level string", `"x"`, false},
		{"truncated", "[" + rec, false},
		{"trailing comma", "[" + rec + ",]", false},
		{"trailing garbage", "[" + rec + "]x", false},
		{"two values", "[][]", false},
		{"invalid JSON in an unknown member", `[{"x":01}]`, false},
		{"invalid JSON in meta", `[{"meta":{"a":tru}}]`, false},
		{"raw control character", "[{\"name\":\"a\tb\"}]", false},
		{"deep nesting", `[{"meta":{"a":` + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + `}}]`, false},
		{"html", `<!doctype html><html></html>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkModels(t, []byte(tc.body)); got != tc.fast {
				t.Fatalf("decoded by the fast path: %v, want %v", got, tc.fast)
			}
		})
	}
}

// The bench export (500 records of the demo's shapes) is taken whole by
// the fast path and decodes as json.Unmarshal decodes it.
func TestDecodeModelsFastBenchExport(t *testing.T) {
	if !checkModels(t, benchExport(t, 100)) {
		t.Fatal("the export was left to json.Unmarshal")
	}
}

// A list that already holds models is left to json.Unmarshal, which
// decodes into the existing elements.
func TestDecodeModelsFastNonEmpty(t *testing.T) {
	out := []Model{{ID: "old"}}
	if decodeModelsFast([]byte(`[{"name":"n"}]`), &out) || out[0].ID != "old" {
		t.Fatal("decoded into a non-empty list")
	}
}

// FuzzDecodeModels: whatever the export answer, the fast decode either
// declines or agrees with json.Unmarshal.
func FuzzDecodeModels(f *testing.F) {
	f.Add([]byte("[" + grantsAnswer + "]"))
	f.Add([]byte(`[null,{"id":"m","user":{"id":"u","name":"N","Role":"r"},"write_access":true,"meta":{"a":"\u2028<&>"},"params":null}]`))
	f.Add([]byte(`[{"id":"a","ID":"b","created_at":1e2,"updated_at":-0,"is_active":null}]`))
	f.Add([]byte(`[{"access_grants":[null,{"id":"g","created_at":3}],"base_model_id":null,"x":[1,{"y":"z"}]}]`))
	f.Add([]byte("[{\"name\":\"\xff\",\"meta\":{\"k\":\"\xfe\"}}]"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkModels(t, data)
	})
}
