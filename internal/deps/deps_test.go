package deps_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/resilient-go/resilient"

// goCmd runs the go command at the module's root and returns its output.
func goCmd(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// TestTransportCompilesOnlyWhatItUses: a program that imports transport
// (or the packages the stack is built from) compiles none of
// go-retryablehttp (package retryablehttpx has the adapters) nor
// miekg/dns (the DNS resolver is the nested module discovery/dns).
func TestTransportCompilesOnlyWhatItUses(t *testing.T) {
	allowed := []string{module + "/", "golang.org/x/time/", "golang.org/x/sync/"}
	pkgs := []string{"./transport", "./balancer", "./discovery", "./pool", "./breaker", "./limiter", "./queue", "./backoff"}
	out := goCmd(t, append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)...)
	for _, dep := range strings.Fields(string(out)) {
		if !slices.ContainsFunc(allowed, func(p string) bool { return strings.HasPrefix(dep, p) }) {
			t.Errorf("the stack imports %s; allowed outside the standard library: %v", dep, allowed)
		}
	}
}

// TestRootGoModRequiresOnlyWhatTheCodeNeeds: the root go.mod's direct
// requirements are the modules the library's code needs, and nothing of
// the integrations' graphs is required at all (not even indirectly), so
// that `go mod tidy` in a user's module never moves the user's own
// versions of Prometheus or OpenTelemetry.
func TestRootGoModRequiresOnlyWhatTheCodeNeeds(t *testing.T) {
	direct := []string{
		"github.com/twitchtv/twirp",             // twirpx
		"github.com/hashicorp/go-retryablehttp", // retryablehttpx
		"golang.org/x/time",
		"golang.org/x/sync",
		"go.uber.org/goleak",         // tests
		"google.golang.org/protobuf", // twirpx's tests: twirp's example service
	}
	banned := []string{"github.com/miekg/dns", "github.com/prometheus/", "go.opentelemetry.io/"}
	var mod struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.Unmarshal(goCmd(t, "mod", "edit", "-json"), &mod); err != nil {
		t.Fatal(err)
	}
	for _, r := range mod.Require {
		if !r.Indirect && !slices.Contains(direct, r.Path) {
			t.Errorf("go.mod requires %s; the root module's direct requirements are %v", r.Path, direct)
		}
		for _, b := range banned {
			if strings.HasPrefix(r.Path, b) {
				t.Errorf("go.mod requires %s (indirect: %v): it belongs in a nested module", r.Path, r.Indirect)
			}
		}
	}
}

// TestCIRunCoversEveryNestedModule: the root's go test ./... does not
// enter a nested module, so .ci/run must name each one, or its tests
// would run nowhere.
func TestCIRunCoversEveryNestedModule(t *testing.T) {
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var nested []string
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" && path != "../../go.mod" {
			nested = append(nested, filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../../"))))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(nested) < 2 {
		t.Fatalf("found nested modules %v, want at least bench and fleet", nested)
	}
	for _, m := range nested {
		if !regexp.MustCompile(`(^|[\s(])` + regexp.QuoteMeta(m) + `([\s)]|$)`).Match(ci) {
			t.Errorf("nested module %s is not named in .ci/run", m)
		}
	}
}
