package promx_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/promx"
)

// alertsDir holds the rules file and its promtool tests.
var alertsDir = filepath.Join("..", "docs", "alerts")

// The alert rules pass their promtool unit tests. promtool comes with the
// Debian package "prometheus"; without it the test is skipped, except in
// CI (CI=true), where a missing promtool is a failure.
func TestAlertRulesPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found in CI (install the Debian package prometheus): %v", err)
		}
		t.Skipf("promtool not found (install the Debian package prometheus): %v", err)
	}
	for _, args := range [][]string{
		{"check", "rules", "resilient.rules.yml"},
		{"test", "rules", "resilient.rules.test.yml"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, promtool, args...)
		cmd.Dir = alertsDir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// Every metric that the rules and their tests name is one that promx
// exports, and the label values they match are the stack's own, so the
// rules cannot drift from the code unnoticed.
func TestAlertRulesNameOurMetrics(t *testing.T) {
	m, err := promx.New(promx.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *prometheus.Desc, 64)
	m.Describe(ch)
	close(ch)
	ours := map[string]bool{}
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		if sm := fqName.FindStringSubmatch(d.String()); sm != nil {
			ours[sm[1]] = true
		}
	}
	histogram := map[string]bool{"resilient_call_duration_seconds": true, "resilient_queue_wait_seconds": true}
	for _, h := range []string{"resilient_call_duration_seconds", "resilient_queue_wait_seconds"} {
		if !ours[h] {
			t.Fatalf("promx does not export %s", h)
		}
	}

	name := regexp.MustCompile(`\bresilient_[a-z_]+`)
	for _, file := range []string{"resilient.rules.yml", "resilient.rules.test.yml"} {
		text, err := os.ReadFile(filepath.Join(alertsDir, file))
		if err != nil {
			t.Fatal(err)
		}
		used := name.FindAllString(string(text), -1)
		if len(used) == 0 {
			t.Fatalf("%s names no resilient_ metric", file)
		}
		for _, n := range used {
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && histogram[b] {
					base = b
				}
			}
			if !ours[base] {
				t.Errorf("%s names %s, which promx does not export", file, n)
			}
		}
	}

	rules, err := os.ReadFile(filepath.Join(alertsDir, "resilient.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`state=~"` + breaker.Open.String() + "|" + breaker.HalfOpen.String() + `"`,
		`stage=~"limit|queue"`, // transport.Rejection.Stage
	} {
		if !strings.Contains(string(rules), want) {
			t.Errorf("rules do not match %s", want)
		}
	}
	alerts := strings.Count(string(rules), "- alert: ")
	if n := strings.Count(string(rules), "runbook:"); n != alerts || alerts < 5 {
		t.Errorf("%d runbook annotations for %d alerts, want one per alert (5 or more)", n, alerts)
	}
}
