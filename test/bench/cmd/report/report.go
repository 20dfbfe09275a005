package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/test/bench"
)

type report struct {
	machine  machineInfo
	opt      options
	started  time.Time
	took     time.Duration
	loadEnd  string
	sections []*section
}

// section is one row (or the Go benchmarks): summary lines for the results
// table and a markdown body with the details.
type section struct {
	Title string
	Lines []line
	Body  string
	Err   error
	Took  time.Duration
	// Load is the load average (1, 5, 15 min) when the row started and
	// ended: the machine is shared, and ratios against a same-run baseline
	// are what carries over to a quiet machine.
	LoadStart, LoadEnd string
}

// line is one figure of the results table.
type line struct {
	ID, Figure, Value, Baseline, Ratio, Target string
	Verdict                                    string // PASS, MISS or — (no target)
	Why                                        string // for a MISS: the reason, from the measurements
	Close                                      string // set when the runs' spread straddles the target: the spread
}

// straddles reports whether the runs of s fall on both sides of threshold,
// so that the verdict of another run could differ.
func straddles(s bench.Summary, threshold float64) bool {
	return s.Min <= threshold && threshold <= s.Max && s.Min != s.Max
}

const (
	pass = "PASS"
	miss = "MISS"
	none = "—"
)

func verdict(ok bool) string {
	if ok {
		return pass
	}
	return miss
}

func (r *report) markdown() string {
	var b strings.Builder
	m := r.machine
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Benchmarks\n\n")
	w("Written by the benchmark harness (`test/bench/cmd/report`); do not edit by hand, run the command below again.\n")
	w("Every figure is the median of at least %d runs with their min and max, beside a baseline measured in the same run", r.opt.runs)
	w(" (runs of the figure and of its baseline alternate, so both see the same machine noise). Everything ran on loopback.\n\n")
	if r.opt.quick {
		w("> **Quick smoke run (-quick)**: fewer calls and shorter segments than the real run; do not quote these figures.\n\n")
	}
	w("## Machine\n\n| | |\n|---|---|\n")
	w("| date | %s (took %s) |\n", r.started.Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	w("| CPU | %s, %d cores (`nproc`), GOMAXPROCS %d |\n", m.CPU, m.Cores, m.GOMAXPROCS)
	w("| memory | %s |\n", m.Memory)
	w("| OS | %s |\n", m.Kernel)
	w("| load average (1, 5, 15 min) | %s at start, %s at the end: other work shared the machine when these differ from 0 |\n", m.LoadAvg, r.loadEnd)
	w("| Go | %s |\n", m.GoVersion)
	if m.Python != "" {
		w("| Python baseline | %s; %s |\n", m.Python, m.PyPackages)
	}
	w("| owui-mcp | commit %s |\n", m.Commit)
	w("| tokenizer | %s |\n\n", bench.TokenizerName)
	w("## Command\n\n```sh\n%s\n```\n\n", r.opt.command)
	if r.opt.command != r.opt.harness {
		w("which installs the Python baselines (a cached venv) and ran:\n\n```sh\n%s\n```\n\n", r.opt.harness)
	}
	w("The harness builds `owui-mcp` (`go build .`), the floor binary (`./test/bench/cmd/floor`), the minimal mcp-go server that is the library's floor (`./test/bench/cmd/mcpmin`: one tool making the same upstream GET) and the profiling server (`./test/bench/cmd/profserve`) into a temporary directory first. To rerun on a quiet machine, run the same one command; nothing else is needed.\n\n")

	w("## Results\n\n")
	w("| # | figure | owui-mcp: median [min – max] | baseline, same run: median [min – max] | ratio | target | verdict |\n")
	w("|---|---|---|---|---|---|---|\n")
	var misses, closeCalls []line
	for _, s := range r.sections {
		if s.Err != nil {
			v := "ERROR"
			if strings.HasPrefix(s.Err.Error(), "skipped") {
				v = "SKIPPED"
			}
			w("| | %s | **not measured: %s** | | | | %s |\n", s.Title, oneLine(s.Err.Error()), v)
			continue
		}
		for _, l := range s.Lines {
			v := l.Verdict
			if v == miss {
				misses = append(misses, l)
				v = "**MISS**"
			}
			if l.Close != "" {
				closeCalls = append(closeCalls, l)
				v += ", close"
			}
			w("| %s | %s | %s | %s | %s | %s | %s |\n", l.ID, l.Figure, l.Value, l.Baseline, l.Ratio, l.Target, v)
		}
	}
	w("\n")
	if len(misses) > 0 {
		w("### Targets missed, and why\n\n")
		for _, l := range misses {
			w("- **%s %s** (%s; target %s): %s\n", l.ID, l.Figure, l.Value, l.Target, l.Why)
		}
		w("\n")
	} else {
		w("Every target with a verdict was met.\n\n")
	}
	if len(closeCalls) > 0 {
		w("### Close calls\n\nThe runs of these figures fall on both sides of the target, so the verdict (taken on the median) can flip from one run of the harness to the next on this machine:\n\n")
		for _, l := range closeCalls {
			w("- **%s %s**: %s, target %s.\n", l.ID, l.Verdict, l.Close, l.Target)
		}
		w("\n")
	}
	for _, s := range r.sections {
		w("## %s\n\n", s.Title)
		if s.Err != nil {
			w("Not measured:\n\n```\n%s\n```\n\n", s.Err)
			continue
		}
		w("%s\n", strings.TrimSpace(s.Body))
		w("\n_Section took %.1f s; load average %s at its start, %s at its end._\n\n", s.Took.Seconds(), s.LoadStart, s.LoadEnd)
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Formatting of summaries. Each takes a Summary of values in the unit named.

func num(x float64) string {
	switch ax := math.Abs(x); {
	case math.IsNaN(x):
		return "n/a"
	case x == 0:
		return "0"
	case ax >= 1000:
		return fmt.Sprintf("%.0f", x)
	case ax >= 100:
		return fmt.Sprintf("%.0f", x)
	case ax >= 10:
		return fmt.Sprintf("%.1f", x)
	case ax >= 1:
		return fmt.Sprintf("%.2f", x)
	default:
		return fmt.Sprintf("%.3f", x)
	}
}

// sum formats "median unit [min – max]".
func sum(s bench.Summary, unit string) string {
	u := unit
	if u != "" && u != "%" && u != "×" {
		u = " " + u
	}
	return fmt.Sprintf("%s%s [%s – %s]", num(s.Median), u, num(s.Min), num(s.Max))
}

func intSum(s bench.Summary, unit string) string {
	if s.Min == s.Max {
		return fmt.Sprintf("%s %s (all %d runs)", commas(s.Median), unit, s.N)
	}
	return fmt.Sprintf("%s %s [%s – %s]", commas(s.Median), unit, commas(s.Min), commas(s.Max))
}

func commas(x float64) string {
	n := int64(math.Round(x))
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, ",")
	if neg {
		r = "-" + r
	}
	return r
}

func mb(bytes float64) float64 { return bytes / (1 << 20) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func summarize(xs []float64) bench.Summary { return bench.Summarize(xs) }

// table renders a markdown table.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(header)) + "\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}
