package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestInstructionsSayWhatIsOnAndHowToTurnItOn(t *testing.T) {
	cases := []struct {
		o         Options
		allow     []string
		want, not []string
	}{
		{Options{Confirm: ConfirmAuto}, nil, []string{"Tool classes on: read, write.", "access changes (--allow-access-changes)", "admin (--allow-admin)", "confirm_token", "to put them back, restart the server with --allow-admin (OWUI_MCP_ALLOW_ADMIN=true) and call restore_models", "need Open WebUI 0.12+"}, []string{"SANDBOX", "restore_models can"}},
		{Options{ReadOnly: true, AllowAdmin: true}, nil, []string{"Tool classes on: read.", "restart without --read-only", "Read-only"}, []string{"confirm_token"}},
		{Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: ConfirmNone, Sandbox: true}, nil, []string{"read, write, access changes, admin.", "--confirm=none", "SANDBOX", "restore_models can put them back"}, []string{"Off:"}},
		// Admin on, but --tools leaves restore_models out: name that, not --allow-admin.
		{Options{AllowAdmin: true, Confirm: ConfirmAuto}, []string{"list_models", "delete_model"}, []string{"restart the server with restore_models in --tools"}, []string{"restore_models can", "--allow-admin"}},
	}
	for _, c := range cases {
		d := &Deps{Options: c.o}
		_, enabled, err := newServer(d, "test", c.allow)
		if err != nil {
			t.Fatal(err)
		}
		got := Instructions(c.o, enabled, d.undoHint())
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
	if ts, _ := Enabled(All(), Options{}, []string{"get_model"}); strings.Contains(Instructions(Options{}, ts, ""), "0.12") {
		t.Errorf("history note without history tools: %s", Instructions(Options{}, ts, ""))
	}
	if n := count(Options{}, "get_model", "delete_all_models"); n != 1 {
		t.Errorf("--tools cannot enable a class that is off: %d", n)
	}
	if _, err := Enabled(All(), Options{}, []string{"get_modle"}); err == nil || !strings.Contains(err.Error(), "get_modle") {
		t.Errorf("typo in --tools: %v", err)
	}
}

// A tool that is off is absent from tools/list, and calling it anyway says
// which flag turns it on (mcp-go alone would answer "tool not found").
func TestOffToolNamesTheFlagThatTurnsItOn(t *testing.T) {
	cases := []struct {
		name  string
		opts  []envOption
		tool  string
		flags []string
	}{
		{"admin off", []envOption{withOptions(Options{Confirm: ConfirmAuto})}, "restore_models", []string{"--allow-admin (OWUI_MCP_ALLOW_ADMIN=true)"}},
		{"access off", []envOption{withOptions(Options{Confirm: ConfirmAuto})}, "update_model_access", []string{"--allow-access-changes"}},
		{"read-only", []envOption{withOptions(Options{ReadOnly: true, AllowAdmin: true})}, "delete_all_models", []string{"without --read-only"}},
		{"read-only and admin off", []envOption{withOptions(Options{ReadOnly: true})}, "sync_models", []string{"without --read-only", "and with --allow-admin"}},
		{"cut by --tools", []envOption{withAllow("list_models")}, "get_model", []string{"get_model added to --tools (OWUI_MCP_TOOLS)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts...)
			lt, err := e.client.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tl := range lt.Tools {
				if tl.Name == c.tool {
					t.Fatalf("%s is off but listed", c.tool)
				}
			}
			msg := e.fail(c.tool, map[string]any{"backup": "x", "id": "x"})
			mustContain(t, msg, c.tool+" is turned off on this server, so nothing was done: restart the server ")
			mustContain(t, msg, c.flags...)
			if len(e.fake.Requests()) != 0 {
				t.Errorf("an off tool reached Open WebUI: %+v", e.fake.Requests())
			}
		})
	}
	// A name no tool has still gets the protocol's "not found".
	e := newEnv(t)
	var req mcp.CallToolRequest
	req.Params.Name = "no_such_tool"
	if _, err := e.client.CallTool(context.Background(), req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown tool: %v", err)
	}
}
