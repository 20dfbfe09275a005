package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProtocolVersion is the MCP revision the harness speaks: the newest one
// with the initialize handshake and sessions, which every server measured
// here (mcp-go, the Python SDK, fastmcp) accepts.
const ProtocolVersion = "2025-11-25"

// InitializeLine is the initialize request (id 1) as one JSON-RPC line.
var InitializeLine = []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` +
	ProtocolVersion + `","capabilities":{},"clientInfo":{"name":"owui-mcp-bench","version":"1"}}}` + "\n")

// InitializedLine is the notification a client sends after initialize.
var InitializedLine = []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n")

// Proc is a server process spoken to over stdio, one JSON-RPC message per line.
type Proc struct {
	Cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *syncBuffer
	cancel context.CancelFunc
	nextID int
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of os/exec.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 { // keep the last words, not an unbounded log
		b.buf.Reset()
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartStdio starts argv[0] with argv[1:] and exactly the environment env
// (nil: the harness's own). The process is killed after limit whatever
// happens, so a hung server cannot hang the harness.
func StartStdio(argv []string, env []string, limit time.Duration) (*Proc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	if env == nil {
		cmd.Env = os.Environ()
	}
	cmd.WaitDelay = 2 * time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	p := &Proc{Cmd: cmd, in: in, out: bufio.NewReaderSize(outPipe, 1<<16), stderr: &syncBuffer{}, cancel: cancel, nextID: 100}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	return p, nil
}

// Pid is the server's process id.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

// Stderr is what the server wrote to stderr so far (the last MiB at most).
func (p *Proc) Stderr() string { return p.stderr.String() }

// Send writes one message line (line must end in "\n").
func (p *Proc) Send(line []byte) error {
	_, err := p.in.Write(line)
	return err
}

// ReadLine reads the next line the server wrote (without the newline). The
// slice is valid until the next read.
func (p *Proc) ReadLine() ([]byte, error) {
	line, err := p.out.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A long line (a big result): collect it whole.
		buf := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = p.out.ReadSlice('\n')
			buf = append(buf, line...)
		}
		line = buf
	}
	if err != nil {
		if err == io.EOF && len(line) == 0 {
			return nil, fmt.Errorf("server closed stdout; stderr: %s", tail(p.Stderr(), 800))
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// rpcReply is a JSON-RPC response.
type rpcReply struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Method string `json:"method"`
}

// Call sends a request and returns its result, skipping notifications the
// server sends in between. A JSON-RPC error is returned as an error.
func (p *Proc) Call(method string, params any) (json.RawMessage, error) {
	p.nextID++
	id := p.nextID
	req, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	if err := p.Send(append(req, '\n')); err != nil {
		return nil, err
	}
	return p.await(strconv.Itoa(id))
}

func (p *Proc) await(id string) (json.RawMessage, error) {
	for {
		line, err := p.ReadLine()
		if err != nil {
			return nil, err
		}
		var r rpcReply
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("bad line from server: %v: %s", err, tail(string(line), 300))
		}
		if r.Method != "" || string(r.ID) != id {
			continue // a notification or a server request: not ours
		}
		if r.Error != nil {
			return nil, fmt.Errorf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)
		}
		return append(json.RawMessage(nil), r.Result...), nil
	}
}

// Initialize sends initialize and notifications/initialized, and returns the
// initialize result.
func (p *Proc) Initialize() (json.RawMessage, error) {
	if err := p.Send(InitializeLine); err != nil {
		return nil, err
	}
	res, err := p.await("1")
	if err != nil {
		return nil, err
	}
	return res, p.Send(InitializedLine)
}

// Close ends the session the way a client does (stdin closed), waits a
// little, then kills the process.
func (p *Proc) Close() error {
	_ = p.in.Close()
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		p.cancel()
		return err
	case <-time.After(3 * time.Second):
		_ = p.Cmd.Process.Signal(syscall.SIGKILL)
		p.cancel()
		return <-done
	}
}

// ProcStatus is what /proc/<pid>/status says about a process's memory, in bytes.
type ProcStatus struct {
	VmRSS, VmHWM int64
}

// ReadProcStatus reads VmRSS (resident now) and VmHWM (peak resident since
// start) of pid from /proc (Linux only).
func ReadProcStatus(pid int) (ProcStatus, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return ProcStatus{}, err
	}
	var s ProcStatus
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			s.VmRSS = n << 10
		case "VmHWM":
			s.VmHWM = n << 10
		}
	}
	if s.VmRSS == 0 {
		return s, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return s, nil
}

// ProcCPU returns the user+system CPU time pid has used so far, from
// /proc/<pid>/stat (clock ticks of 1/100 s on Linux).
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from after ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14 utime
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15 stime
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// SelfCPU is the CPU time (user+system) of the calling process so far.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
