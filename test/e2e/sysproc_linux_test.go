//go:build e2e && linux

package e2e

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel stop a server process if this test process
// dies without closing it (panic, -timeout, SIGKILL).
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
