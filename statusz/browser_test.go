//go:build unix

package statusz_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// TestBrowserShowsOpenBreaker loads the page in headless Chromium, served
// on 127.0.0.1, after a chaos outage of a real loopback backend opened the
// stack's breaker, and checks that the page the browser built shows it
// open. The screenshot is kept under $RESILIENT_ARTIFACTS (or the test's
// temporary directory) for people to look at.
func TestBrowserShowsOpenBreaker(t *testing.T) {
	bin := chromium(t)

	var backendHost string
	rt := failingStack(t, func(in *chaos.Injector) http.RoundTripper {
		backend := httptest.NewServer(in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
		t.Cleanup(backend.Close)
		backendHost = strings.TrimPrefix(backend.URL, "http://")
		return nil // the stack's own pool, so that the page shows its reuse
	})
	openBreaker(t, &http.Client{Transport: rt}, "http://"+backendHost+"/")

	// An extra section, as a component outside the stack (the fleet
	// limiter) adds one, whose Redis is away.
	redis := statusz.Section{Title: "Fleet limit", Rows: func() []statusz.Row {
		return []statusz.Row{{Name: "Redis breaker", Value: "open", Bad: true}, {Name: "Fallback decisions", Value: "8"}}
	}}
	h, err := statusz.New(statusz.Config{Title: "browser test", Snapshot: rt.Snapshot, Sections: []statusz.Section{redis}})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(h)
	defer page.Close()

	shot := filepath.Join(artifacts(t), "statusz-breaker-open.png")
	dom := runChromium(t, bin, "--window-size=1200,800", "--screenshot="+shot, "--dump-dom", page.URL)

	for _, want := range []string{
		`<tr data-host="` + backendHost + `" data-state="open">`,
		`<td class="state state-open">open</td>`,
		`<td>100.0 %</td>`,
		`breaker open: ` + backendHost,
		`<title>browser test · resilience status</title>`,
		`Fleet limit: Redis breaker open`,
		`<tr data-name="Redis breaker" class="bad"><td>Redis breaker</td><td class="value">open</td></tr>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page in the browser lacks %s; DOM:\n%s", want, dom)
		}
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		t.Errorf("screenshot %s is not a PNG image of a page (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot: %s", shot)
}

// TestBrowserShowsEjectedEndpoint loads the page of a stack that balances
// over three real loopback replicas, one of which answers 503 and has been
// ejected, and checks that the page the browser built shows it in the
// summary and the endpoint table.
func TestBrowserShowsEjectedEndpoint(t *testing.T) {
	bin := chromium(t)

	var eps []discovery.Endpoint
	for i := range 3 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if i == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		t.Cleanup(srv.Close)
		eps = append(eps, discovery.Endpoint{Addr: srv.Listener.Addr().String(), Zone: fmt.Sprint("zone-", i)})
	}
	users, err := discovery.NewStatic(eps...)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Off: true},
		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal",
			Policy:  balancer.RoundRobin,
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: 10 * time.Minute},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.CloseIdleConnections)
	client := &http.Client{Transport: rt}
	for range 9 {
		resp, err := client.Get("http://users.internal/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}

	h, err := statusz.New(statusz.Config{Title: "users client", Snapshot: rt.Snapshot})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(h)
	defer page.Close()
	shot := filepath.Join(artifacts(t), "statusz-endpoint-ejected.png")
	dom := runChromium(t, bin, "--window-size=1400,900", "--screenshot="+shot, "--dump-dom", page.URL)

	for _, want := range []string{
		`1 of 3 endpoint(s) ejected`,
		`<tr data-host="` + eps[1].Addr + `" data-ejected="true" data-healthy="true">`,
		`<tr data-host="` + eps[0].Addr + `" data-ejected="false" data-healthy="true">`,
		`<td>zone-1</td>`,
		`<span class="warn">ejected, back in `,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page in the browser lacks %s; DOM:\n%s", want, dom)
		}
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("no screenshot: %v", err)
	}
	t.Logf("screenshot: %s", shot)
}

// chromium finds a headless-capable Chromium, or skips the test; with
// CI=true a missing browser fails it instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium not found, and CI=true requires the browser test: install the Debian package chromium")
	}
	t.Skip("Chromium not found: install the Debian package chromium to run the browser test")
	return ""
}

// artifacts is where files worth keeping after the test go.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("RESILIENT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runChromium runs headless Chromium with args and returns its standard
// output, within 60 seconds. Chromium and every helper process it starts
// run in a process group of their own, killed as a whole on timeout and
// after Chromium exits, so that none outlives the test.
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args = append([]string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions",
		"--user-data-dir=" + t.TempDir(),
	}, args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // helpers that outlived it; ESRCH when none did
	}
	if err != nil {
		t.Fatalf("chromium %s: %v (timed out: %v)\nstderr:\n%s", strings.Join(args, " "), err, ctx.Err() != nil, lastLines(stderr.String(), 30))
	}
	return stdout.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
