package main

import (
	"os"
	"os/exec"
	"strings"
)

// dupFigures is what the `duplicates` tool reports over the whole tree.
type dupFigures struct {
	Measured  bool     // false where the tool is not installed (CI)
	Summary   string   // its first line: the pairs and the files read
	Transport int      // listed pairs with a side in transport/
	Rows      []string // the first rows, most shared first
	Notes     []string // its "left out:" and "incomplete:" lines
}

// duplicatesTool is where this machine keeps the tool when it is not on
// PATH.
const duplicatesTool = "/work/.library/duplicates"

// shownRows is how many of the tool's rows the page lists.
const shownRows = 10

// findDuplicates runs the tool over the tree at root, listing up to 200
// pairs so that those touching transport/ can be counted.
func findDuplicates(root string) (dupFigures, error) {
	var d dupFigures
	tool, err := exec.LookPath("duplicates")
	if err != nil {
		fi, serr := os.Stat(duplicatesTool)
		if serr != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return d, nil
		}
		tool = duplicatesTool
	}
	out, err := run(root, nil, tool, "--repo", root, "--most", "200", "--seconds", "30")
	if err != nil {
		return d, err
	}
	d = parseDuplicates(out)
	return d, nil
}

// parseDuplicates reads the tool's output: a summary line, a row a pair
// ("D1 a.go:10-24 ~ b.go:40-54 …"), a "(+N more pairs)" line, notes.
func parseDuplicates(out string) dupFigures {
	d := dupFigures{Measured: true}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		switch {
		case i == 0:
			d.Summary = line
		case strings.HasPrefix(line, "D"):
			if strings.Contains(line, " transport/") {
				d.Transport++
			}
			if len(d.Rows) < shownRows {
				d.Rows = append(d.Rows, line)
			}
		case strings.HasPrefix(line, "left out:"), strings.HasPrefix(line, "incomplete:"):
			d.Notes = append(d.Notes, line)
		}
	}
	return d
}
