//go:build !unix

package safety

// openFlags: no O_NOFOLLOW here; the Lstat before and the Stat after the
// open refuse links and special files.
const openFlags = 0
