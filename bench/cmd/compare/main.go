// Command compare runs every comparison of package bench and prints, for
// each, a Markdown table of ns/op and allocs/op per library and each
// one's ratio to the fastest peer (below 1: faster than every peer).
//
//	cd bench && go run ./cmd/compare            # GOMAXPROCS as the machine has
//	cd bench && go run ./cmd/compare -cpu 1,4,16
//
// go run ./cmd/report runs the same comparisons and the scenarios, and
// writes docs/performance.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/resilient-go/resilient/bench"
)

func main() {
	testing.Init()
	cpus := flag.String("cpu", strconv.Itoa(runtime.GOMAXPROCS(0)), "comma-separated GOMAXPROCS values for the parallel runs")
	count := flag.Int("count", 1, "runs of each benchmark; the fastest is kept")
	flag.Parse()
	procs, err := bench.ParseProcs(*cpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	fmt.Printf("%s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	for _, cmp := range bench.All() {
		fmt.Printf("## %s\n\n", cmp.Name)
		bench.Measure(cmp, procs, *count).WriteMarkdown(os.Stdout)
		fmt.Println()
	}
}
