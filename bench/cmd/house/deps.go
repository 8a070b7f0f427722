package main

import (
	"regexp"
	"strings"
)

// depsFigures is what `go list -deps` of a package reaches.
type depsFigures struct {
	Total    int      // every package, the standard library's included
	Std      int      // of the standard library
	NonStd   []string // the rest, in go list's order (dependencies first)
	IssueCmd int      // lines of `go list -deps PKG | grep -v '^[a-z]*$'`
}

// singleWord is the issue's filter: it drops one-word standard packages
// (fmt, sync) and keeps the rest, net/http as well as golang.org/x/time.
var singleWord = regexp.MustCompile(`^[a-z]*$`)

// listDeps runs go list -deps pkg in the module at root.
func listDeps(root, pkg string) (depsFigures, error) {
	var d depsFigures
	out, err := goCmd(root, "list", "-deps", "-f", "{{.ImportPath}}\t{{.Standard}}", pkg)
	if err != nil {
		return d, err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		path, std, _ := strings.Cut(line, "\t")
		d.Total++
		if !singleWord.MatchString(path) {
			d.IssueCmd++
		}
		if std == "true" {
			d.Std++
		} else {
			d.NonStd = append(d.NonStd, path)
		}
	}
	return d, nil
}
