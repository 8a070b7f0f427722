package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
)

// guarded builds a Breaker middleware over base and returns it with its
// group, for inspection.
func guarded(t testing.TB, cfg breaker.GroupConfig, base http.RoundTripper, mws ...transport.Middleware) (http.RoundTripper, *breaker.Group) {
	t.Helper()
	group, err := breaker.NewGroup(cfg)
	mustNoErr(t, err)
	mw, err := transport.Breaker(transport.BreakerConfig{Group: group})
	mustNoErr(t, err)
	return transport.Chain(base, append(mws, mw)...), group
}

func get(t testing.TB, rt http.RoundTripper, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	mustNoErr(t, err)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// A chaos backend goes into an outage and recovers. The breaker opens
// within its window, fails fast while open (no request reaches the
// backend), probes when the break is over, and closes after recovery.
func TestBreakerOutageAndRecoveryOverChaos(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			healthy = 3 * time.Second
			outage  = 6 * time.Second
			period  = 2 * time.Second // the breaker's window
			brk     = 1 * time.Second // its break
		)
		inj, err := chaos.New(chaos.Config{Seed: 1, Phases: []chaos.Phase{
			{Name: "healthy", Duration: healthy},
			{Name: "outage", Duration: outage, Status: 1},
			{Name: "recovered"},
		}})
		mustNoErr(t, err)
		defer inj.Close()
		// Notifications may arrive out of order (the open -> half-open
		// one comes from a timer); their Generation orders them.
		changes := map[uint64]string{}
		var mu sync.Mutex
		rt, group := guarded(t, breaker.GroupConfig{
			Breaker: breaker.Config{
				MinThroughput: 10,
				Window:        breaker.Window{Period: period, Buckets: 10},
				BreakDuration: brk,
			},
			OnStateChange: func(c breaker.StateChange) {
				mu.Lock()
				defer mu.Unlock()
				changes[c.Generation] = c.From.String() + "->" + c.To.String()
			},
		}, inj.RoundTripper(okStub))

		start := time.Now()
		var openedAt time.Time
		var rejected, passedWhileOpen int
		for time.Since(start) < healthy+outage+3*time.Second {
			before := inj.Stats().Requests
			_, err := get(t, rt, "http://backend.test/")
			switch {
			case errors.Is(err, breaker.ErrOpen):
				rejected++
				if inj.Stats().Requests != before {
					passedWhileOpen++
				}
				if openedAt.IsZero() {
					openedAt = time.Now()
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			time.Sleep(20 * time.Millisecond) // 50 calls/s of fake time
		}
		if openedAt.IsZero() {
			t.Fatal("breaker never opened during the outage")
		}
		if lag := openedAt.Sub(start.Add(healthy)); lag > period {
			t.Errorf("breaker opened %v into the outage, want within its %v window", lag, period)
		}
		if passedWhileOpen != 0 {
			t.Errorf("%d rejected calls still reached the backend", passedWhileOpen)
		}
		if got := group.Get("backend.test").State(); got != breaker.Closed {
			t.Errorf("state after recovery = %v, want closed", got)
		}
		mu.Lock()
		defer mu.Unlock()
		var ordered []string
		for g := uint64(1); g <= uint64(len(changes)); g++ {
			ordered = append(ordered, changes[g])
		}
		seq := strings.Join(ordered, " ")
		if !strings.HasPrefix(seq, "closed->open open->half-open") || !strings.HasSuffix(seq, "half-open->closed") {
			t.Errorf("transitions = %q: want open, probes, and closed at the end", seq)
		}
		// Probes during the outage re-open it: at least one half-open->open.
		if !strings.Contains(seq, "half-open->open") {
			t.Errorf("transitions = %q: no failed probe during a 6s outage with a 1s break", seq)
		}
		t.Logf("rejected %d calls; transitions: %s", rejected, seq)
	})
}

func TestBreakerOpenFailsFastWithoutTouchingNetworkOrBody(t *testing.T) {
	var sent atomic.Int64
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		sent.Add(1)
		return &http.Response{StatusCode: 503, Body: http.NoBody, Header: http.Header{}}, nil
	})
	rt, _ := guarded(t, breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 3}}, base)
	for range 3 {
		if _, err := get(t, rt, "http://api.test:8080/x"); err != nil {
			t.Fatal(err)
		}
	}
	body := &trackedBody{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequest("PUT", "http://api.test:8080/x", body)
	_, err := rt.RoundTrip(req)
	var oe *breaker.OpenError
	if !errors.Is(err, breaker.ErrOpen) || !errors.As(err, &oe) || !transport.NotSent(err) {
		t.Fatalf("err = %v: want a *breaker.OpenError matching ErrOpen and NotSent", err)
	}
	if !strings.Contains(err.Error(), "api.test:8080") || oe.RetryAt.IsZero() {
		t.Fatalf("err %q does not name the host, or RetryAt %v is unset", err, oe.RetryAt)
	}
	if sent.Load() != 3 {
		t.Fatalf("backend saw %d requests, want 3 (none once open)", sent.Load())
	}
	if !body.closed.Load() {
		t.Fatal("request body of a rejected request not closed")
	}
	if rest, _ := io.ReadAll(body); string(rest) != "payload" {
		t.Fatalf("rejected request body was read: %q left", rest)
	}
}

func TestBreakerClassification(t *testing.T) {
	cases := []struct {
		name  string
		step  step
		trips bool
	}{
		{"5xx", step{status: 500}, true},
		{"503", step{status: 503}, true},
		{"429 (pushback, not breakage)", step{status: 429}, false},
		{"reset", step{err: errReset}, true},
		{"timeout", step{err: context.DeadlineExceeded}, true},
		{"404", step{status: 404}, false},
		{"400", step{status: 400}, false},
		{"501", step{status: 501}, false},
	}
	for _, c := range cases {
		rt, group := guarded(t, breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 2}}, &script{steps: []step{c.step}})
		get(t, rt, "http://h.test/")
		get(t, rt, "http://h.test/")
		if got := group.Get("h.test").State() == breaker.Open; got != c.trips {
			t.Errorf("%s: opened = %v, want %v", c.name, got, c.trips)
		}
	}

	// The caller's cancellation counts neither way.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rt, group := guarded(t, breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 1}}, &script{steps: []step{{err: context.Canceled}}})
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://h.test/", nil)
	_, _ = rt.RoundTrip(req)
	if snap := group.Get("h.test").Snapshot(); snap.State != breaker.Closed || snap.Failures != 0 {
		t.Errorf("caller cancel: state %v with %d failures, want closed with none", snap.State, snap.Failures)
	}
}

func TestBreakerPerHost(t *testing.T) {
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		code := 200
		if req.URL.Host == "bad.test" {
			code = 503
		}
		return &http.Response{StatusCode: code, Body: http.NoBody, Header: http.Header{}}, nil
	})
	rt, group := guarded(t, breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 2}}, base)
	for range 3 {
		get(t, rt, "http://bad.test/")
		if _, err := get(t, rt, "http://good.test/"); err != nil {
			t.Fatalf("good host failed: %v", err)
		}
	}
	if group.Get("bad.test").State() != breaker.Open || group.Get("good.test").State() != breaker.Closed {
		t.Fatalf("bad %v good %v, want open and closed", group.Get("bad.test").State(), group.Get("good.test").State())
	}
}

// Inside Retry, an open breaker fails the call at once: no backoff wait,
// no budget spent, one attempt.
func TestBreakerInsideRetryFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		budget, err := backoff.NewBudget(backoff.BudgetConfig{NoFloor: true})
		mustNoErr(t, err)
		var attempts int
		retry, err := transport.Retry(transport.RetryConfig{
			Backoff: backoff.Constant(time.Second),
			Budget:  budget,
			Hooks:   transport.RetryHooks{OnAttempt: func(transport.RetryEvent) { attempts++ }},
		})
		mustNoErr(t, err)
		s := &script{steps: []step{{err: errReset}}}
		rt, group := guarded(t, breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 1, BreakDuration: time.Minute}}, s, retry)
		b := group.Get("h.test")
		// Trip it.
		p, err := b.Allow()
		mustNoErr(t, err)
		p.Failure()
		if b.State() != breaker.Open {
			t.Fatal("setup: breaker not open")
		}
		tokens := budget.Available()
		start := time.Now()
		_, err = get(t, rt, "http://h.test/")
		if !errors.Is(err, breaker.ErrOpen) || time.Since(start) != 0 || attempts != 1 || s.Calls() != 0 {
			t.Fatalf("err=%v after %v, %d attempts, %d sent: want ErrOpen at once after 1 attempt, none sent",
				err, time.Since(start), attempts, s.Calls())
		}
		if budget.Available() != tokens {
			t.Fatalf("budget went from %v to %v", tokens, budget.Available())
		}
	})
}

// With ObserveBody, a body that fails mid-read is a failure.
func TestBreakerObserveBodyCountsTruncatedBodies(t *testing.T) {
	inj, err := chaos.New(chaos.Config{Seed: 1, Phases: []chaos.Phase{{Truncate: 1}}})
	mustNoErr(t, err)
	defer inj.Close()
	body := stubFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: 100,
			Body: io.NopCloser(strings.NewReader(strings.Repeat("x", 100)))}, nil
	})
	for _, observe := range []bool{false, true} {
		group, err := breaker.NewGroup(breaker.GroupConfig{Breaker: breaker.Config{ConsecutiveFailures: 2}})
		mustNoErr(t, err)
		mw, err := transport.Breaker(transport.BreakerConfig{Group: group, ObserveBody: observe})
		mustNoErr(t, err)
		rt := transport.Chain(inj.RoundTripper(body), mw)
		for range 2 {
			resp, err := rt.RoundTrip(httpGet(t, "http://h.test/"))
			mustNoErr(t, err)
			if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("read err = %v, want unexpected EOF", err)
			}
			resp.Body.Close()
		}
		if opened := group.Get("h.test").State() == breaker.Open; opened != observe {
			t.Errorf("ObserveBody=%v: opened = %v", observe, opened)
		}
	}
}

func httpGet(t testing.TB, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	mustNoErr(t, err)
	return req
}

func TestBreakerConfigErrors(t *testing.T) {
	_, err := transport.Breaker(transport.BreakerConfig{MaxKeys: -1})
	if !errors.Is(err, breaker.ErrInvalidConfig) {
		t.Fatalf("err = %v, want breaker.ErrInvalidConfig", err)
	}
}
