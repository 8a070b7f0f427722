// Command compare runs every comparison of package bench and prints, for
// each, ns/op and allocs/op per library and how many times slower each peer
// is than resilient (>1 means resilient is faster).
//
//	cd bench && go run ./cmd/compare            # GOMAXPROCS as the machine has
//	cd bench && go run ./cmd/compare -cpu 1,4,16
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/resilient-go/resilient/bench"
)

func main() {
	testing.Init()
	cpus := flag.String("cpu", strconv.Itoa(runtime.GOMAXPROCS(0)), "comma-separated GOMAXPROCS values for the parallel runs")
	flag.Parse()
	var procs []int
	for _, s := range strings.Split(*cpus, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "compare: bad -cpu value %q\n", s)
			os.Exit(2)
		}
		procs = append(procs, n)
	}

	fmt.Printf("%s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	for _, cmp := range bench.All() {
		fmt.Printf("## %s\n\n", cmp.Name)
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "library\tns/op\tallocs/op\tvs resilient\t")
		for _, p := range procs {
			fmt.Fprintf(tw, "parallel ns/op -cpu %d\tvs resilient\t", p)
		}
		fmt.Fprintln(tw)

		seq := make([]testing.BenchmarkResult, len(cmp.Cases))
		par := make([][]testing.BenchmarkResult, len(procs))
		for i, c := range cmp.Cases {
			seq[i] = testing.Benchmark(c.Run)
		}
		for j, p := range procs {
			prev := runtime.GOMAXPROCS(p)
			par[j] = make([]testing.BenchmarkResult, len(cmp.Cases))
			for i, c := range cmp.Cases {
				par[j][i] = testing.Benchmark(c.Parallel)
			}
			runtime.GOMAXPROCS(prev)
		}
		ours := -1
		for i, c := range cmp.Cases {
			if c.Ours {
				ours = i
			}
		}
		for i, c := range cmp.Cases {
			fmt.Fprintf(tw, "%s\t%.1f\t%d\t%s\t", c.Name, nsPerOp(seq[i]), seq[i].AllocsPerOp(), ratio(c, seq, i, ours))
			for j := range procs {
				fmt.Fprintf(tw, "%.1f\t%s\t", nsPerOp(par[j][i]), ratio(c, par[j], i, ours))
			}
			fmt.Fprintln(tw)
		}
		_ = tw.Flush()
		fmt.Println()
	}
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

// ratio is how many times slower case i is than ours; blank for ours and
// the floor.
func ratio(c bench.Case, rs []testing.BenchmarkResult, i, ours int) string {
	if ours < 0 || i == ours || c.Floor {
		return ""
	}
	return fmt.Sprintf("%.2fx", nsPerOp(rs[i])/nsPerOp(rs[ours]))
}
