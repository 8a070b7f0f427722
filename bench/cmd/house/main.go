// Command house measures the shape of the root module, the figures issue
// 19 ("the house") asks for before and after it splits package transport,
// and writes them as docs/house.md:
//
//	cd bench && go run ./cmd/house
//
// Per package: lines of Go (non-test and test), exported names (the lines
// of `go doc -short` and the exported identifiers), files. Then the
// deepest selector path of transport.Config, the binary size of a
// hello-world client built with transport.New against plain net/http,
// what `go list -deps ./transport` pulls in beyond the standard library,
// and the pairs of repeated code that the machine's `duplicates` tool
// finds (where it is installed; CI does not have it).
//
// It runs offline (it needs a warm module cache) in well under a minute.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	root := flag.String("root", "..", "directory of the root module")
	out := flag.String("out", "../docs/house.md", "page to write")
	flag.Parse()
	abs, err := filepath.Abs(*root)
	if err != nil {
		fatal(err)
	}
	start := time.Now()
	h, err := measure(abs)
	if err != nil {
		fatal(err)
	}
	h.date = start.UTC()
	h.elapsed = time.Since(start)
	if err := os.WriteFile(*out, []byte(h.markdown()), 0o644); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %s\n", *out, h.elapsed.Round(time.Second))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "house:", err)
	os.Exit(1)
}
