package transport_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// capacityServer models a backend that serves at most capacity requests at
// once, each in service time; the rest wait in its own unbounded FIFO
// queue (as a thread-pool server does), and give up their place when the
// client does.
type capacityServer struct {
	slots   chan struct{}
	service time.Duration
	mu      sync.Mutex
	rnd     *rand.Rand
}

func newCapacityServer(capacity int, service time.Duration) *capacityServer {
	return &capacityServer{slots: make(chan struct{}, capacity), service: service, rnd: rand.New(rand.NewPCG(1, 2))}
}

// serviceTime is uniform in [service/2, 3·service/2]: real handlers vary.
func (s *capacityServer) serviceTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.service/2 + time.Duration(s.rnd.Int64N(int64(s.service)))
}

func (s *capacityServer) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case s.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-s.slots }()
	time.Sleep(s.serviceTime())
	if err := req.Context().Err(); err != nil {
		return nil, err // a real transport reports the deadline, not a late response
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}}, nil
}

type overloadResult struct {
	offered, ok int
	goodput     float64 // successful calls per second
	p50, p99    time.Duration
}

// offer sends rate calls per second through rt for d, open-loop, each with
// a caller deadline of timeout, and measures the successful ones.
func offer(rt http.RoundTripper, perSecond int, d, timeout time.Duration) overloadResult {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(perSecond)
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		n++
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://backend.test/", nil)
			t0 := time.Now()
			resp, err := rt.RoundTrip(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		})
		time.Sleep(interval)
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := overloadResult{offered: n, ok: len(lat), goodput: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r
}

// Offered 2.5x its capacity, a backend behind the adaptive limiter and the
// shallow queue keeps serving near capacity with latency close to its
// unloaded latency, while a plain client's goodput collapses and its
// latency explodes to the deadline. The queue's CoDel interval is set to
// about the backend's latency (20ms), as docs/overload.md recommends; the
// run with the queue's default 100ms interval is logged beside it.
func TestOverloadAdaptiveLimitKeepsGoodputAndLatency(t *testing.T) {
	const (
		capacity = 10
		service  = 20 * time.Millisecond                 // mean; uniform in [10ms, 30ms]
		maxRate  = int(capacity * time.Second / service) // 500/s
		run      = 6 * time.Second
		timeout  = time.Second
	)
	adaptiveRun := func(t *testing.T, q *queue.Config) (r overloadResult) {
		synctest.Test(t, func(t *testing.T) {
			rt := limited(t, transport.LimitConfig{
				Concurrency: &transport.ConcurrencyConfig{Algorithm: limiter.Gradient},
				Queue:       q,
			}, newCapacityServer(capacity, service))
			r = offer(rt, maxRate*5/2, run, timeout)
		})
		return r
	}
	var unloaded, plain overloadResult
	synctest.Test(t, func(t *testing.T) {
		unloaded = offer(newCapacityServer(capacity, service), maxRate/2, run, timeout)
	})
	synctest.Test(t, func(t *testing.T) {
		plain = offer(newCapacityServer(capacity, service), maxRate*5/2, run, timeout)
	})
	adaptive := adaptiveRun(t, &queue.Config{Interval: service})
	adaptiveDefaults := adaptiveRun(t, nil)
	for _, r := range []struct {
		name string
		r    overloadResult
	}{
		{"unloaded (0.5x)", unloaded},
		{"plain client, 2.5x", plain},
		{"gradient + queue (interval 20ms), 2.5x", adaptive},
		{"gradient + queue (defaults), 2.5x", adaptiveDefaults},
	} {
		t.Logf("%-40s offered %5d  ok %5d  goodput %4.0f/s = %3.0f%% of capacity  p50 %4dms  p99 %4dms",
			r.name, r.r.offered, r.r.ok, r.r.goodput, 100*r.r.goodput/float64(maxRate),
			r.r.p50.Milliseconds(), r.r.p99.Milliseconds())
	}
	if adaptive.goodput < 0.9*float64(maxRate) {
		t.Errorf("adaptive goodput %.0f/s, want >= 90%% of capacity %d/s", adaptive.goodput, maxRate)
	}
	if adaptive.p99 > 2*unloaded.p99 {
		t.Errorf("adaptive p99 %v, want within 2x the unloaded p99 %v", adaptive.p99, unloaded.p99)
	}
	if adaptiveDefaults.goodput < 0.9*float64(maxRate) || adaptiveDefaults.p99 > 4*unloaded.p99 {
		t.Errorf("adaptive with queue defaults: goodput %.0f/s, p99 %v; want >= 90%% and within 4x unloaded", adaptiveDefaults.goodput, adaptiveDefaults.p99)
	}
	if plain.p99 < 10*unloaded.p99 || plain.goodput > 0.5*float64(maxRate) {
		t.Errorf("plain: p99 %v, goodput %.0f/s: the scenario is not an overload", plain.p99, plain.goodput)
	}
}
