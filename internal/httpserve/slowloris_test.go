package httpserve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stall opens a connection and sends the head of a request that declares a
// body of 100 bytes, then only prefix of it.
func stall(t *testing.T, addr, path, auth, prefix string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	head := "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
		"Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n"
	if auth != "" {
		head += "Authorization: Bearer " + auth + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"+prefix); err != nil {
		t.Fatal(err)
	}
	return conn
}

// answer reads the status of the server's answer on conn, then waits for the
// server to close the connection. It returns the status (0 when the
// connection was closed without one) and how long it all took.
func answer(conn net.Conn, limit time.Duration) (status int, closed bool, took time.Duration, err error) {
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		status = resp.StatusCode
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	} else if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return 0, false, time.Since(start), err
	}
	_, err = br.ReadByte()
	closed = errors.Is(err, io.EOF)
	if !closed && err != nil {
		return status, false, time.Since(start), err
	}
	return status, closed, time.Since(start), nil
}

// TestStalledBodiesCannotHoldTheServer: 50 unauthenticated connections that
// declare a body and never send it are each answered 401 and closed at once
// (the body deadline is long here, so only answering before reading can pass),
// requests to unknown paths likewise get 404; an authenticated caller is
// served meanwhile; an authenticated caller that sends its body too slowly
// is cut off at the body deadline.
func TestStalledBodiesCannotHoldTheServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const token = "stall-test-token-0123456789"
	url, errc := startServe(t, ctx, Options{Token: token, BodyReadTimeout: 1500 * time.Millisecond}, nil)
	addr := strings.TrimPrefix(url, "http://")

	var conns []net.Conn
	for i := range 50 {
		auth := ""
		if i%5 == 1 {
			auth = "wrong-token-0000000000000"
		}
		conns = append(conns, stall(t, addr, "/mcp", auth, ""))
	}
	other := stall(t, addr, "/elsewhere", "", "")
	defer func() {
		for _, c := range append(conns, other) {
			c.Close()
		}
	}()

	// Meanwhile an authenticated caller is served.
	c := connect(t, url+"/mcp", bearer(token), false)
	if w := callWhoami(t, c); w.ID == "" {
		t.Fatalf("whoami: %+v", w)
	}

	var wg sync.WaitGroup
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, closed, took, err := answer(conn, 10*time.Second)
			if err != nil || status != http.StatusUnauthorized || !closed || took > time.Second {
				t.Errorf("stalled unauthenticated socket %d: status %d, closed %v after %s, err %v; want 401 and closed at once", i, status, closed, took, err)
			}
		}()
	}
	wg.Wait()
	if status, closed, took, err := answer(other, 10*time.Second); err != nil || status != http.StatusNotFound || !closed || took > time.Second {
		t.Errorf("stalled request to an unknown path: status %d, closed %v after %s, err %v; want 404 and closed at once", status, closed, took, err)
	}

	// An authenticated slow sender is cut off at the body deadline.
	slow := stall(t, addr, "/mcp", token, `{"jsonrpc":"2.0",`)
	defer slow.Close()
	status, closed, took, err := answer(slow, 10*time.Second)
	if err != nil || !closed || took > 4*time.Second || took < time.Second || (status != 0 && status != http.StatusBadRequest) {
		t.Errorf("slow authenticated body: status %d, closed %v after %s, err %v; want cut off after about 1.5s", status, closed, took, err)
	}
	// And the server still serves.
	if w := callWhoami(t, c); w.ID == "" {
		t.Fatalf("whoami after: %+v", w)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve = %v", err)
	}
}
