package statusz_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// openBreaker sends calls through rt until the breaker of the backend
// refuses one, failing the test if it never does.
func openBreaker(t *testing.T, client *http.Client, url string) {
	t.Helper()
	for range 50 {
		resp, err := client.Get(url)
		if errors.Is(err, breaker.ErrOpen) {
			return
		}
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
			_ = resp.Body.Close()
		}
	}
	t.Fatal("the breaker never opened")
}

// failingStack is the stack under a chaos outage (every request a 503),
// with a breaker that trips after 5 calls and stays open long enough for
// anyone to look.
func failingStack(t *testing.T, base func(*chaos.Injector) http.RoundTripper) *transport.Transport {
	t.Helper()
	in, err := chaos.New(chaos.Config{Seed: 9, Phases: []chaos.Phase{{Name: "outage", Status: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
	rt, err := transport.New(transport.Config{
		Base:         base(in),
		DisableRetry: true,
		Breaker: transport.BreakerConfig{Group: breaker.GroupConfig{
			Breaker: breaker.Config{MinThroughput: 5, BreakDuration: 10 * time.Minute},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.CloseIdleConnections)
	return rt
}

// The page follows a live stack: closed and quiet, then open once the
// chaos outage trips the breaker.
func TestLiveStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := failingStack(t, func(in *chaos.Injector) http.RoundTripper { return in.RoundTripper(okBackend) })
		h, err := statusz.New(statusz.Config{Snapshot: rt.Snapshot})
		if err != nil {
			t.Fatal(err)
		}
		if body := get(h, "/").Body.String(); !strings.Contains(body, "No breaker yet") {
			t.Error("a fresh stack's page does not say that there is no breaker yet")
		}
		openBreaker(t, &http.Client{Transport: rt}, "http://backend.test/")

		var st statusz.Status
		if err := json.Unmarshal(get(h, "/?format=json").Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Breakers) != 1 || st.Breakers[0].Host != "backend.test" || st.Breakers[0].State != "open" ||
			st.Breakers[0].FailureRate != 1 || st.Breakers[0].Trips != 1 || st.Breakers[0].Rejected != 1 {
			t.Errorf("breakers = %+v, want backend.test open, failure rate 1, 1 trip, 1 rejected", st.Breakers)
		}
		if want := time.Now().Add(10 * time.Minute); !st.Breakers[0].OpenUntil.Equal(want) {
			t.Errorf("open until %v, want %v", st.Breakers[0].OpenUntil, want)
		}
		r := row(t, get(h, "/").Body.String(), "breakers", "backend.test")
		if !strings.Contains(r, `data-state="open"`) || !strings.Contains(r, "<td>100.0 %</td>") || !strings.Contains(r, "<td>in 10m0s</td>") {
			t.Errorf("breaker row = %s, want open, 100.0 %%, in 10m0s", r)
		}
	})
}

// okBackend answers 200 to whatever the chaos lets through.
var okBackend = transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
})
