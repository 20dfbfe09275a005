// Command report runs every benchmark of owui-mcp beside its baseline, in
// one run on one machine, and writes BENCHMARKS.md. scripts/bench is the
// one command that installs the Python baselines and runs it.
//
//	go run ./test/bench/cmd/report -python ~/.cache/owui-mcp/bench-py/bin/python -out BENCHMARKS.md
//
// Everything it starts listens on loopback only, and every load loop is
// bounded in count or time.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

type options struct {
	out        string
	python     string // venv python with mcp installed ("" skips the Python baselines)
	owuiPy     string // openwebui-mcp executable of openwebui-mcp-server ("" skips it)
	runs       int    // runs of every figure (>= 5)
	coldRuns   int    // cold starts per contender
	calls      int    // get_model calls per stdio run (row 2)
	segment    time.Duration
	models     int // upstream models for row 5
	goBench    bool
	benchCount int
	command    string // the one command, as shown in the report
	harness    string // this program's own command line
	keepBin    bool
	quick      bool
	rows       string // comma-separated row numbers to run ("" = all)
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "where to write the report (- for stdout)")
	flag.StringVar(&o.python, "python", "", "python of a venv with the mcp package (the Python cold-start baseline); empty skips it")
	flag.StringVar(&o.owuiPy, "openwebui-mcp", "", "openwebui-mcp executable (PyPI openwebui-mcp-server), a second Python baseline; empty skips it")
	flag.IntVar(&o.runs, "runs", 5, "runs of every figure; the report gives their median, min and max")
	flag.IntVar(&o.coldRuns, "cold-runs", 11, "cold starts of each contender in row 1")
	flag.IntVar(&o.calls, "calls", 10000, "get_model calls per stdio run (row 2)")
	flag.DurationVar(&o.segment, "segment", 2*time.Second, "length of each timed HTTP load segment (row 3)")
	flag.IntVar(&o.models, "models", 10000, "upstream models for list_models all=true (row 5)")
	flag.BoolVar(&o.goBench, "gobench", true, "also run the Go benchmarks of ./bench (go test -bench)")
	flag.IntVar(&o.benchCount, "bench-count", 5, "go test -count for the Go benchmarks")
	flag.StringVar(&o.command, "command", "", "the command that ran the harness, as the report shows it (default: this one)")
	flag.BoolVar(&o.keepBin, "keep", false, "keep the build directory")
	flag.BoolVar(&o.quick, "quick", false, "smoke test: fewer calls and shorter segments (the report says so)")
	flag.StringVar(&o.rows, "rows", "", "only these rows, e.g. 1,5 (and g for the Go benchmarks); the report says which were skipped")
	flag.Parse()
	if o.quick {
		o.calls = min(o.calls, 1000)
		o.segment = min(o.segment, 300*time.Millisecond)
		o.coldRuns = min(o.coldRuns, 5)
		o.models = min(o.models, 1000)
		o.benchCount = min(o.benchCount, 1)
	}
	if o.runs < 5 && !o.quick {
		fmt.Fprintln(os.Stderr, "report: -runs must be at least 5 (the report gives the median of at least 5 runs)")
		os.Exit(2)
	}
	o.harness = "go run ./test/bench/cmd/report " + strings.Join(homeless(os.Args[1:]), " ")
	if o.command == "" {
		o.command = o.harness
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// env is what every row needs.
type env struct {
	opt      options
	root     string // module root
	dir      string // build directory
	bin      string // owui-mcp
	floor    string // the trivial Go binary
	prof     string // test/bench/cmd/profserve: the server with a CPU profile
	mcpmin   string // test/bench/cmd/mcpmin: the minimal mcp-go server (the library's floor)
	pyScript string // test/bench/py/minimal_server.py
	log      func(format string, args ...any)
}

func run(o options) error {
	start := time.Now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "owui-mcp-bench-bin-")
	if err != nil {
		return err
	}
	if !o.keepBin {
		defer os.RemoveAll(dir)
	}
	e := &env{opt: o, root: root, dir: dir, log: logf,
		bin:      filepath.Join(dir, "owui-mcp"),
		floor:    filepath.Join(dir, "floor"),
		prof:     filepath.Join(dir, "profserve"),
		mcpmin:   filepath.Join(dir, "mcpmin"),
		pyScript: filepath.Join(root, "test", "bench", "py", "minimal_server.py"),
	}

	m := machine(e)
	logf("machine: %s, %d cores, %s, %s", m.CPU, m.Cores, m.Memory, m.GoVersion)
	buildCmds := [][]string{
		{"go", "build", "-o", e.bin, "."},
		{"go", "build", "-o", e.floor, "./test/bench/cmd/floor"},
		{"go", "build", "-o", e.prof, "./test/bench/cmd/profserve"},
		{"go", "build", "-o", e.mcpmin, "./test/bench/cmd/mcpmin"},
	}
	for _, c := range buildCmds {
		logf("%s", strings.Join(c, " "))
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(c, " "), err)
		}
	}

	r := &report{machine: m, opt: o, started: start.UTC()}
	step := func(name string, f func() (*section, error)) {
		if !o.wants(name) {
			r.sections = append(r.sections, &section{Title: name, Err: fmt.Errorf("skipped (-rows %s)", o.rows)})
			return
		}
		logf("%s …", name)
		t, l0 := time.Now(), loadAvg()
		sec, err := safely(f)
		if err != nil {
			logf("%s FAILED: %v", name, err)
			sec = &section{Title: name, Err: err}
		}
		sec.Took = time.Since(t)
		sec.LoadStart, sec.LoadEnd = l0, loadAvg()
		logf("%s done in %.1fs", name, sec.Took.Seconds())
		r.sections = append(r.sections, sec)
	}
	var load *httpLoad
	step("Row 1: cold start", func() (*section, error) { return rowColdStart(e) })
	step("Row 2: per-call overhead over stdio", func() (*section, error) { return rowStdioOverhead(e) })
	step("Row 3: streamable HTTP", func() (*section, error) {
		s, l, err := rowHTTP(e)
		load = l
		return s, err
	})
	step("Row 4: tools/list size", func() (*section, error) { return rowToolsList(e) })
	step("Row 5: list_models rows", func() (*section, error) { return rowListModels(e) })
	step("Row 6: resident memory", func() (*section, error) { return rowMemory(e, load) })
	if o.goBench {
		step("Go benchmarks", func() (*section, error) { return goBenchmarks(e) })
	}
	r.took = time.Since(start)
	r.loadEnd = loadAvg()

	md := r.markdown()
	if o.out == "-" {
		_, err = os.Stdout.WriteString(md)
		return err
	}
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if old, err := os.ReadFile(out); err == nil {
		md = keepHandWritten(md, string(old))
	}
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return err
	}
	logf("wrote %s (%d bytes) in %s", out, len(md), r.took.Round(time.Second))
	return nil
}

// safely runs f, turning a panic into an error so one broken row does not
// lose the others.
func safely(f func() (*section, error)) (s *section, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	s, err = f()
	if err == nil && s == nil {
		err = fmt.Errorf("no result")
	}
	return s, err
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from inside the owui-mcp module")
	}
	return filepath.Dir(mod), nil
}

// homeless writes the home directory as ~ and the module root as . in args.
func homeless(args []string) []string {
	home, _ := os.UserHomeDir()
	root, _ := moduleRoot()
	out := make([]string, len(args))
	for i, a := range args {
		if root != "" {
			a = strings.ReplaceAll(a, root+"/", "")
		}
		if home != "" && home != "/" {
			a = strings.ReplaceAll(a, home+"/", "~/")
		}
		if strings.ContainsAny(a, " \t") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

// wants says whether the step named name is selected by -rows.
func (o options) wants(name string) bool {
	if o.rows == "" {
		return true
	}
	key := "g"
	if n, ok := strings.CutPrefix(name, "Row "); ok {
		key, _, _ = strings.Cut(n, ":")
	}
	for _, r := range strings.Split(o.rows, ",") {
		if strings.TrimSpace(r) == key {
			return true
		}
	}
	return false
}

// handWritten starts the part of BENCHMARKS.md that people write (figures of
// benchmarks the harness does not run: replicas, the chat, bulk); a
// regeneration keeps it as it is.
const handWritten = "<!-- hand-written sections below: scripts/bench keeps them as they are -->"

// keepHandWritten appends the hand-written tail of old to the generated md.
func keepHandWritten(md, old string) string {
	i := strings.Index(old, handWritten)
	if i < 0 {
		return md
	}
	return strings.TrimRight(md, "\n") + "\n\n" + old[i:]
}
