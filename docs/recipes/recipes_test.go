package recipes_test

import (
	"bufio"
	"errors"
	"fmt"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// exampleFile is the file every recipe directory must hold and embed.
const exampleFile = "example_test.go"

// TestRecipes checks every recipe directory under docs/recipes: its
// README.md embeds its example_test.go verbatim, and the example file has a
// runnable Example with an Output comment, in package <dir>_test. go test
// itself runs the examples, so a recipe whose output changes fails there.
func TestRecipes(t *testing.T) {
	fsys := os.DirFS(".")
	dirs, err := recipeDirs(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no recipe directory found under docs/recipes")
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			for _, err := range checkRecipe(fsys, dir) {
				t.Error(err)
			}
		})
	}
}

// recipeDirs lists the directories of fsys's root: each one is a recipe.
func recipeDirs(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(e.Name(), "_") && e.Name() != "testdata" {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs, nil
}

// checkRecipe returns every way in which recipe dir breaks the convention.
func checkRecipe(fsys fs.FS, dir string) []error {
	var errs []error
	src, err := fs.ReadFile(fsys, path.Join(dir, exampleFile))
	if err != nil {
		return []error{fmt.Errorf("%s: a recipe needs %s: %w", dir, exampleFile, err)}
	}
	errs = append(errs, checkExamples(dir, src)...)

	readme, err := fs.ReadFile(fsys, path.Join(dir, "README.md"))
	if err != nil {
		return append(errs, fmt.Errorf("%s: a recipe needs a README.md: %w", dir, err))
	}
	embeds, err := parseEmbeds(string(readme))
	if err != nil {
		return append(errs, fmt.Errorf("%s/README.md: %w", dir, err))
	}
	if _, ok := embeds[exampleFile]; !ok {
		errs = append(errs, fmt.Errorf("%s/README.md: no ```go block after <!-- embed: %s -->", dir, exampleFile))
	}
	for name, blocks := range embeds {
		want, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s/README.md embeds %s: %w", dir, name, err))
			continue
		}
		for _, b := range blocks {
			if b.code != strings.TrimSuffix(string(want), "\n") {
				errs = append(errs, fmt.Errorf("%s/README.md:%d: the embedded %s differs from the file (%s); copy the file into the page",
					dir, b.line, name, firstDiff(b.code, string(want))))
			}
		}
	}
	return errs
}

// checkExamples checks that src is package <dir>_test with at least one
// Example that has a non-empty Output comment, so go test runs and checks it.
func checkExamples(dir string, src []byte) []error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path.Join(dir, exampleFile), src, parser.ParseComments)
	if err != nil {
		return []error{err}
	}
	var errs []error
	if want := dir + "_test"; f.Name.Name != want {
		errs = append(errs, fmt.Errorf("%s/%s: package %s, want %s", dir, exampleFile, f.Name.Name, want))
	}
	checked := 0
	for _, ex := range doc.Examples(f) {
		if ex.Output != "" {
			checked++
		}
	}
	if checked == 0 {
		errs = append(errs, fmt.Errorf("%s/%s: no Example function with a non-empty // Output: comment", dir, exampleFile))
	}
	return errs
}

// embed is one fenced block of a README that embeds a file.
type embed struct {
	line int    // the line of the marker
	code string // the block's content, without the fences or a final newline
}

// parseEmbeds finds every "<!-- embed: NAME -->" marker of a README and
// the ```go block on the line right after it.
func parseEmbeds(readme string) (map[string][]embed, error) {
	out := map[string][]embed{}
	sc := bufio.NewScanner(strings.NewReader(readme))
	sc.Buffer(nil, 1<<20)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	for {
		text, ok := next()
		if !ok {
			break
		}
		name, isMarker := marker(text)
		if !isMarker {
			continue
		}
		at := line
		if fence, _ := next(); fence != "```go" {
			return nil, fmt.Errorf("line %d: <!-- embed: %s --> must be followed at once by a ```go line, found %q", at, name, fence)
		}
		var body []string
		closed := false
		for {
			text, ok := next()
			if !ok {
				break
			}
			if text == "```" {
				closed = true
				break
			}
			body = append(body, text)
		}
		if !closed {
			return nil, fmt.Errorf("line %d: the ```go block of %s is not closed", at, name)
		}
		out[name] = append(out[name], embed{line: at, code: strings.Join(body, "\n")})
	}
	return out, sc.Err()
}

// marker reports whether line is an embed marker and which file it names.
func marker(line string) (string, bool) {
	s, ok := strings.CutPrefix(strings.TrimSpace(line), "<!-- embed:")
	if !ok {
		return "", false
	}
	s, ok = strings.CutSuffix(s, "-->")
	return strings.TrimSpace(s), ok
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want string) string {
	g := strings.Split(got, "\n")
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d of the block: %q, the file has %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("the block has %d lines, the file %d", len(g), len(w))
}

// The checker itself must catch what it is for.
func TestCheckRecipeCatchesDrift(t *testing.T) {
	const good = "package demo_test\n\nimport \"fmt\"\n\nfunc Example() {\n\tfmt.Println(\"hi\")\n\t// Output: hi\n}\n"
	page := func(code string) string {
		return "# Demo\n\nText.\n\n<!-- embed: example_test.go -->\n```go\n" + strings.TrimSuffix(code, "\n") + "\n```\n\nMore text.\n"
	}
	cases := []struct {
		name    string
		files   fstest.MapFS
		wantErr string // "" means the recipe passes
	}{
		{"good", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte(page(good))},
		}, ""},
		{"embed differs", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte(page(strings.Replace(good, "hi", "ho", 1)))},
		}, "differs from the file"},
		{"embed truncated", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte(page(good[:len(good)-3]))},
		}, "differs from the file"},
		{"no marker", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte("# Demo\n\n```go\n" + good + "```\n")},
		}, "no ```go block after"},
		{"marker without block", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte("<!-- embed: example_test.go -->\n\n```go\n" + good + "```\n")},
		}, "followed at once"},
		{"unclosed block", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte("<!-- embed: example_test.go -->\n```go\n" + good)},
		}, "not closed"},
		{"no output", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(strings.Replace(good, "\t// Output: hi\n", "", 1))},
			"demo/README.md":       {Data: []byte(page(strings.Replace(good, "\t// Output: hi\n", "", 1)))},
		}, "no Example function"},
		{"wrong package", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(strings.Replace(good, "demo_test", "other_test", 1))},
			"demo/README.md":       {Data: []byte(page(strings.Replace(good, "demo_test", "other_test", 1)))},
		}, "want demo_test"},
		{"no example file", fstest.MapFS{
			"demo/README.md": {Data: []byte(page(good))},
		}, "needs example_test.go"},
		{"no readme", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
		}, "needs a README.md"},
		{"embeds a missing file", fstest.MapFS{
			"demo/example_test.go": {Data: []byte(good)},
			"demo/README.md":       {Data: []byte(page(good) + "<!-- embed: gone.go -->\n```go\nx\n```\n")},
		}, "embeds gone.go"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := errors.Join(checkRecipe(c.files, "demo")...)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("checkRecipe: %v; want no error", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("checkRecipe: %v; want an error containing %q", err, c.wantErr)
			}
		})
	}
}

func TestRecipeDirsSkipsHiddenAndTestdata(t *testing.T) {
	dirs, err := recipeDirs(fstest.MapFS{
		"a/README.md":       {},
		".git/x":            {},
		"_draft/x":          {},
		"testdata/x":        {},
		"b/example_test.go": {},
		"recipes_test.go":   {},
		"doc.go":            {},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(dirs, ",") != "a,b" {
		t.Fatalf("recipeDirs = %v, want [a b]", dirs)
	}
}

// TestDocPagesEmbeds applies the same rule to the pages of docs/ itself
// (docs/*.md): every "<!-- embed: PATH -->" block, PATH relative to the
// page (docs/fleet-limits.md embeds ../fleet/example_test.go, say), must
// equal that file, so a page's code cannot drift from the code CI runs.
func TestDocPagesEmbeds(t *testing.T) {
	repo := os.DirFS("../..")
	pages, err := fs.Glob(repo, "docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, page := range pages {
		text, err := fs.ReadFile(repo, page)
		if err != nil {
			t.Fatal(err)
		}
		embeds, err := parseEmbeds(string(text))
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		for name, blocks := range embeds {
			want, err := fs.ReadFile(repo, path.Join(path.Dir(page), name))
			if err != nil {
				t.Errorf("%s embeds %s: %v", page, name, err)
				continue
			}
			for _, b := range blocks {
				checked++
				if b.code != strings.TrimSuffix(string(want), "\n") {
					t.Errorf("%s:%d: the embedded %s differs from the file (%s); copy the file into the page",
						page, b.line, name, firstDiff(b.code, string(want)))
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no embed found in docs/*.md: the check checks nothing")
	}
}
