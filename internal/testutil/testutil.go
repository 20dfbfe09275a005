// Package testutil holds helpers shared by the tests of several packages.
// Only _test.go files import it; the owui-mcp binary never links it
// (TestNotInTheBinary checks).
package testutil

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Buffer is a bytes.Buffer safe for concurrent use: a logger or a child
// process writes while the test reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// BigJSONBody streams n bytes of a JSON array (a '[' and spaces) from a
// fixed 64 KiB buffer, declaring the length or not (chunked), so a test can
// send a body larger than any cap without allocating it.
func BigJSONBody(n int64, declare bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if declare {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		}
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat(" ", 64<<10))
		chunk[0] = '['
		for sent := int64(0); sent < n; {
			k := min(int64(len(chunk)), n-sent)
			if _, err := w.Write(chunk[:k]); err != nil {
				return // the client stopped reading
			}
			chunk[0] = ' '
			sent += k
		}
	}
}
