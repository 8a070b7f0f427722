package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pkgFigures is one package's size and surface.
type pkgFigures struct {
	Path      string // import path, relative to the module ("transport")
	Files     int    // non-test .go files in the directory
	TestFiles int    // _test.go files in the directory
	Lines     int    // lines of the non-test files
	TestLines int    // lines of the test files
	DocLines  int    // lines that `go doc -short` prints
	Exported  exported
}

// listPackages runs `go list ./...` in the module at root and measures
// each package. Every .go file of a package's directory counts for lines
// (build-tagged variants included: they are code to read and keep), only
// the files of this platform for exported names.
func listPackages(root string) ([]pkgFigures, error) {
	mod, err := goCmd(root, "list", "-m")
	if err != nil {
		return nil, err
	}
	mod = strings.TrimSpace(mod)
	out, err := goCmd(root, "list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \",\"}}", "./...")
	if err != nil {
		return nil, err
	}
	var pkgs []pkgFigures
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("go list: unexpected line %q", line)
		}
		p := pkgFigures{Path: strings.TrimPrefix(strings.TrimPrefix(f[0], mod), "/")}
		if p.Path == "" {
			p.Path = "."
		}
		if err := p.countFiles(f[1]); err != nil {
			return nil, err
		}
		var files []string
		if f[2] != "" {
			for _, name := range strings.Split(f[2], ",") {
				files = append(files, filepath.Join(f[1], name))
			}
		}
		if p.Exported, err = countExported(files); err != nil {
			return nil, err
		}
		// A directory of tests alone (a recipe) has no package to document.
		if len(files) > 0 {
			doc, err := goCmd(root, "doc", "-short", f[0])
			if err != nil {
				return nil, err
			}
			p.DocLines = nonEmptyLines(doc)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func (p *pkgFigures) countFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		n, err := countLines(f)
		f.Close()
		if err != nil {
			return err
		}
		if strings.HasSuffix(e.Name(), "_test.go") {
			p.TestFiles++
			p.TestLines += n
		} else {
			p.Files++
			p.Lines += n
		}
	}
	return nil
}

func nonEmptyLines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// goCmd runs the go command in dir, outside any workspace, and returns its
// standard output; its standard error goes into the error.
func goCmd(dir string, args ...string) (string, error) {
	return run(dir, []string{"GOWORK=off"}, "go", args...)
}

func run(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
