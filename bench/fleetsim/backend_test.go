package fleetsim

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// model is a one-worker backend with a queue of two, struck by trig from
// 10s to 20s, whose every request takes 100ms (σ tiny).
func model(trig Trigger) Config {
	cfg, err := Config{Workers: 2, Queue: 2, Service: 100 * time.Millisecond, Spread: 1e-9, Warmup: 10 * time.Second}.WithDefaults()
	if err != nil {
		panic(err)
	}
	cfg.Workers = 1 // below the halving's floor of one: see capacity tests
	return cfg
}

// send sends one request of call id to b, under ctx.
func send(ctx context.Context, b *backend, id uint64) (*http.Response, error) {
	ctx = context.WithValue(ctx, callKey{}, &call{id: id})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return b.RoundTrip(req)
}

type answer struct {
	code int
	err  error
	at   time.Duration
}

// sendAsync sends a request in a goroutine of its own and reports on ch.
func sendAsync(ctx context.Context, b *backend, id uint64, start time.Time, ch chan<- answer) {
	go func() {
		resp, err := send(ctx, b, id)
		a := answer{err: err, at: time.Since(start)}
		if resp != nil {
			a.code = resp.StatusCode
		}
		ch <- a
	}()
}

// The queue is FIFO behind the workers and bounded: the one past it is
// answered 503 with Retry-After at once.
func TestBackendQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		b := newBackend(model(Outage), Outage, start)
		ch := make(chan answer, 4)
		for id := range uint64(3) { // one in service, two queued
			sendAsync(t.Context(), b, id, start, ch)
			synctest.Wait()
		}
		resp, err := send(t.Context(), b, 3)
		if err != nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("past a full queue: %v, %v; want 503 with Retry-After: 1", resp, err)
		}
		var ats []time.Duration
		for range 3 {
			a := <-ch
			if a.err != nil || a.code != http.StatusOK {
				t.Fatalf("queued request: %d, %v", a.code, a.err)
			}
			ats = append(ats, a.at)
		}
		for i, at := range ats {
			if want := time.Duration(i+1) * 100 * time.Millisecond; at < want-time.Millisecond || at > want+time.Millisecond {
				t.Errorf("answer %d at %v, want about %v (one at a time, in order)", i, at, want)
			}
		}
		if s := second0(b); s.Sent != 4 || s.Rejected != 1 || s.QueueMax != 2 {
			t.Errorf("counts %+v, want 4 sent, 1 rejected, a queue of 2", s)
		}
	})
}

// A caller whose context ends gets its error at once; its request stays in
// the queue, is served all the same, and its work counts as wasted.
func TestBackendWaste(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		b := newBackend(model(Outage), Outage, start)
		ch := make(chan answer, 2)
		sendAsync(t.Context(), b, 0, start, ch) // in service until 100ms
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		sendAsync(ctx, b, 1, start, ch) // queued: served 100ms–200ms
		a := <-ch
		if !errors.Is(a.err, context.DeadlineExceeded) || a.at != 50*time.Millisecond {
			t.Fatalf("the impatient caller got %d, %v at %v; want its deadline's error at 50ms", a.code, a.err, a.at)
		}
		if a := <-ch; a.code != http.StatusOK {
			t.Fatalf("the patient caller got %d, %v", a.code, a.err)
		}
		time.Sleep(time.Second)
		s := second0(b)
		if d := s.Work - 2*s.WastedWork; s.Served != 2 || s.WastedWork == 0 || d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("counts %+v: want both served, half the work wasted", s)
		}
	})
}

// The outage answers 503 without Retry-After at once, from its start to
// its end, and not before or after.
func TestBackendOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := model(Outage)
		start := time.Now()
		b := newBackend(cfg, Outage, start)
		for _, at := range []time.Duration{cfg.TriggerStart() - time.Second, cfg.TriggerStart(), cfg.TriggerEnd() - time.Millisecond, cfg.TriggerEnd()} {
			time.Sleep(at - time.Since(start))
			resp, err := send(t.Context(), b, uint64(at))
			if err != nil {
				t.Fatal(err)
			}
			during := at >= cfg.TriggerStart() && at < cfg.TriggerEnd()
			if got := resp.StatusCode == http.StatusServiceUnavailable; got != during || resp.Header.Get("Retry-After") != "" {
				t.Errorf("at %v: %d (Retry-After %q)", at, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if during && time.Since(start) != at {
				t.Errorf("at %v: the 503 took %v", at, time.Since(start)-at)
			}
		}
	})
}

// Latency ×10 slows the requests that start service during the trigger.
func TestBackendLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := model(LatencyTenfold)
		start := time.Now()
		b := newBackend(cfg, LatencyTenfold, start)
		for _, tc := range []struct {
			at, took time.Duration
		}{{0, 100 * time.Millisecond}, {cfg.TriggerStart(), time.Second}, {cfg.TriggerEnd(), 100 * time.Millisecond}} {
			time.Sleep(tc.at - time.Since(start))
			if _, err := send(t.Context(), b, uint64(tc.at)); err != nil {
				t.Fatal(err)
			}
			if got := time.Since(start) - tc.at; got < tc.took-time.Millisecond || got > tc.took+time.Millisecond {
				t.Errorf("at %v: took %v, want about %v", tc.at, got, tc.took)
			}
		}
	})
}

// Capacity halves: two workers become one, and when the trigger ends the
// queue starts on both again at once, without waiting for an arrival.
func TestBackendCapacity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := model(CapacityHalves)
		cfg.Workers, cfg.Queue = 2, 10
		cfg.Service = time.Second
		start := time.Now()
		b := newBackend(cfg, CapacityHalves, start)
		time.Sleep(cfg.TriggerEnd() - 1500*time.Millisecond) // 1.5s before the end: one worker
		ch := make(chan answer, 3)
		for id := range uint64(3) {
			sendAsync(t.Context(), b, id, start, ch)
			synctest.Wait()
		}
		// The first is served alone (one worker); the second starts when
		// it is done, 0.5s before the end; the third waits for the second
		// worker, which comes back at the end.
		end := cfg.TriggerEnd()
		want := []time.Duration{end - 500*time.Millisecond, end + 500*time.Millisecond, end + time.Second}
		for i := range 3 {
			a := <-ch
			if a.code != http.StatusOK || a.at < want[i]-time.Millisecond || a.at > want[i]+time.Millisecond {
				t.Errorf("answer %d: %d at %v, want 200 at %v", i, a.code, a.at, want[i])
			}
		}
	})
}

// second0 reads the backend's first second under its lock.
func second0(b *backend) Second {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seconds[0]
}
