package owui

import (
	"encoding/json"
	"testing"
)

// checkAccessForm fails unless appendJSON writes what json.Marshal writes.
func checkAccessForm(t *testing.T, f AccessForm) {
	t.Helper()
	want, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.appendJSON([]byte("prefix")); string(got) != "prefix"+string(want) {
		t.Fatalf("appendJSON(%#v)\n got %s\nwant prefix%s", f, got, want)
	}
}

func TestAccessFormJSON(t *testing.T) {
	name := "Support <Bot> & co"
	for _, f := range []AccessForm{
		{ID: "m"},
		{ID: "m", AccessGrants: []Grant{}},
		{ID: "team/bot:v2", Name: &name, AccessGrants: []Grant{{PrincipalType: "group", PrincipalID: "g1", Permission: "read"}, {PrincipalType: "user", PrincipalID: "*", Permission: "write"}}},
		{ID: "", Name: new(string), AccessGrants: []Grant{{}}},
		{ID: "quote\" back\\ nl\n tab\t nul\x00 del\x7f", AccessGrants: []Grant{{PrincipalID: "é 日本 \u2028 \u2029 \xff\xfe bad"}}},
	} {
		checkAccessForm(t, f)
	}
}

// FuzzAccessFormJSON: the hand-written access-update body is byte for byte
// json.Marshal's, for any id, name and grants.
func FuzzAccessFormJSON(f *testing.F) {
	f.Add("team/bot:v2", "Bot", true, uint8(2), "group", "g1", "read")
	f.Add("m", "", false, uint8(0), "", "", "")
	f.Add("a<b>&\"\\\u2028\xff", "\x00\x1f\x7f", true, uint8(3), "user", "*", "wr\u00e9")
	f.Fuzz(func(t *testing.T, id, name string, hasName bool, n uint8, ptype, pid, perm string) {
		form := AccessForm{ID: id}
		if hasName {
			form.Name = &name
		}
		if n > 0 {
			form.AccessGrants = []Grant{} // n == 0: nil (null)
		}
		for i := range int(n % 5) {
			g := Grant{PrincipalType: ptype, PrincipalID: pid, Permission: perm}
			if i%2 == 1 {
				g = Grant{PrincipalType: perm, PrincipalID: ptype + pid, Permission: id}
			}
			form.AccessGrants = append(form.AccessGrants, g)
		}
		checkAccessForm(t, form)
	})
}
