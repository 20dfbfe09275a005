package tools

import (
	"strings"
	"testing"
)

func TestInstructionsSayWhatIsOnAndHowToTurnItOn(t *testing.T) {
	cases := []struct {
		o         Options
		want, not []string
	}{
		{Options{Confirm: ConfirmAuto}, []string{"Tool classes on: read, write.", "access changes (--allow-access-changes)", "admin (--allow-admin)", "confirm_token", "restore_models (--allow-admin)", "need Open WebUI 0.12+"}, []string{"SANDBOX"}},
		{Options{ReadOnly: true, AllowAdmin: true}, []string{"Tool classes on: read.", "restart without --read-only", "Read-only"}, []string{"confirm_token"}},
		{Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: ConfirmNone, Sandbox: true}, []string{"read, write, access changes, admin.", "--confirm=none", "SANDBOX"}, []string{"Off:"}},
	}
	for _, c := range cases {
		enabled, err := Enabled(All(), c.o, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := Instructions(c.o, enabled)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: missing %q in %q", c.o, w, got)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("%+v: unexpected %q in %q", c.o, n, got)
			}
		}
	}
}

func TestEnabledByFlags(t *testing.T) {
	count := func(o Options, allow ...string) int {
		ts, err := Enabled(All(), o, allow)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	if n := count(Options{ReadOnly: true, AllowAdmin: true, AllowAccessChanges: true}); n != 11 {
		t.Errorf("read-only: %d tools, want the 11 read tools", n)
	}
	if n := count(Options{}); n != 18 {
		t.Errorf("default: %d tools, want 18 (read + write, update_models included)", n)
	}
	if n := count(Options{AllowAccessChanges: true}); n != 19 {
		t.Errorf("access: %d", n)
	}
	if n := count(Options{AllowAdmin: true, AllowAccessChanges: true}); n != 25 {
		t.Errorf("all on: %d, want 25 (17 endpoints + 4 history tools + list_backups + restore_models + update_models + delete_models)", n)
	}
	if n := count(Options{AllowAccessChanges: true}, "delete_models", "update_models"); n != 1 {
		t.Errorf("delete_models is admin class: %d", n)
	}
	// Without a history tool listed, the instructions do not mention history.
	if ts, _ := Enabled(All(), Options{}, []string{"get_model"}); strings.Contains(Instructions(Options{}, ts), "0.12") {
		t.Errorf("history note without history tools: %s", Instructions(Options{}, ts))
	}
	if n := count(Options{}, "get_model", "delete_all_models"); n != 1 {
		t.Errorf("--tools cannot enable a class that is off: %d", n)
	}
	if _, err := Enabled(All(), Options{}, []string{"get_modle"}); err == nil || !strings.Contains(err.Error(), "get_modle") {
		t.Errorf("typo in --tools: %v", err)
	}
}
