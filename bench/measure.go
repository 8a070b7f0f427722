package bench

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Measurement is one comparison measured: every case sequentially, and
// under RunParallel at each GOMAXPROCS of Procs.
type Measurement struct {
	Comparison Comparison
	Procs      []int
	// Seq holds each case's sequential result, in case order.
	Seq []testing.BenchmarkResult
	// Par holds, for each of Procs, each case's RunParallel result.
	Par [][]testing.BenchmarkResult
}

// Measure runs every case of cmp with testing.Benchmark (so the
// -test.benchtime flag applies, once testing.Init has run), count times
// each, and keeps each case's fastest run: on a shared machine the
// slower runs measure the neighbours, not the code.
func Measure(cmp Comparison, procs []int, count int) Measurement {
	m := Measurement{Comparison: cmp, Procs: procs, Seq: make([]testing.BenchmarkResult, len(cmp.Cases))}
	for i, c := range cmp.Cases {
		m.Seq[i] = fastest(c.Run, count)
	}
	for _, p := range procs {
		prev := runtime.GOMAXPROCS(p)
		rs := make([]testing.BenchmarkResult, len(cmp.Cases))
		for i, c := range cmp.Cases {
			rs[i] = fastest(c.Parallel, count)
		}
		runtime.GOMAXPROCS(prev)
		m.Par = append(m.Par, rs)
	}
	return m
}

// fastest runs f count times (at least once) and returns its fastest run.
func fastest(f func(b *testing.B), count int) testing.BenchmarkResult {
	best := testing.Benchmark(f)
	for range count - 1 {
		if r := testing.Benchmark(f); NsPerOp(r) < NsPerOp(best) {
			best = r
		}
	}
	return best
}

// NsPerOp is a result's time per operation, in nanoseconds (fractional,
// unlike BenchmarkResult.NsPerOp).
func NsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

// BestPeer returns the index of the fastest peer (a case neither Ours nor
// the Floor nor a Reference) in rs, or -1 when there is none.
func (m Measurement) BestPeer(rs []testing.BenchmarkResult) int {
	return m.fastest(rs, func(c Case) bool { return !c.Ours && !c.Floor && !c.Reference })
}

// bestReference returns the index of the fastest Reference in rs, or -1.
func (m Measurement) bestReference(rs []testing.BenchmarkResult) int {
	return m.fastest(rs, func(c Case) bool { return c.Reference })
}

func (m Measurement) fastest(rs []testing.BenchmarkResult, among func(Case) bool) int {
	best := -1
	for i, c := range m.Comparison.Cases {
		if !among(c) {
			continue
		}
		if best < 0 || NsPerOp(rs[i]) < NsPerOp(rs[best]) {
			best = i
		}
	}
	return best
}

// Ratio is case i's time over the best peer's in rs: below 1, case i is
// faster than every peer. It is 0 when there is no peer.
func (m Measurement) Ratio(rs []testing.BenchmarkResult, i int) float64 {
	best := m.BestPeer(rs)
	if best < 0 || NsPerOp(rs[best]) == 0 {
		return 0
	}
	return NsPerOp(rs[i]) / NsPerOp(rs[best])
}

// WriteMarkdown writes the comparison as a Markdown table: ns/op,
// allocs/op and the ratio to the best peer, sequential and then for each
// GOMAXPROCS of the parallel runs. Resilient's rows are in bold.
func (m Measurement) WriteMarkdown(w io.Writer) {
	var head, rule strings.Builder
	head.WriteString("| library | ns/op | allocs/op | vs best peer |")
	rule.WriteString("|---|--:|--:|--:|")
	for _, p := range m.Procs {
		fmt.Fprintf(&head, " RunParallel -cpu %d ns/op | vs best peer |", p)
		rule.WriteString("--:|--:|")
	}
	fmt.Fprintln(w, head.String())
	fmt.Fprintln(w, rule.String())
	for i, c := range m.Comparison.Cases {
		name := c.Name
		if c.Ours {
			name = "**" + name + "**"
		}
		fmt.Fprintf(w, "| %s | %.1f | %d | %s |", name, NsPerOp(m.Seq[i]), m.Seq[i].AllocsPerOp(), m.ratioCell(m.Seq, i))
		for j := range m.Procs {
			fmt.Fprintf(w, " %.1f | %s |", NsPerOp(m.Par[j][i]), m.ratioCell(m.Par[j], i))
		}
		fmt.Fprintln(w)
	}
}

func (m Measurement) ratioCell(rs []testing.BenchmarkResult, i int) string {
	c := m.Comparison.Cases[i]
	switch {
	case c.Floor:
		return "(floor)"
	case c.Reference:
		return "(stdlib)"
	}
	if r := m.Ratio(rs, i); r != 0 {
		return fmt.Sprintf("%.2f×", r)
	}
	if ref := m.bestReference(rs); c.Ours && ref >= 0 && NsPerOp(rs[ref]) > 0 {
		return fmt.Sprintf("%.2f× stdlib", NsPerOp(rs[i])/NsPerOp(rs[ref]))
	}
	return ""
}

// ParseProcs parses a comma-separated list of GOMAXPROCS values ("1,4,16").
func ParseProcs(s string) ([]int, error) {
	var procs []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad GOMAXPROCS value %q", f)
		}
		procs = append(procs, n)
	}
	return procs, nil
}
