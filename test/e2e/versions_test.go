//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// The suite runs against one release (OWUI_VERSION; scripts/e2e with
// OWUI_VERSIONS runs it once per release). A check that does not apply to
// the running release is never skipped: it asserts that release's own
// behaviour instead, chosen with these helpers. The fake runs with the
// same release's switches (fakeowui.BehaviourFor), so one expectation
// serves both targets.

// running is the release of the real server under test.
func running() owui.Release {
	v := suite.env["OWUI_VERSION"]
	if v == "" {
		v = version()
	}
	r, ok := owui.ParseRelease(v)
	if !ok {
		return owui.NewestVerified
	}
	return r
}

func runningVersion() string { return running().String() }

// atLeast reports whether the running release is v or newer.
func atLeast(v string) bool {
	r, ok := owui.ParseRelease(v)
	if !ok {
		panic("bad version " + v)
	}
	return !running().Before(r)
}

// since picks the expectation of the running release: want from release
// v on, older before it.
func since(v string, want, older func(*target, *result) error) func(*target, *result) error {
	if atLeast(v) {
		return want
	}
	return older
}

// rules are the client rules of the running release.
func rules() owui.Rules { return owui.RulesFor(runningVersion()) }

// checkVersionSurface: the instructions name the connected release, and a
// tool the release lacks says so in its description (it stays listed; its
// call answers the clear error, see checkBaseModelTags).
func checkVersionSurface(t *testing.T, s *server) {
	v := runningVersion()
	// initialize never waits for Open WebUI (issue 19): the instructions name
	// the release only when the start-up read won the race; tools/list
	// always waits for it, so the descriptions below always follow it.
	named := instructionsNameRelease(s)
	if named && !strings.Contains(s.instr, "Connected to Open WebUI "+v+".") {
		t.Errorf("instructions name another release than %s: %q", v, s.instr)
	}
	const prefix = "UNAVAILABLE on this server: base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later"
	d := s.descs["list_base_model_tags"]
	if got, want := strings.HasPrefix(d, prefix), !atLeast("0.10.0"); got != want {
		t.Errorf("list_base_model_tags description on %s: %q (unavailable prefix: %v, want %v)", v, d, got, want)
	}
	if got, want := strings.Contains(s.instr, "Unavailable on this version: list_base_model_tags (needs 0.10.0)"), named && !atLeast("0.10.0"); got != want {
		t.Errorf("instructions on %s: %q", v, s.instr)
	}
}

// instructionsNameRelease reports whether the server knew the release when
// it answered initialize; without it the instructions carry the generic
// release notes only.
func instructionsNameRelease(s *server) bool {
	return strings.Contains(s.instr, "Connected to Open WebUI ")
}
