package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

type machineInfo struct {
	Cores      int
	GOMAXPROCS int
	CPU        string
	Memory     string
	Kernel     string
	GoVersion  string
	LoadAvg    string
	Commit     string
	Python     string
	PyPackages string
}

func machine(e *env) machineInfo {
	m := machineInfo{Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPU: "unknown", Memory: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.Memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	m.LoadAvg = loadAvg()
	m.GoVersion = cmdOut(e.root, "go", "version")
	if c := cmdOut(e.root, "git", "rev-parse", "--short", "HEAD"); c != "" {
		m.Commit = c
		if st := cmdOut(e.root, "git", "status", "--porcelain"); st != "" {
			paths := strings.Split(st, "\n")
			m.Commit += fmt.Sprintf(" + uncommitted changes in the work tree (%d paths", len(paths))
			if len(paths) <= 6 {
				for i, p := range paths {
					paths[i] = strings.TrimSpace(p)
				}
				m.Commit += ": " + strings.Join(paths, ", ")
			}
			m.Commit += ")"
		}
	}
	if e.opt.python != "" {
		m.Python = cmdOut(e.root, e.opt.python, "--version")
		m.PyPackages = cmdOut(e.root, e.opt.python, "-c",
			`import importlib.metadata as m
out = []
for p in ("mcp", "openwebui-mcp-server", "fastmcp"):
    try: out.append(p + " " + m.version(p))
    except Exception: pass
print(", ".join(out))`)
	}
	return m
}

func cmdOut(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// baseEnv is the harness's environment without any variable owui-mcp or the
// Python servers read, so only what a row sets reaches them.
func baseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OWUI_MCP_") || strings.HasPrefix(k, "OPENWEBUI_") ||
			strings.HasPrefix(k, "WEBUI_") || strings.HasPrefix(k, "MCP_") || k == "GODEBUG" || k == "GOGC" || k == "GOMEMLIMIT" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// upstreamEnv points owui-mcp at a loopback fake with its admin key, and keeps
// backups (never written by read calls) in the build directory.
func (e *env) upstreamEnv(url string) []string {
	return append(baseEnv(), "OPENWEBUI_URL="+url, "OPENWEBUI_API_KEY="+fakeowui.AdminKey,
		"OWUI_MCP_BACKUP_DIR="+e.dir+"/backups")
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
