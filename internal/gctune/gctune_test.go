package gctune

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := Apply()
	if got := debug.SetGCPercent(Percent); got != Percent {
		t.Errorf("after Apply GOGC is %d; want %d", got, Percent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after restore GOGC is %d; want 100", got)
	}

	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	Apply()()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("with GOGC set, Apply changed the setting to %d", got)
	}
}
