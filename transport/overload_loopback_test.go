package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// The overload scenario on a real loopback server: capacity C concurrent
// requests (a semaphore in the handler), each served in about 20ms, offered
// 2.5x. Real time on a shared machine is noisy, so this test asserts only
// what holds by a wide margin (the plain client's latency explodes, the
// limited one's does not, and it keeps serving); the exact ratios are
// asserted by the synctest model in overload_test.go.
func TestOverloadLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time scenario")
	}
	const (
		capacity = 8
		service  = 20 * time.Millisecond
		maxRate  = int(capacity * time.Second / service) // 400/s
		run      = 1500 * time.Millisecond
		timeout  = time.Second
	)
	newServer := func() *httptest.Server {
		slots := make(chan struct{}, capacity)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case slots <- struct{}{}:
			case <-r.Context().Done():
				return
			}
			defer func() { <-slots }()
			time.Sleep(service)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	drive := func(rt http.RoundTripper, url string) overloadResult {
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / time.Duration(maxRate*5/2))
		defer tick.Stop()
		start := time.Now()
		n := 0
		for time.Since(start) < run {
			<-tick.C
			n++
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				t0 := time.Now()
				resp, err := rt.RoundTrip(req)
				if err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					lat = append(lat, time.Since(t0))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(lat)
		r := overloadResult{offered: n, ok: len(lat), goodput: float64(len(lat)) / time.Since(start).Seconds()}
		if len(lat) > 0 {
			r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		}
		return r
	}
	pool := func() *http.Transport {
		p := &http.Transport{MaxIdleConnsPerHost: 256}
		t.Cleanup(p.CloseIdleConnections)
		return p
	}

	srv := newServer()
	plain := drive(pool(), srv.URL)
	srv2 := newServer()
	mw, err := transport.Limit(transport.LimitConfig{
		Concurrency: &transport.ConcurrencyConfig{Algorithm: limiter.Gradient},
		Queue:       &queue.Config{Interval: service},
	})
	mustNoErr(t, err)
	limited := drive(transport.Chain(pool(), mw), srv2.URL)
	for _, r := range []struct {
		name string
		r    overloadResult
	}{{"plain client, 2.5x", plain}, {"gradient + shallow queue, 2.5x", limited}} {
		t.Logf("%-32s offered %5d  ok %5d  goodput %4.0f/s = %3.0f%% of capacity %d/s  p50 %4dms  p99 %4dms",
			r.name, r.r.offered, r.r.ok, r.r.goodput, 100*r.r.goodput/float64(maxRate), maxRate,
			r.r.p50.Milliseconds(), r.r.p99.Milliseconds())
	}
	if limited.ok == 0 || limited.p99 >= plain.p99/2 {
		t.Errorf("limited p99 %v vs plain p99 %v: the limit did not keep latency down", limited.p99, plain.p99)
	}
	if limited.goodput < 0.5*float64(maxRate) {
		t.Errorf("limited goodput %.0f/s, below half of capacity %d/s", limited.goodput, maxRate)
	}
}
