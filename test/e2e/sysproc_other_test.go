//go:build e2e && !linux

package e2e

import "os/exec"

// setPdeathsig is Linux-only; elsewhere a server process ends when its
// stdin closes (stdio) or when the suite stops it (HTTP).
func setPdeathsig(*exec.Cmd) {}
