package transport_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// The callers-first figures of the defaults (transport.New with the zero
// Config), each against a backend model in a synctest bubble: virtual
// time, so a minute-long outage takes milliseconds and the figures do not
// depend on the machine. bench/ measures the same scenarios on loopback
// beside the peers.

// fault is what the model backend does to a request arriving at some
// time since the start.
type fault int

const (
	healthy   fault = iota
	down503         // 503, no Retry-After
	refused         // connection refused: an error, nothing sent
	throttled       // 429 with Retry-After: 1 (a brownout)
	quota           // served within a quota (200/s, a tenth of a second's burst), else 429 + Retry-After: 1
	flaky           // a seeded share of requests answered 503
)

// model is a backend with a fixed latency whose behaviour follows a
// schedule. It records every request's arrival.
type model struct {
	start    time.Time
	latency  time.Duration
	schedule func(since time.Duration) fault
	errShare float64 // for flaky
	lim      *rate.Limiter

	mu      sync.Mutex
	rng     *rand.Rand
	arrived []arrival
	quiet   time.Time // the last Retry-After sent runs out then
}

type arrival struct {
	at        time.Duration
	status    int  // 0 for refused
	intrusion bool // arrived while the client had been told to stay away
}

func newModel(schedule func(time.Duration) fault) *model {
	return &model{
		start: time.Now(), latency: 10 * time.Millisecond, schedule: schedule,
		lim: rate.NewLimiter(200, 20), rng: rand.New(rand.NewPCG(7, 11)),
	}
}

func (m *model) RoundTrip(req *http.Request) (*http.Response, error) {
	now := time.Now()
	since := now.Sub(m.start)
	f := m.schedule(since)
	m.mu.Lock()
	a := arrival{at: since, intrusion: now.Before(m.quiet)}
	status := http.StatusOK
	switch f {
	case down503:
		status = http.StatusServiceUnavailable
	case throttled:
		status = http.StatusTooManyRequests
	case quota:
		if !m.lim.AllowN(now, 1) {
			status = http.StatusTooManyRequests
		}
	case flaky:
		if m.rng.Float64() < m.errShare {
			status = http.StatusServiceUnavailable
		}
	}
	if f == refused {
		status = 0
	}
	a.status = status
	if status == http.StatusTooManyRequests {
		m.quiet = now.Add(time.Second)
	}
	m.arrived = append(m.arrived, a)
	m.mu.Unlock()
	if status == 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	t := time.NewTimer(m.latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	h := http.Header{}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
	}
	return &http.Response{StatusCode: status, Header: h, Body: http.NoBody, Request: req}, nil
}

// requests returns the arrivals in [from, to).
func (m *model) requests(from, to time.Duration) []arrival {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []arrival
	for _, a := range m.arrived {
		if a.at >= from && a.at < to {
			out = append(out, a)
		}
	}
	return out
}

// result is one call as its caller saw it.
type result struct {
	start, latency time.Duration
	ok             bool
}

// drive offers calls at ratePerSec, open loop, for d, each with its own
// deadline, through a client over rt, and waits for all of them.
func drive(rt http.RoundTripper, ratePerSec float64, d, deadline time.Duration) []result {
	client := &http.Client{Transport: rt}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / ratePerSec)
	var (
		mu  sync.Mutex
		out []result
		wg  sync.WaitGroup
	)
	for time.Since(start) < d {
		wg.Go(func() {
			r := callOnce(client, start, deadline)
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
		})
		time.Sleep(interval)
	}
	wg.Wait()
	slices.SortFunc(out, func(a, b result) int { return int(a.start - b.start) })
	return out
}

// driveClosed runs n callers back to back for d.
func driveClosed(rt http.RoundTripper, n int, d, deadline time.Duration) []result {
	client := &http.Client{Transport: rt}
	start := time.Now()
	var (
		mu  sync.Mutex
		out []result
		wg  sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			for time.Since(start) < d {
				r := callOnce(client, start, deadline)
				mu.Lock()
				out = append(out, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

func callOnce(client *http.Client, start time.Time, deadline time.Duration) result {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/item", nil)
	t0 := time.Now()
	resp, err := client.Do(req)
	r := result{start: t0.Sub(start), latency: time.Since(t0)}
	if err == nil {
		r.ok = resp.StatusCode == http.StatusOK
		_ = resp.Body.Close()
	}
	return r
}

// within returns the results that started in [from, to).
func within(rs []result, from, to time.Duration) []result {
	var out []result
	for _, r := range rs {
		if r.start >= from && r.start < to {
			out = append(out, r)
		}
	}
	return out
}

func successRate(rs []result) float64 {
	ok := 0
	for _, r := range rs {
		if r.ok {
			ok++
		}
	}
	return float64(ok) / float64(max(len(rs), 1))
}

// quantile returns the q-quantile of the latencies of rs (failed or not,
// as keep says).
func quantile(rs []result, q float64, keep func(result) bool) time.Duration {
	var lat []time.Duration
	for _, r := range rs {
		if keep(r) {
			lat = append(lat, r.latency)
		}
	}
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[min(len(lat)-1, int(q*float64(len(lat))))]
}

func anyResult(result) bool { return true }

// recovery returns the start of the first 100ms window, from `from` on,
// in which at least 95 % of the calls started succeeded.
func recovery(rs []result, from, end time.Duration) time.Duration {
	for w := from; w < end; w += 100 * time.Millisecond {
		if in := within(rs, w, w+100*time.Millisecond); len(in) > 0 && successRate(in) >= 0.95 {
			return w - from
		}
	}
	return end - from
}

func defaultStack(t *testing.T, base http.RoundTripper) *transport.Transport {
	t.Helper()
	tr, err := transport.New(transport.Config{Base: base})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestCallersFirstShortOutage: 1 s healthy, 3 s down (503, or connections
// refused), 6 s healthy, 100 calls/s with 2 s deadlines.
func TestCallersFirstShortOutage(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    fault
	}{{"503", down503}, {"refused", refused}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const outFrom, outTo, end = time.Second, 4 * time.Second, 10 * time.Second
				m := newModel(func(s time.Duration) fault {
					if s >= outFrom && s < outTo {
						return tc.f
					}
					return healthy
				})
				var (
					mu      sync.Mutex
					tripped time.Duration // since the start: the first trip
					changes []string
				)
				start := time.Now()
				tr, err := transport.New(transport.Config{Base: m, Hooks: transport.Hooks{
					OnBreakerStateChange: func(c breaker.StateChange) {
						mu.Lock()
						defer mu.Unlock()
						changes = append(changes, fmt.Sprintf("%.3fs %v", time.Since(start).Seconds(), c.To))
						if c.To == breaker.Open && tripped == 0 {
							tripped = time.Since(start)
						}
					},
				}})
				if err != nil {
					t.Fatal(err)
				}
				rs := drive(tr, 100, end, 2*time.Second)
				during, after := within(rs, outFrom, outTo), within(rs, outTo, end)
				sent := m.requests(outFrom, outTo)
				rec := recovery(rs, outTo, end)
				t.Logf("during: ok %.1f %%, %.2f requests per call; after: ok %.2f %%; recovered after %v",
					100*successRate(during), float64(len(sent))/float64(len(during)), 100*successRate(after), rec)
				if r := successRate(after); r < 0.995 {
					t.Errorf("success after recovery %.3f, want >= 0.995", r)
				}
				if rec > 500*time.Millisecond {
					t.Errorf("recovered after %v, want <= 0.5s", rec)
				}
				// go-retryablehttp's defaults (retries 1 s and 3 s later)
				// save the calls of the outage's last second: a third.
				// Ours save 55-65 % in most runs; when a probe fails just
				// before the outage ends (the jitter decides), the next
				// comes up to a second later, and the share falls to about
				// a third: the bound allows that run, not less.
				if r := successRate(during); r < 0.3 {
					t.Errorf("success during the outage %.3f, want about a third or more (go-retryablehttp's)", r)
				}
				if a := float64(len(sent)) / float64(len(during)); a > 0.35 {
					t.Errorf("%.2f requests per call during the outage, want <= 0.35", a)
				}
				// Once the breaker is open, no more than a probe per 250ms
				// (counted from the first break's end: requests in flight
				// at the trip come back within it).
				if tripped == 0 || tripped > outFrom+500*time.Millisecond {
					t.Fatalf("the breaker tripped %v into the run, want within 0.5 s of the outage's start", tripped)
				}
				from := tripped + 250*time.Millisecond
				late := m.requests(from, outTo)
				if limit := int((outTo-from)/(250*time.Millisecond)) + 1; len(late) > limit {
					var at []string
					for _, a := range late {
						at = append(at, fmt.Sprintf("%.3f/%d", a.at.Seconds(), a.status))
					}
					t.Errorf("%d requests reached the host in the %v after the trip, want <= %d (a probe per 250ms); breaker: %v; requests: %v",
						len(late), outTo-from, limit, changes, at)
				}
			})
		})
	}
}

// TestCallersFirstLongOutage: 60 s down, then healthy. After its first
// 10 s, calls fail at once (the outage has lasted five times their
// deadline), the host gets a probe per 2 s or so, and when it heals the
// next probe finds it within the break's 2 s cap: the callers are back
// within 2.5 s (with a 10 s cap it took up to 10 s; the report's 60 s
// outage measured 6.74 s against go-retryablehttp's 0.7 ms).
func TestCallersFirstLongOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const down = time.Minute
		m := newModel(func(since time.Duration) fault {
			if since < down {
				return down503
			}
			return healthy
		})
		rs := drive(defaultStack(t, m), 50, down+5*time.Second, 2*time.Second)
		late := within(rs, 10*time.Second, down)
		fast := 0
		for _, r := range late {
			if r.latency < 10*time.Millisecond {
				fast++
			}
		}
		probes := len(m.requests(10*time.Second, down))
		rec := sustainedRecovery(rs, down, down+5*time.Second)
		t.Logf("after 10 s: %d of %d calls failed in under 10ms; %d requests in 50 s; recovered %v after it healed", fast, len(late), probes, rec)
		if share := float64(fast) / float64(len(late)); share < 0.9 {
			t.Errorf("%.2f of the calls after 10 s failed in under 10ms, want >= 0.9", share)
		}
		if probes > 50 {
			t.Errorf("%d requests in the last 50 s, want <= 1 per second", probes)
		}
		if rec > 2500*time.Millisecond {
			t.Errorf("recovered %v after the outage ended, want <= 2.5s", rec)
		}
	})
}

// TestCallersFirstRandomErrors: a share of requests answered 503 at
// random, 200 calls/s for 10 s.
func TestCallersFirstRandomErrors(t *testing.T) {
	for _, tc := range []struct {
		share, minOK float64
	}{{0.3, 0.97}, {0.1, 0.999}} {
		synctest.Test(t, func(t *testing.T) {
			m := newModel(func(time.Duration) fault { return flaky })
			m.errShare = tc.share
			rs := drive(defaultStack(t, m), 200, 10*time.Second, 2*time.Second)
			ok, perCall := successRate(rs), float64(len(m.requests(0, time.Hour)))/float64(len(rs))
			p99 := quantile(rs, 0.99, anyResult)
			t.Logf("%.0f %% errors: ok %.2f %%, %.2f attempts per call, p99 %v", 100*tc.share, 100*ok, perCall, p99)
			if ok < tc.minOK {
				t.Errorf("%.0f %% errors: success %.4f, want >= %v", 100*tc.share, ok, tc.minOK)
			}
			if tc.share == 0.3 && (perCall > 1.45 || p99 > 300*time.Millisecond) {
				t.Errorf("30 %% errors: %.2f attempts per call, p99 %v; want <= 1.45 and <= 300ms", perCall, p99)
			}
		})
	}
}

// TestCallersFirstQuotaClosedLoop: 16 callers back to back for 30 s
// against a 200/s quota (429 + Retry-After: 1 beyond it), 10 s deadlines.
func TestCallersFirstQuotaClosedLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newModel(func(time.Duration) fault { return quota })
		rs := driveClosed(defaultStack(t, m), 16, 30*time.Second, 10*time.Second)
		sent := m.requests(0, time.Hour)
		var t429 int
		for _, a := range sent {
			if a.status == http.StatusTooManyRequests {
				t429++
			}
		}
		ok, share, p99 := successRate(rs), float64(t429)/float64(len(sent)), quantile(rs, 0.99, anyResult)
		t.Logf("%d calls: ok %.2f %%, %d of %d requests answered 429 (%.1f %%), p99 %v", len(rs), 100*ok, t429, len(sent), 100*share, p99)
		if ok < 0.99 || share > 0.02 || p99 > 1500*time.Millisecond {
			t.Errorf("ok %.3f, 429s %.3f, p99 %v: want >= 0.99, <= 0.02, <= 1.5s", ok, share, p99)
		}
	})
}

// TestCallersFirstQuotaOpenLoop: three times the quota offered, 2 s
// deadlines: the quota is used, and the calls that cannot be admitted in
// time fail at once, not at their deadline.
func TestCallersFirstQuotaOpenLoop(t *testing.T) {
	// Three runs: the property is the typical run's. In most, 100 % of
	// the quota is served and the failed calls' p50 is 0s; about one in
	// ten (the jitter of a slow start, the order of simultaneous events)
	// loses a gate cycle (94 %) or has a cut catch a deep queue of
	// waiters, who then fail late (p50 150-400ms). The median run must
	// use 95 % of the quota and every run 90 %; two runs of three must
	// fail fast.
	const runs, d = 3, 10 * time.Second
	fast := 0
	var goodputs []float64
	for range runs {
		synctest.Test(t, func(t *testing.T) {
			m := newModel(func(time.Duration) fault { return quota })
			rs := drive(defaultStack(t, m), 600, d, 2*time.Second)
			served := 0
			for _, a := range m.requests(0, d) {
				if a.status == http.StatusOK {
					served++
				}
			}
			goodput := float64(served) / (200 * d.Seconds())
			failedP50 := quantile(rs, 0.5, func(r result) bool { return !r.ok })
			failedP90 := quantile(rs, 0.9, func(r result) bool { return !r.ok })
			t.Logf("goodput %.1f %% of the quota; failed calls' p50 %v p90 %v", 100*goodput, failedP50, failedP90)
			goodputs = append(goodputs, goodput)
			if goodput < 0.9 {
				t.Errorf("goodput %.3f of the quota, want >= 0.9 in every run", goodput)
			}
			if failedP50 <= 10*time.Millisecond {
				fast++
			}
		})
	}
	slices.Sort(goodputs)
	if median := goodputs[len(goodputs)/2]; median < 0.95 {
		t.Errorf("median goodput %.3f of the quota, want >= 0.95", median)
	}
	if fast < runs-1 {
		t.Errorf("%d of %d runs failed their refused calls fast (p50 <= 10ms), want at least %d", fast, runs, runs-1)
	}
}

// TestCallersFirstBrownout: every request answered 429 + Retry-After: 1
// for 2 s: at most a request per Retry-After while told to stay away, and
// the calls that can wait it out succeed.
func TestCallersFirstBrownout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const from, to, end = time.Second, 3 * time.Second, 5 * time.Second
		m := newModel(func(s time.Duration) fault {
			if s >= from && s < to {
				return throttled
			}
			return healthy
		})
		rs := drive(defaultStack(t, m), 100, end, 2*time.Second)
		intrusions := 0
		for _, a := range m.requests(from, end) {
			if a.intrusion {
				intrusions++
			}
		}
		during := within(rs, from, to)
		okP50 := quantile(during, 0.5, anyResult)
		t.Logf("brownout: ok %.1f %%, p50 %v, %d requests while told to stay away; after: ok %.1f %%",
			100*successRate(during), okP50, intrusions, 100*successRate(within(rs, to, end)))
		if intrusions > 2 {
			t.Errorf("%d requests while told to stay away, want <= 2 (one per Retry-After)", intrusions)
		}
		// go-retryablehttp saves the calls of the brownout's last second
		// (its retry after Retry-After: 1): half of them.
		if r := successRate(during); r < 0.5 {
			t.Errorf("success during the brownout %.3f, want >= 0.5 (go-retryablehttp's)", r)
		}
	})
}

// TestCallersFirstQuotaLifts: a 200/s quota for 10 s, then none, callers
// offering twice the quota throughout (2 s deadlines). Once the server
// stops throttling, the rate learned under the quota must not hold the
// callers back for long: it is released (doubling, then lifted) after
// 4 s without a throttle. Before the release, the cubic took 5.7 s to
// let all the calls through.
func TestCallersFirstQuotaLifts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const lifted, end = 10 * time.Second, 20 * time.Second
		m := newModel(func(since time.Duration) fault {
			if since < lifted {
				return quota
			}
			return healthy
		})
		rs := drive(defaultStack(t, m), 400, end, 2*time.Second)
		rec := sustainedRecovery(rs, lifted, end)
		after := within(rs, lifted+5*time.Second, end)
		t.Logf("quota lifted at %v: sustained recovery after %v; %.2f %% of the calls from 5 s later succeed",
			lifted, rec, 100*successRate(after))
		if ok := successRate(after); ok < 0.995 || rec > 5*time.Second {
			t.Errorf("after the quota: recovery %v, ok %.3f: want <= 5s, >= 0.995", rec, ok)
		}
	})
}

// sustainedRecovery returns the start, from `from` on, of the 100ms
// windows in which at least 95 % of the calls started succeeded, every
// one of them until end.
func sustainedRecovery(rs []result, from, end time.Duration) time.Duration {
	last := from
	for w := from; w < end; w += 100 * time.Millisecond {
		if in := within(rs, w, w+100*time.Millisecond); len(in) > 0 && successRate(in) < 0.95 {
			last = w + 100*time.Millisecond
		}
	}
	return last - from
}

// TestCallersFirstQuotaAfterOutage: the demo's incident in virtual time —
// 2 s healthy, 4 s down (503), then a quota of 65 % of the offered rate
// for 4 s, then healthy, 200 calls/s with 2 s deadlines. The rates the
// adaptive rate measured while the breaker held the calls back must not
// hold it down once the breaker closes: before the curve's cap looked
// past them, the quota phase got 32–69 % of its calls through (a plain
// client gets the quota's 65 %) and the healthy phase after it 44–85 %;
// now the medians of five runs are 0.65–0.71 and 0.82–0.90.
func TestCallersFirstQuotaAfterOutage(t *testing.T) {
	var during, after []float64
	const runs = 5 // the median of five: one run in ten or so loses a gate cycle
	for range runs {
		synctest.Test(t, func(t *testing.T) {
			const healthyFor, downFor, quotaFor = 2 * time.Second, 4 * time.Second, 4 * time.Second
			start := healthyFor + downFor
			m := newModel(func(since time.Duration) fault {
				switch {
				case since < healthyFor:
					return healthy
				case since < start:
					return down503
				case since < start+quotaFor:
					return quota
				}
				return healthy
			})
			m.lim = rate.NewLimiter(130, 13)
			rs := drive(defaultStack(t, m), 200, start+quotaFor+4*time.Second, 2*time.Second)
			during = append(during, successRate(within(rs, start, start+quotaFor)))
			after = append(after, successRate(within(rs, start+quotaFor, start+quotaFor+4*time.Second)))
		})
	}
	t.Logf("quota phase ok %.3f, healthy after it %.3f (%d runs)", during, after, runs)
	slices.Sort(during)
	slices.Sort(after)
	if during[runs/2] < 0.62 || after[runs/2] < 0.75 {
		t.Errorf("median ok: quota phase %.3f (want >= 0.62; a plain client gets 0.65), after it %.3f (want >= 0.75)", during[runs/2], after[runs/2])
	}
}
