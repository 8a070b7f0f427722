package otelx_test

import (
	"os"
	"strings"
	"testing"
)

// callOutcome is written twice, here and in promx (modules that must not
// import each other), so that a call counts under the same outcome in
// Prometheus and in OTel: the two must not drift apart.
func TestCallOutcomeMatchesPromx(t *testing.T) {
	body := func(path string) string {
		t.Helper()
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(text)
		i := strings.Index(s, "\nfunc callOutcome(")
		if i < 0 {
			t.Fatalf("%s has no callOutcome", path)
		}
		return s[i:]
	}
	if ours, theirs := body("outcome.go"), body("../promx/outcome.go"); ours != theirs {
		t.Errorf("otelx's callOutcome (and what follows it) differs from promx's:\n%s\n---\n%s", ours, theirs)
	}
}
