package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
)

// balReplica is one real loopback server of a service.
type balReplica struct {
	addr string
	hits atomic.Int64

	mu    sync.Mutex
	calls map[string]int // X-Call header -> requests received
}

// balStartReplicas starts n loopback servers; faults[i], when set, wraps
// replica i's handler (below the hit counter, so faulty answers count).
func balStartReplicas(t *testing.T, n int, faults map[int]chaos.Phase) []*balReplica {
	t.Helper()
	reps := make([]*balReplica, n)
	for i := range reps {
		r := &balReplica{calls: map[string]int{}}
		name := fmt.Sprintf("replica-%d", i)
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			_, _ = io.WriteString(w, name)
		})
		if ph, ok := faults[i]; ok {
			in, err := chaos.New(chaos.Config{Seed: uint64(i + 1), Phases: []chaos.Phase{ph}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(in.Close)
			h = in.Handler(h)
		}
		inner := h
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			r.hits.Add(1)
			if id := req.Header.Get("X-Call"); id != "" {
				r.mu.Lock()
				r.calls[id]++
				r.mu.Unlock()
			}
			inner.ServeHTTP(w, req)
		}))
		t.Cleanup(srv.Close)
		r.addr = srv.Listener.Addr().String()
		reps[i] = r
	}
	return reps
}

func balEndpoints(reps []*balReplica) []discovery.Endpoint {
	eps := make([]discovery.Endpoint, len(reps))
	for i, r := range reps {
		eps[i].Addr = r.addr
	}
	return eps
}

// balNoWait retries at once: the tests measure where retries go, not when.
type balNoWait struct{}

func (balNoWait) Backoff(int) time.Duration { return 0 }

// balClient builds BalanceCall → Retry → Balance over a fresh
// connection pool, for the logical host "svc".
func balClient(t *testing.T, bal *balancer.Balancer, attempts int) *http.Client {
	t.Helper()
	retry, err := transport.Retry(transport.RetryConfig{MaxAttempts: attempts, Backoff: balNoWait{}, Budget: backoff.Unlimited()})
	if err != nil {
		t.Fatal(err)
	}
	balance, err := transport.Balance(transport.BalanceConfig{Balancer: bal, Host: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	base := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Transport: transport.Chain(base, transport.BalanceCall(), retry, balance), Timeout: 10 * time.Second}
}

// balGet makes one call and returns its status and body.
func balGet(c *http.Client, callID string) (int, string, error) {
	req, _ := http.NewRequest("GET", "http://svc/", nil)
	if callID != "" {
		req.Header.Set("X-Call", callID)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func balOver(t *testing.T, cfg balancer.Config, reps []*balReplica) *balancer.Balancer {
	t.Helper()
	res, err := discovery.NewStatic(balEndpoints(reps)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := balancer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.Follow(res)
	return b
}

// A replica that answers 503 is ejected after ConsecutiveFailures and
// gets no more traffic; every call succeeds (its retry goes elsewhere).
// Peak EWMA runs under concurrent load (one call after another it would
// send everything to the replica that answered fastest, and might not
// pick the bad one three times); round robin runs sequentially.
func TestBalanceLoopbackEjectsAFailingReplica(t *testing.T) {
	for _, tc := range []struct {
		policy  balancer.Policy
		workers int
	}{{balancer.PeakEWMA, 8}, {balancer.RoundRobin, 1}} {
		reps := balStartReplicas(t, 3, map[int]chaos.Phase{1: {Status: 1}})
		var ejected []balancer.Ejection
		var mu sync.Mutex
		bal := balOver(t, balancer.Config{
			Policy:  tc.policy,
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: time.Minute},
			Hooks: balancer.Hooks{OnEject: func(e balancer.Ejection) {
				mu.Lock()
				ejected = append(ejected, e)
				mu.Unlock()
			}},
		}, reps)
		c := balClient(t, bal, 3)
		const calls = 600
		var wg sync.WaitGroup
		for range tc.workers {
			wg.Go(func() {
				for range calls / tc.workers {
					if code, _, err := balGet(c, ""); err != nil || code != 200 {
						t.Errorf("%v: call: %d, %v", tc.policy, code, err)
						return
					}
				}
			})
		}
		wg.Wait()
		mu.Lock()
		if len(ejected) != 1 || ejected[0].Addr != reps[1].addr {
			t.Fatalf("%v: ejections %+v, want the failing replica", tc.policy, ejected)
		}
		mu.Unlock()
		// The three failures that ejected it, and at most one request per
		// other caller already on its way.
		if n := reps[1].hits.Load(); n < 3 || n > int64(2+tc.workers) {
			t.Fatalf("%v: failing replica got %d requests, want 3 to %d", tc.policy, n, 2+tc.workers)
		}
		for _, st := range bal.Endpoints() {
			if (st.Endpoint.Addr == reps[1].addr) != st.Ejected() {
				t.Fatalf("%v: stats %+v", tc.policy, st)
			}
		}
		t.Logf("%v: failing replica ejected after %d requests; healthy ones served %d and %d",
			tc.policy, reps[1].hits.Load(), reps[0].hits.Load(), reps[2].hits.Load())
	}
}

// balSlowShare runs calls from workers at once and returns the slow replica's
// share of the requests.
func balSlowShare(t *testing.T, policy balancer.Policy) float64 {
	fast := chaos.Phase{Latency: chaos.Latency{P: 1, Dist: chaos.Fixed(2 * time.Millisecond)}}
	slow := chaos.Phase{Latency: chaos.Latency{P: 1, Dist: chaos.Fixed(20 * time.Millisecond)}}
	reps := balStartReplicas(t, 3, map[int]chaos.Phase{0: fast, 1: fast, 2: slow})
	bal := balOver(t, balancer.Config{Policy: policy}, reps)
	c := balClient(t, bal, 1)
	const workers, calls = 8, 60
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range calls {
				if code, _, err := balGet(c, ""); err != nil || code != 200 {
					t.Errorf("call: %d, %v", code, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(reps[2].hits.Load()) / (workers * calls)
}

// With Peak EWMA a replica ten times slower than its peers gets a small
// share; round robin gives it a third.
func TestBalanceLoopbackPeakEWMAStarvesASlowReplica(t *testing.T) {
	ewma := balSlowShare(t, balancer.PeakEWMA)
	rr := balSlowShare(t, balancer.RoundRobin)
	t.Logf("share of a replica 10x slower (20ms vs 2ms), 8 concurrent callers: Peak EWMA %.1f%%, round robin %.1f%%", 100*ewma, 100*rr)
	// On a quiet machine the share is 2–6 %; on a loaded one the fast
	// replicas' 2ms stretch with scheduling delays and it grows (12.5 %
	// seen with the whole suite running three times over on 2 cores), so
	// the bound is loose: well under round robin's third.
	if ewma > 0.20 {
		t.Fatalf("Peak EWMA sent %.1f%% of calls to the slow replica, want < 20%%", 100*ewma)
	}
	if rr < 0.25 {
		t.Fatalf("round robin sent %.1f%% to the slow replica, want about a third", 100*rr)
	}
}

// When most replicas are ejected the panic threshold keeps all of them in
// use; with DisablePanic only the good one is.
func TestBalanceLoopbackPanicThreshold(t *testing.T) {
	for _, disable := range []bool{false, true} {
		bad := chaos.Phase{Status: 1}
		reps := balStartReplicas(t, 4, map[int]chaos.Phase{0: bad, 1: bad, 2: bad})
		bal := balOver(t, balancer.Config{
			DisablePanic: disable,
			Outlier:      balancer.OutlierConfig{ConsecutiveFailures: 1, MaxEjectionPercent: 100, BaseEjection: time.Minute},
		}, reps)
		c := balClient(t, bal, 4)
		for i := range 100 {
			if code, _, err := balGet(c, ""); err != nil || code != 200 {
				t.Fatalf("panic disabled %v: call %d: %d, %v", disable, i, code, err)
			}
		}
		ejected, badHits := 0, int64(0)
		for _, st := range bal.Endpoints() {
			if st.Ejected() {
				ejected++
			}
		}
		for _, r := range reps[:3] {
			badHits += r.hits.Load()
		}
		if ejected != 3 {
			t.Fatalf("panic disabled %v: %d ejected, want 3", disable, ejected)
		}
		if disable && badHits != 3 {
			t.Fatalf("without panic the bad replicas got %d requests, want the 3 that ejected them", badHits)
		}
		if !disable && badHits < 30 {
			t.Fatalf("in panic the bad replicas got %d requests: not all replicas are in use", badHits)
		}
		t.Logf("panic disabled %v: bad replicas got %d requests, the good one %d, every call succeeded", disable, badHits, reps[3].hits.Load())
	}
}

// Endpoint sets change under concurrent load and no call is lost.
func TestBalanceLoopbackSetChangesUnderLoadLoseNoCall(t *testing.T) {
	reps := balStartReplicas(t, 4, nil)
	all := balEndpoints(reps)
	res, err := discovery.NewStatic(all...)
	if err != nil {
		t.Fatal(err)
	}
	balance, err := transport.Balance(transport.BalanceConfig{Resolver: res, Host: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	base := &http.Transport{MaxIdleConnsPerHost: 64}
	defer base.CloseIdleConnections()
	c := &http.Client{Transport: transport.Chain(base, balance)}

	var done, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _, err := balGet(c, ""); err != nil || code != 200 {
					failed.Add(1)
					t.Errorf("call: %d, %v", code, err)
				}
				done.Add(1)
			}
		})
	}
	sets := [][]discovery.Endpoint{all[:1], all[1:3], all, all[2:], {all[3], all[0]}}
	for i := range 60 {
		// Let a few calls through between swaps, so that swaps land
		// among calls in flight.
		for target := done.Load() + 5; done.Load() < target; {
			if failed.Load() > 0 {
				break
			}
		}
		if err := res.Update(sets[i%len(sets)]); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	total := int64(0)
	for _, r := range reps {
		if r.hits.Load() == 0 {
			t.Errorf("balReplica %s never used", r.addr)
		}
		total += r.hits.Load()
	}
	if failed.Load() != 0 || total != done.Load() {
		t.Fatalf("%d calls, %d failed, %d requests served", done.Load(), failed.Load(), total)
	}
	t.Logf("%d calls over 60 set changes, none lost", done.Load())
}

// A retry after a failure lands on another replica. Least outstanding
// with one call at a time sees ties only, so without the call's memory a
// retry would go back to the replica that just failed one time in three;
// ejection is off, so that only the memory keeps it away.
func TestBalanceLoopbackRetryGoesToAnotherReplica(t *testing.T) {
	reps := balStartReplicas(t, 3, map[int]chaos.Phase{0: {Reset: 1}})
	bal := balOver(t, balancer.Config{Policy: balancer.LeastOutstanding, Outlier: balancer.OutlierConfig{Disable: true}}, reps)
	c := balClient(t, bal, 2)
	for i := range 60 {
		if code, _, err := balGet(c, fmt.Sprint(i)); err != nil || code != 200 {
			t.Fatalf("call %d: %d, %v", i, code, err)
		}
	}
	if n := reps[0].hits.Load(); n < 5 {
		t.Fatalf("the resetting replica got %d first attempts: the test proves nothing", n)
	}
	for _, r := range reps {
		r.mu.Lock()
		for id, n := range r.calls {
			if n > 1 {
				t.Errorf("call %s reached %s %d times", id, r.addr, n)
			}
		}
		r.mu.Unlock()
	}
	t.Logf("%d of 60 calls met the resetting replica first and were retried elsewhere", reps[0].hits.Load())
}

// A replica that fails half its calls is ejected by the failure-ratio
// rule at the end of the first Interval that saw enough calls.
func TestBalanceLoopbackFailureRatioEjectsWithinTheWindow(t *testing.T) {
	reps := balStartReplicas(t, 3, map[int]chaos.Phase{1: {Status: 0.5}})
	const interval = 200 * time.Millisecond
	ejected := make(chan balancer.Ejection, 4)
	bal := balOver(t, balancer.Config{
		Policy: balancer.LeastOutstanding,
		Outlier: balancer.OutlierConfig{
			ConsecutiveFailures: -1, FailureRatio: 0.3, MinRequests: 10, Interval: interval, BaseEjection: time.Minute,
		},
		Hooks: balancer.Hooks{OnEject: func(e balancer.Ejection) { ejected <- e }},
	}, reps)
	c := balClient(t, bal, 3)
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _, err := balGet(c, ""); err != nil || code != 200 {
					t.Errorf("call: %d, %v", code, err)
					return
				}
			}
		})
	}
	var e balancer.Ejection
	select {
	case e = <-ejected:
	case <-time.After(10 * time.Second):
	}
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if e.Addr != reps[1].addr || e.Reason != balancer.ReasonFailureRatio {
		t.Fatalf("ejection %+v after %v, want the half-failing replica by failure ratio", e, took)
	}
	// Wide margin for a loaded machine: the rule can fire only once an
	// interval has passed, and should within a few.
	if took < interval/2 || took > 5*interval+time.Second {
		t.Fatalf("ejected after %v, want about one %v interval", took, interval)
	}
	t.Logf("half-failing replica ejected after %v (interval %v)", took.Round(time.Millisecond), interval)
}
