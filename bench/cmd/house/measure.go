package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// house holds every figure of the page.
type house struct {
	date      time.Time
	elapsed   time.Duration
	goVersion string
	commit    string // short hash, "" outside a git checkout
	pkgs      []pkgFigures
	config    configShape
	sizes     binSizes
	deps      depsFigures
	dups      dupFigures
}

// measure takes every figure of the module at root.
func measure(root string) (*house, error) {
	h := &house{goVersion: runtime.Version(), commit: commit(root)}
	// The config walk reads the transport this command is built with: the
	// bench module's replace makes it the one at "..", root's default.
	h.config = walkConfig(reflect.TypeFor[transport.Config](), "github.com/resilient-go/resilient")
	steps := []struct {
		name string
		do   func() error
	}{
		{"packages", func() (err error) { h.pkgs, err = listPackages(root); return err }},
		{"binary sizes", func() (err error) { h.sizes, err = buildSizes(root); return err }},
		{"deps", func() (err error) { h.deps, err = listDeps(root, "./transport"); return err }},
		{"duplicates", func() (err error) { h.dups, err = findDuplicates(root); return err }},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.do(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(os.Stderr, "%s: %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	return h, nil
}

// commit is the short hash of HEAD, marked when the tree has uncommitted
// changes, or "" where git or the checkout is missing.
func commit(root string) string {
	out, err := run(root, nil, "git", "rev-parse", "--short", "HEAD")
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(out)
	if st, err := run(root, nil, "git", "status", "--porcelain"); err == nil && strings.TrimSpace(st) != "" {
		c += " (with uncommitted changes)"
	}
	return c
}
