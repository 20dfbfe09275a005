package tools

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// content and contentOf are what fingerprint bound before meta and params
// were walked as raw bytes: the same record content with meta and params
// decoded into maps (owui.Object.Map). fingerprint must hash exactly what
// safety.Fingerprint(content(state)) hashes, so that a token minted by a
// replica running an older build still redeems on this one.
func contentOf(m owui.Model) map[string]any {
	gs := make([]string, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		gs = append(gs, g.PrincipalType+"\x00"+g.PrincipalID+"\x00"+g.Permission)
	}
	sort.Strings(gs)
	var base any
	if m.BaseModelID != nil {
		base = *m.BaseModelID
	}
	return map[string]any{"version_id": m.VersionID, "id": m.ID, "user_id": m.UserID, "name": m.Name, "base_model_id": base,
		"meta": m.Meta.Map(), "params": m.Params.Map(), "grants": gs, "is_active": m.IsActive}
}

func content(v any) any { return mapModels(v, contentOf) }

// oldFingerprint is fingerprint as the previous builds computed it.
func oldFingerprint(state any) string { return safety.Fingerprint(content(state)) }

// trickyModels are records whose meta and params hold what a raw walk can
// get wrong: repeated keys (also after unescaping), escapes, lone
// surrogates, HTML characters, numbers in many spellings, one beyond
// float64 (the old decode gave null), null and empty objects.
func trickyModels(t *testing.T) []owui.Model {
	t.Helper()
	var ms []owui.Model
	raw := `[{"id":"team/bot:v2","user_id":"u1","name":"Bot <b> & \u00e9","base_model_id":"gpt-4o","is_active":true,"version_id":"v7",
"meta":{"tags":[{"name":"x"},{"name":"x"}],"description":"line\nnext \"q\" \u2028 \ud83d\ude00 \ud800","n":[1.0,1e2,-0,12345678901234567890,0.1,1e-400],"a":1,"a":{"z":null,"y":[true,false]},"\u0062":"b"},
"params":{"system":"be\tbrief <x>","temperature":0.2,"seed":42,"stop":["\u0000","\u001f"]},
"access_grants":[{"principal_type":"user","principal_id":"u2","permission":"write"},{"principal_type":"group","principal_id":"g","permission":"read"}]},
{"id":"bare","name":"Bare","meta":null,"params":{}},
{"id":"big","name":"Big","meta":{"x":1e400},"params":{"y":[]}}]`
	if err := json.Unmarshal([]byte(raw), &ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

// The fingerprints the previous build (decoding meta and params into maps,
// strings spelled by json.Marshal) computed for trickyModels: a token it
// minted must still redeem on this one.
func TestFingerprintAsPreviousBuild(t *testing.T) {
	ms := trickyModels(t)
	want := map[string]any{
		"all":  "3280fb64ba3151004a83fabce20b3d185b19e44ea5887ee4294ac0cd4e174ed3",
		"bot":  "ca479a620e7fc82cc2658bb2a2b8c7f935d9caaabaf2e60a439e7dcd1f7754f9",
		"bare": "92e9adf1dfe95d7088eb90089e510e6650f231f1bbc6ae144a86d2d8945add14",
		"big":  "5a3f928ff9c9b7edd581b7a288dfc8678bda327aa300bd62e8a9f2d7136a98fb",
	}
	got := map[string]any{"all": fingerprint(ms), "bot": fingerprint(ms[0]), "bare": fingerprint(ms[1]), "big": fingerprint(ms[2])}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: fingerprint %s, the previous build's %s", k, got[k], w)
		}
		if old := oldFingerprint(map[string]any{"all": ms, "bot": ms[0], "bare": ms[1], "big": ms[2]}[k]); old != w {
			t.Errorf("%s: the reference gives %s, the previous build %s", k, old, w)
		}
	}
}

// Every shape of state fingerprint takes, and a record with invalid UTF-8
// in a plain field (which sends the whole state through the encode round
// trip, meta and params with it), hash as the decoding reference does.
func TestFingerprintMatchesDecodingReference(t *testing.T) {
	ms := trickyModels(t)
	bad := ms[0]
	bad.Name = "bad\xffname"
	states := map[string]any{
		"model": ms[0], "pointer": &ms[0], "nil pointer": (*owui.Model)(nil), "list": ms, "by id": map[string]owui.Model{"a": ms[0], "b": ms[2]},
		"nested": map[string]any{"cur": []any{ms[1], map[string]any{"m": ms[0]}}, "n": 2.0}, "invalid UTF-8": bad,
		"invalid UTF-8 in a list": []owui.Model{ms[0], bad, ms[2]},
	}
	for name, s := range states {
		if got, want := fingerprint(s), oldFingerprint(s); got != want {
			t.Errorf("%s: fingerprint %s, reference %s", name, got, want)
		}
	}
	if fingerprint(bad) == fingerprint(ms[0]) {
		t.Error("a name edit left the fingerprint unchanged")
	}
}

// walkableBound is walkable with the two types bound adds: a record's
// Fields and its meta and params as RawObject.
func walkableBound(v any) bool {
	switch x := v.(type) {
	case safety.RawObject:
		return true
	case safety.Fields:
		for _, f := range x {
			if !walkableBound(f.Value) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !walkableBound(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !walkableBound(e) {
				return false
			}
		}
		return true
	}
	return walkable(v)
}

// Records are walked, never sent through the encode round trip.
func TestBoundIsWalked(t *testing.T) {
	ms := trickyModels(t)
	for _, s := range []any{ms, ms[0], map[string]any{"cur": ms[1], "all": ms}, map[string]owui.Model{"a": ms[2]}} {
		if !walkableBound(bound(s)) {
			t.Errorf("%T not walked", s)
		}
	}
}
