package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCountLines(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a": 1, "a\n": 1, "a\nb": 2, "a\n\nb\n": 3, "\n\n": 2} {
		got, err := countLines(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("countLines(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// The fixture package, measured as the command measures the module's:
// its files and lines as wc -l counts them, its exported names by kind,
// and go doc's lines.
func TestListPackagesFixture(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.test/fix\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyDir(t, "testdata/fixture", filepath.Join(root, "fixture"))
	pkgs, err := listPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("got %d packages, want 1: %+v", len(pkgs), pkgs)
	}
	p := pkgs[0]
	want := pkgFigures{Path: "fixture", Files: 1, Lines: 28, TestFiles: 1, TestLines: 5,
		Exported: exported{Types: 2, Funcs: 1, Methods: 2, Consts: 2, Vars: 2}}
	got := p
	got.DocLines = 0
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if p.Exported.Total() != 9 {
		t.Errorf("exported total %d, want 9", p.Exported.Total())
	}
	// go doc -short prints a line a const group, var group, type and func
	// at least; its exact layout is go doc's to choose.
	if p.DocLines < 4 {
		t.Errorf("go doc -short lines = %d, want at least 4", p.DocLines)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(dst, src)
		src.Close()
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// transport.Config's deepest settings are three selectors deep (the
// transport package's own TestConfigDepth holds it there), the breaker's
// window among them.
func TestWalkTransportConfig(t *testing.T) {
	c := walkConfig(reflect.TypeFor[transport.Config](), "github.com/resilient-go/resilient")
	if c.Depth != 3 {
		t.Errorf("depth %d, want 3 (deepest %v)", c.Depth, c.Deepest)
	}
	if !slices.Contains(c.Deepest, "Config.Breaker.Window.Kind") {
		t.Errorf("deepest %v lacks Config.Breaker.Window.Kind", c.Deepest)
	}
	if c.Leaves < 100 || c.Opaque == 0 || c.Opaque >= c.Leaves {
		t.Errorf("%d settings, %d opaque: want over 100, some opaque", c.Leaves, c.Opaque)
	}
}

type walkRoot struct {
	Name    string
	Inner   *walkInner
	Promote        // its fields take no selector
	F       func() // opaque leaf
	T       time.Duration
	hidden  int // unexported: not a setting
}

// Promote is embedded in walkRoot.
type Promote struct {
	E int
	P walkDeep // walkRoot.P.X: two selectors, not three
}

type walkInner struct {
	Next  *walkInner // a cycle: a leaf, not entered
	Deep  walkDeep
	Iface io.Reader
	Empty struct{ x int } // no exported field: a leaf
}

type walkDeep struct {
	X  int
	Ch chan int
}

// The walk's rules on a config that has each case.
func TestWalkRules(t *testing.T) {
	_ = walkRoot{}.hidden
	c := walkConfig(reflect.TypeFor[*walkRoot](), "github.com/resilient-go/resilient")
	want := configShape{Leaves: 11, Opaque: 4, Depth: 3, Deepest: []string{"walkRoot.Inner.Deep.X", "walkRoot.Inner.Deep.Ch"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
}

// transport depends on this module's packages and the x/ modules, and the
// split lists them apart from the standard library.
func TestListDeps(t *testing.T) {
	d, err := listDeps("../../..", "./transport")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"github.com/resilient-go/resilient/transport", "github.com/resilient-go/resilient/breaker"} {
		if !slices.Contains(d.NonStd, p) {
			t.Errorf("non-std deps %v lack %s", d.NonStd, p)
		}
	}
	for _, p := range d.NonStd {
		if !strings.Contains(strings.Split(p, "/")[0], ".") {
			t.Errorf("%s listed outside the standard library", p)
		}
	}
	if d.Std == 0 || d.Total != d.Std+len(d.NonStd) || d.IssueCmd <= len(d.NonStd) || d.IssueCmd >= d.Total {
		t.Errorf("figures do not add up: %+v", d)
	}
}

func TestParseDuplicates(t *testing.T) {
	out := `3 pairs of places (10 files read), each sharing runs of 6 or more identical or same-shape lines
D1 a/x.go:1-9 ~ transport/y.go:4-12
D2 transport/z.go:1-7 ~ b/w.go:3-9 shape
D3 a/x.go:20-26 ~ bench/transport/q.go:1-7
left out: 1 runs of 6 lines that stand in more than 8 places each (too common to list)
`
	d := parseDuplicates(out)
	if !d.Measured || !strings.HasPrefix(d.Summary, "3 pairs") || len(d.Rows) != 3 || d.Transport != 2 || len(d.Notes) != 1 {
		t.Errorf("got %+v", d)
	}
}

// The page has its generated-by line and every section; without the
// duplicates tool it says so rather than fail.
func TestMarkdownShape(t *testing.T) {
	h := &house{
		date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), elapsed: 12 * time.Second, goVersion: "go1.26.8", commit: "abc1234",
		pkgs:   []pkgFigures{{Path: "transport", Files: 2, Lines: 30, Exported: exported{Types: 1}}, {Path: "breaker", Files: 1, Lines: 10}},
		config: configShape{Leaves: 5, Depth: 2, Deepest: []string{"Config.A.B", "Config.A.C", "Config.D.E"}},
		sizes:  binSizes{Plain: 1000, Resilient: 1500},
		deps:   depsFigures{Total: 3, Std: 1, NonStd: []string{"x.org/y", "x.org/z"}, IssueCmd: 2},
	}
	md := h.markdown()
	for _, want := range []string{
		`<!-- Generated by "cd bench && go run ./cmd/house"`,
		"on 2026-01-02 03:04 UTC in 12s, go1.26.8, at commit abc1234.",
		"## Packages", "| `transport` | 2 | 30 |", "| **all 2** | 3 | 40 |",
		"## The deepest config path", "**2** selectors", "`Config.A`: B, C (2)", "`Config.D`: E (1)",
		"## Binary size", "| difference | +500 |",
		"## What `transport` imports", "- `x.org/z`",
		"## Repeated code", "Not measured here",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("page lacks %q:\n%s", want, md)
		}
	}
}
