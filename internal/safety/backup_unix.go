//go:build unix

package safety

import "syscall"

// openFlags: never follow a link, never block on a FIFO or device.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
