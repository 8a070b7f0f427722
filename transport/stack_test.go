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
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

func TestNewZeroConfigEndToEnd(t *testing.T) {
	inj, err := chaos.New(chaos.Config{Seed: 5, Phases: []chaos.Phase{{Name: "flaky", Reset: 0.1, Status: 0.1}}})
	mustNoErr(t, err)
	defer inj.Close()
	srv := newCountingServer(t, inj.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})))
	rt, err := transport.New(transport.Config{})
	mustNoErr(t, err)
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}
	ok := 0
	const calls = 200
	for range calls {
		resp, err := client.Get(srv.URL)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && string(body) == "ok" {
			ok++
		}
	}
	// 20 % of requests fail; retries under the default budget (20 % of
	// successes) recover nearly all of them.
	if ok < calls*95/100 {
		t.Fatalf("%d of %d calls succeeded through the default stack, want >= 95%%", ok, calls)
	}
	snap := rt.Snapshot()
	if len(snap.Breakers) != 1 || snap.Breakers[0].State != breaker.Closed || snap.Pool == nil || snap.Pool.Total.Reused == 0 {
		t.Fatalf("snapshot = %+v: want one closed breaker and pool reuse", snap)
	}
	if snap.RetryBudget <= 0 || snap.RetryBudget > backoff.DefaultBudgetConfig().MaxTokens {
		t.Fatalf("retry budget level %v out of (0, %v]", snap.RetryBudget, backoff.DefaultBudgetConfig().MaxTokens)
	}
	t.Logf("%d/%d ok; backend saw %d requests; pool %+v", ok, calls, srv.requests.Load(), snap.Pool.Total)
}

func TestNewSnapshotReportsHostLoad(t *testing.T) {
	rt, err := transport.New(transport.Config{
		Base:  okStub,
		Limit: transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{Limit: 7}, Throttle: &limiter.ThrottleConfig{}},
	})
	mustNoErr(t, err)
	if _, err := get(t, rt, "http://a.test/"); err != nil {
		t.Fatal(err)
	}
	snap := rt.Snapshot()
	if len(snap.Hosts) != 1 || snap.Hosts[0].Host != "a.test" || snap.Hosts[0].Limit != 7 || snap.Pool != nil {
		t.Fatalf("snapshot hosts = %+v, pool %v: want a.test with limit 7 and no pool of ours", snap.Hosts, snap.Pool)
	}
}

func TestNewValidation(t *testing.T) {
	cases := map[string]transport.Config{
		"negative total":           {Timeout: transport.TimeoutConfig{Total: -time.Second}},
		"negative attempt":         {Timeout: transport.TimeoutConfig{Attempt: -time.Second}},
		"attempt over total":       {Timeout: transport.TimeoutConfig{Attempt: 20 * time.Second, Total: 10 * time.Second}, Breaker: transport.BreakerConfig{Window: breaker.Window{Period: time.Minute}}},
		"breaker window too short": {Timeout: transport.TimeoutConfig{Attempt: 6 * time.Second}},
		"backoff exceeds total":    {Retry: transport.RetryConfig{MaxAttempts: 5, Backoff: backoff.Constant(5 * time.Second)}},
		"bad retry":                {Retry: transport.RetryConfig{MaxAttempts: -1}},
		"bad limit":                {Limit: transport.LimitConfig{MaxHosts: -1}},
	}
	for name, cfg := range cases {
		_, err := transport.New(cfg)
		if !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", name, err)
		}
	}
	_, err := transport.New(transport.Config{Breaker: transport.BreakerConfig{MaxKeys: -1}})
	if !errors.Is(err, breaker.ErrInvalidConfig) {
		t.Errorf("bad breaker: err = %v", err)
	}
	// The checks are about the stages that are on.
	if _, err := transport.New(transport.Config{Timeout: transport.TimeoutConfig{Attempt: 6 * time.Second}, Breaker: transport.BreakerConfig{Off: true}}); err != nil {
		t.Errorf("breaker off: %v", err)
	}
	if _, err := transport.New(transport.Config{Retry: transport.RetryConfig{MaxAttempts: 5, Backoff: backoff.Constant(5 * time.Second)}, Timeout: transport.TimeoutConfig{TotalOff: true}}); err != nil {
		t.Errorf("total timeout off: %v", err)
	}
	if _, err := transport.New(transport.Config{}); err != nil {
		t.Errorf("zero config: %v", err)
	}
}

// A hung attempt is cut by the attempt timeout and retried; the caller's
// deadline, sooner than the total timeout, wins.
func TestNewTimeoutsAndCallerDeadline(t *testing.T) {
	n := 0
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		n++
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	rt, err := transport.New(transport.Config{Base: base, Timeout: transport.TimeoutConfig{Attempt: 50 * time.Millisecond, Total: time.Hour},
		Retry: transport.RetryConfig{MaxAttempts: 3, Backoff: backoff.Constant(0)}})
	mustNoErr(t, err)
	_, err = get(t, rt, "http://h.test/")
	if !errors.Is(err, transport.ErrAttemptTimeout) || n != 3 {
		t.Fatalf("err = %v after %d attempts, want attempt timeouts after 3", err, n)
	}
	n = 0
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://h.test/", strings.NewReader(""))
	_, err = rt.RoundTrip(req)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, transport.ErrAttemptTimeout) || n != 1 {
		t.Fatalf("err = %v after %d attempts, want the caller's deadline after 1", err, n)
	}
}

// Hedging and coalescing plug into the assembled stack: identical
// concurrent GETs share one upstream call, and a stuck first attempt is
// hedged within the retry budget.
func TestNewWithHedgeAndCoalesce(t *testing.T) {
	var sent, stuck atomic.Int32
	release := make(chan struct{})
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		n := sent.Add(1)
		if n == 1 {
			stuck.Add(1)
			select { // the first attempt is stuck until cancelled
			case <-req.Context().Done():
				return nil, req.Context().Err()
			case <-release:
			}
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("ok"))}, nil
	})
	rt, err := transport.New(transport.Config{
		Base:     base,
		Hedge:    &transport.HedgeConfig{Delay: 20 * time.Millisecond},
		Coalesce: &transport.CoalesceConfig{},
	})
	mustNoErr(t, err)
	budget := rt.Snapshot().RetryBudget
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			resp, err := get(t, rt, "http://h.test/same")
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("got %v %v", resp, err)
			}
		})
	}
	wg.Wait()
	close(release)
	// Five callers, one shared call: its first attempt stuck, one hedge.
	if sent.Load() != 2 || stuck.Load() != 1 {
		t.Fatalf("%d upstream attempts, want 2 (one stuck, one hedge) for 5 coalesced callers", sent.Load())
	}
	// One token spent on the hedge; the call's success deposits 0.2 once
	// (Retry credits it, Hedge does not), plus a hair of time floor.
	if got := rt.Snapshot().RetryBudget; got < budget-1 || got > budget-0.75 {
		t.Fatalf("retry budget went from %v to %v, want one token spent on the hedge and 0.2 back", budget, got)
	}
}
