package main

import (
	"bufio"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/resilient-go/resilient/lclock"
)

// writeLines writes the merged lines unchanged, one per line.
func writeLines(w io.Writer, m merged) error {
	bw := bufio.NewWriter(w)
	for _, e := range m.entries {
		bw.Write(e.raw)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeTable writes the merged lines as a table, marking with "!" those
// whose wall time is earlier than a line before them (in the first
// column), and a summary.
func writeTable(w io.Writer, m merged) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, " \tSTAMP\tWALL TIME\tSERVICE\tMESSAGE")
	bad := wallOutOfOrder(m.entries)
	n := 0
	for i, e := range m.entries {
		var stamp []byte
		if m.hlc {
			stamp = lclock.AppendHLC(nil, e.stamp)
		} else {
			stamp = lclock.AppendLamport(nil, e.stamp)
		}
		wall := "-"
		if !e.wall.IsZero() {
			wall = e.wall.UTC().Format("15:04:05.000")
		}
		mark := " "
		if bad[i] {
			mark = "!"
			n++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, stamp, wall, e.service, e.msg)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d lines; %d out of order by wall clock (marked !)\n", len(m.entries), n)
	return err
}
