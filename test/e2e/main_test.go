//go:build e2e

package e2e

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// suite is the state TestMain sets up for every test.
var suite struct {
	root      string // module root
	bin       string // the built owui-mcp binary
	tmp       string // suite temp dir (binary, env file, backups)
	env       map[string]string
	envFile   string
	ownServer bool // we started Open WebUI and must stop it
}

// phase prints one timing line that scripts/e2e collects for its summary.
func phase(name string, start time.Time, note string) {
	line := fmt.Sprintf("E2E-PHASE %s %.1fs", name, time.Since(start).Seconds())
	if note != "" {
		line += " (" + note + ")"
	}
	fmt.Println(line)
}

func logf(format string, a ...any) { fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", a...) }

// fatal stops the suite before any test ran: the reason goes to stderr and
// the package FAILS (exit 1); it is never a skip.
func fatal(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "e2e: FATAL: "+format+"\n", a...)
	teardown()
	fmt.Println("FAIL")
	os.Exit(1)
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := run(m)
	os.Exit(code)
}

func run(m *testing.M) (code int) {
	var err error
	suite.root, err = filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fatal("module root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(suite.root, "go.mod")); err != nil {
		fatal("run from the e2e directory of the module (go test ./test/e2e/): %v", err)
	}
	suite.tmp, err = os.MkdirTemp("", "owui-mcp-e2e-")
	if err != nil {
		fatal("temp dir: %v", err)
	}

	// Tear down on SIGINT/SIGTERM, before the test binary dies.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		logf("got %v: stopping Open WebUI", s)
		teardown()
		os.Exit(130)
	}()
	// go test -timeout panics the binary without running defers: tear down
	// a minute before that.
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 2*time.Minute {
			time.AfterFunc(d-time.Minute, func() {
				logf("the suite is about to hit -timeout %v: stopping Open WebUI now", d)
				teardown()
			})
		}
	}
	defer func() {
		if r := recover(); r != nil {
			logf("panic in TestMain: %v", r)
			code = 1
		}
		teardown()
	}()

	t0 := time.Now()
	suite.bin = filepath.Join(suite.tmp, "owui-mcp")
	build := exec.Command("go", "build", "-o", suite.bin, ".")
	build.Dir = suite.root
	if out, err := build.CombinedOutput(); err != nil {
		fatal("go build failed: %v\n%s", err, out)
	}
	phase("build", t0, suite.bin)

	if f := os.Getenv("OWUI_E2E_ENV"); f != "" {
		if _, err := os.Stat(f); err != nil {
			fatal("OWUI_E2E_ENV=%s: %v (start one with scripts/openwebui-up %s)", f, err, f)
		}
		suite.envFile = f
		logf("reusing the Open WebUI of %s (not stopped at the end)", f)
	} else {
		t := time.Now()
		if out, err := script("openwebui-install"); err != nil {
			fatal("Open WebUI %s could not be installed: %v\n%s", version(), err, tail(out, 40))
		}
		phase("install", t, "Open WebUI "+version())

		t = time.Now()
		suite.envFile = filepath.Join(suite.tmp, "owui.env")
		suite.ownServer = true
		startWatchdog()
		if out, err := script("openwebui-up", suite.envFile); err != nil {
			fatal("Open WebUI %s could not be started: %v\n%s", version(), err, tail(out, 60))
		}
		phase("start", t, "")
	}
	suite.env, err = readEnv(suite.envFile)
	if err != nil {
		fatal("reading %s: %v", suite.envFile, err)
	}
	for _, k := range []string{"OWUI_URL", "OWUI_ADMIN_KEY", "OWUI_ADMIN_TOKEN", "OWUI_USER_KEY", "OWUI_USER_ID", "OWUI_ADMIN_ID"} {
		if suite.env[k] == "" {
			fatal("%s has no %s", suite.envFile, k)
		}
	}
	logf("Open WebUI %s at %s (non-admin credential: %s)", suite.env["OWUI_VERSION"], suite.env["OWUI_URL"], suite.env["OWUI_USER_AUTH"])

	t := time.Now()
	code = m.Run()
	phase("tests", t, fmt.Sprintf("exit %d", code))
	return code
}

func version() string {
	if v := os.Getenv("OWUI_VERSION"); v != "" {
		return v
	}
	return "0.12.4"
}

var teardownOnce sync.Once

// teardown stops the Open WebUI this suite started (by the pids in its env
// file) and removes the suite's temp dir. It runs at most once.
func teardown() {
	teardownOnce.Do(func() {
		if suite.ownServer && suite.envFile != "" {
			if _, err := os.Stat(suite.envFile); err == nil {
				t := time.Now()
				out, err := script("openwebui-down", suite.envFile)
				if err != nil {
					logf("openwebui-down failed: %v\n%s", err, tail(out, 20))
				}
				phase("stop", t, "")
			}
		}
		if suite.tmp != "" && os.Getenv("OWUI_E2E_KEEP") != "1" {
			os.RemoveAll(suite.tmp)
		}
	})
}

// startWatchdog starts a detached shell that waits for this test process
// to exit, then stops Open WebUI if the env file is still there: it covers
// what no Go code can (a test panic, -timeout, SIGKILL). After a normal
// teardown the env file is gone and the watchdog just exits.
func startWatchdog() {
	down := filepath.Join(suite.root, "scripts", "openwebui-down")
	sh := `while kill -0 "$1" 2>/dev/null; do sleep 1; done; if [ -f "$2" ]; then echo "e2e watchdog: test process $1 is gone; stopping Open WebUI" >&2; "$3" "$2"; rm -rf -- "$4"; fi`
	cmd := exec.Command("bash", "-c", sh, "watchdog", fmt.Sprint(os.Getpid()), suite.envFile, down, suite.tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		fatal("starting the teardown watchdog: %v", err)
	}
	go cmd.Wait() //nolint:errcheck // reaped when it exits
}

// script runs scripts/NAME with the suite's environment; its stderr (the
// scripts' progress lines) is streamed and also returned.
func script(name string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(suite.root, "scripts", name), args...)
	cmd.Dir = suite.root
	cmd.Env = append(os.Environ(), "OWUI_VERSION="+version())
	var buf strings.Builder
	pr, pw, err := os.Pipe()
	if err != nil {
		return "", err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		pr.Close()
		return "", err
	}
	pw.Close()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, "  | "+line)
		buf.WriteString(line + "\n")
	}
	pr.Close()
	err = cmd.Wait()
	return buf.String(), err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// readEnv parses the KEY=value lines scripts/openwebui-up writes.
func readEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			out[k] = v
		}
	}
	return out, nil
}
