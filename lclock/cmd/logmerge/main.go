package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its arguments and outputs injected, for tests. It
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("logmerge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var k keys
	fs.StringVar(&k.stamp, "key", "lclock", "the stamp `attribute`")
	fs.StringVar(&k.service, "service", "service", "the service `attribute`")
	fs.StringVar(&k.time, "time", "time", "the wall-time `attribute` (RFC 3339)")
	fs.StringVar(&k.msg, "msg", "msg", "the message `attribute`")
	table := fs.Bool("table", false, "write a table (stamp, wall time, service, message) marking where wall-clock order is wrong")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: logmerge [flags] file...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	var logs []source
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "logmerge:", err)
			return 1
		}
		logs = append(logs, source{name: name, r: f})
		defer f.Close()
	}
	m, err := merge(logs, k)
	if err != nil {
		fmt.Fprintln(stderr, "logmerge:", err)
		return 1
	}
	if m.unstamped > 0 {
		fmt.Fprintf(stderr, "logmerge: %d lines without a %q attribute left out\n", m.unstamped, k.stamp)
	}
	if *table {
		err = writeTable(stdout, m)
	} else {
		err = writeLines(stdout, m)
	}
	if err != nil {
		fmt.Fprintln(stderr, "logmerge:", err)
		return 1
	}
	return 0
}
