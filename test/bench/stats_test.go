package bench

import (
	"math"
	"os"
	"testing"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{5, 1, 3})
	if s.Median != 3 || s.Min != 1 || s.Max != 5 || s.N != 3 {
		t.Errorf("odd count: %+v", s)
	}
	s = Summarize([]float64{4, 1, 3, 2})
	if s.Median != 2.5 || s.Min != 1 || s.Max != 4 {
		t.Errorf("even count: %+v", s)
	}
	if s := Summarize(nil); !math.IsNaN(s.Median) || s.N != 0 {
		t.Errorf("empty: %+v", s)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	for p, want := range map[float64]float64{50: 50, 99: 99, 100: 100, 0.1: 1} {
		if got := Percentile(xs, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("empty input must give NaN")
	}
}

func TestSyntheticFakeHasDistinctRealisticRows(t *testing.T) {
	f := SyntheticFake(100)
	ms := f.Models()
	if len(ms) != 100 {
		t.Fatalf("%d models, want 100", len(ms))
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.ID] || m.BaseModelID == nil || m.Name == "" {
			t.Fatalf("bad or duplicate row %+v", m)
		}
		seen[m.ID] = true
	}
}

func TestTokensOffline(t *testing.T) {
	n, err := Tokens("hello world")
	if err != nil || n != 2 {
		t.Fatalf("Tokens(hello world) = %d, %v; want 2 (cl100k)", n, err)
	}
}

func TestReadProcStatusAndCPU(t *testing.T) {
	st, err := ReadProcStatus(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if st.VmRSS <= 0 || st.VmHWM < st.VmRSS {
		t.Errorf("implausible %+v", st)
	}
	if _, err := ProcCPU(os.Getpid()); err != nil {
		t.Error(err)
	}
}
