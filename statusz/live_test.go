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

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
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
		Base:  base(in),
		Retry: transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{
			MinThroughput: 5, BreakDuration: 10 * time.Minute,
		},
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

// The page follows a stack that balances over three replicas, one of
// which fails: the balancer ejects it, and the page says so, in the
// summary, the endpoint table and the JSON.
func TestLiveBalancedStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bad = "10.0.0.2:8080"
		users, err := discovery.NewStatic(
			discovery.Endpoint{Addr: "10.0.0.1:8080", Zone: "a"},
			discovery.Endpoint{Addr: bad, Zone: "b"},
			discovery.Endpoint{Addr: "10.0.0.3:8080", Zone: "c"},
		)
		if err != nil {
			t.Fatal(err)
		}
		// Balance sends each attempt to its replica's address: the base
		// sees it as the URL's host.
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			status := http.StatusOK
			if req.URL.Host == bad {
				status = http.StatusServiceUnavailable
			}
			return &http.Response{StatusCode: status, Body: http.NoBody, Request: req}, nil
		})
		rt, err := transport.New(transport.Config{
			Base:  base,
			Retry: transport.RetryConfig{Off: true},
			Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal",
				Policy:  balancer.RoundRobin,
				Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: time.Minute},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		h, err := statusz.New(statusz.Config{Snapshot: rt.Snapshot, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		if body := get(h, "/").Body.String(); !strings.Contains(body, "no endpoint ejected") {
			t.Error("a fresh balanced stack's summary does not say that no endpoint is ejected")
		}
		client := &http.Client{Transport: rt}
		for range 12 {
			resp, err := client.Get("http://users.internal/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}

		var st statusz.Status
		if err := json.Unmarshal(get(h, "/?format=json").Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Endpoints) != 3 {
			t.Fatalf("endpoints = %+v, want 3", st.Endpoints)
		}
		var served uint64
		for _, e := range st.Endpoints {
			if e.Addr != bad {
				if e.Ejected || e.Failures != 0 || !e.Healthy {
					t.Errorf("good endpoint %+v: want in rotation, no failure, healthy", e)
				}
				served += e.Successes
				continue
			}
			if !e.Ejected || e.Failures != 3 || e.Successes != 0 || e.FailureRatio != 1 || e.TimesEjected != 1 || e.Zone != "b" {
				t.Errorf("bad endpoint %+v: want ejected once after 3 failures, failure ratio 1, zone b", e)
			}
			// An ejection lasts BaseEjection plus up to 10 % of jitter.
			if until := time.Until(e.EjectedUntil); until < time.Minute || until > 66*time.Second {
				t.Errorf("ejected for %v more, want 1m to 1m6s", until)
			}
		}
		if served != 12-3 {
			t.Errorf("good endpoints served %d calls, want 9", served)
		}
		body := get(h, "/").Body.String()
		if want := `<p id="summary" class="summary bad">1 of 3 endpoint(s) ejected</p>`; !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
		if r := row(t, body, "endpoints", bad); !strings.Contains(r, `data-ejected="true"`) || !strings.Contains(r, "ejected, back in 1m") {
			t.Errorf("bad endpoint row = %s, want ejected, back in 1m…", r)
		}
	})
}
