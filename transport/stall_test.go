package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// stallBody is the body of a response whose server stopped sending after
// the headers: a read blocks until the request's context is done, as with
// net/http, where cancelling the request ends a read in progress. Closing
// it does not end a read, so only a cancelled attempt frees a reader.
type stallBody struct{ ctx context.Context }

func (b stallBody) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (stallBody) Close() error { return nil }

// stalled answers req with status and a body that stalls.
func stalled(req *http.Request, status int) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{}, Body: stallBody{req.Context()}, Request: req}
}

// A 503 whose body stalls, then a server that answers 200: with the
// defaults, the retry is sent after one backoff (at most 100ms for the
// first retry, which is also the least time a drain is given), not when
// the total timeout ends the drain of the 503.
func TestStalledBodyDoesNotHoldTheRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		tr, err := transport.New(transport.Config{Base: stubFunc(func(req *http.Request) (*http.Response, error) {
			if calls.Add(1) == 1 {
				return stalled(req, http.StatusServiceUnavailable), nil
			}
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
		})})
		mustNoErr(t, err)
		start := time.Now()
		resp, err := tr.RoundTrip(httptest.NewRequest("GET", "http://svc.test/", nil))
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("after %v: resp %v, err %v; want 200 from the retry", took, resp, err)
		}
		resp.Body.Close()
		if took > 100*time.Millisecond || calls.Load() != 2 {
			t.Fatalf("200 after %v and %d attempts, want 2 attempts within one backoff (100ms)", took, calls.Load())
		}
	})
}

// A hedged call whose first attempt fails with a stalled body while the
// hedge is in flight: the caller's goroutine does not wait on that body,
// and the hedge's 200 is returned when it arrives, at 60ms.
func TestStalledBodyDoesNotHoldTheHedge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			first := calls.Add(1) == 1
			wait := 50 * time.Millisecond // the hedge, sent at 10ms
			if first {
				wait = 20 * time.Millisecond
			}
			select {
			case <-time.After(wait):
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
			if first {
				return stalled(req, http.StatusServiceUnavailable), nil
			}
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
		})
		tr, err := transport.New(transport.Config{Base: base, Hedge: &transport.HedgeConfig{Delay: 10 * time.Millisecond}})
		mustNoErr(t, err)
		start := time.Now()
		resp, err := tr.RoundTrip(httptest.NewRequest("GET", "http://svc.test/", nil))
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("after %v: resp %v, err %v; want the hedge's 200", took, resp, err)
		}
		resp.Body.Close()
		if took > 60*time.Millisecond+10*time.Millisecond {
			t.Fatalf("the hedge's 200 (ready at 60ms) returned after %v", took)
		}
	})
}

// Hedge alone, over a RoundTripper whose bodies only a cancelled context
// frees: a failed attempt's stalled body does not hold the caller.
func TestStalledBodyDoesNotHoldHedgeAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			if calls.Add(1) == 1 {
				time.Sleep(20 * time.Millisecond)
				return stalled(req, http.StatusServiceUnavailable), nil
			}
			time.Sleep(50 * time.Millisecond)
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
		})
		h, err := transport.Hedge(transport.HedgeConfig{Delay: 10 * time.Millisecond})
		mustNoErr(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		resp, err := h(base).RoundTrip(httptest.NewRequest("GET", "http://svc.test/", nil).WithContext(ctx))
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK || took > 70*time.Millisecond {
			t.Fatalf("after %v: resp %v, err %v; want the hedge's 200 at 60ms", took, resp, err)
		}
		resp.Body.Close()
	})
}

// Health checks whose answers stall after the headers: a round does not
// wait for the check timeout on each body, so three failed checks, one
// per interval, mark the endpoint unhealthy two intervals after the first.
func TestStalledBodyDoesNotHoldHealthChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bal, err := balancer.New(balancer.Config{Policy: balancer.RoundRobin})
		mustNoErr(t, err)
		mustNoErr(t, bal.Update([]discovery.Endpoint{{Addr: "a.test:80"}}))
		changed := make(chan time.Time, 1)
		start := time.Now()
		hc, err := transport.NewHealthCheck(transport.HealthCheckConfig{
			Balancer:  bal,
			Transport: stubFunc(func(req *http.Request) (*http.Response, error) { return stalled(req, 500), nil }),
			Interval:  10 * time.Second,
			Timeout:   2 * time.Second,
			OnChange:  func(string, bool) { changed <- time.Now() },
		})
		mustNoErr(t, err)
		defer hc.Close()
		at := (<-changed).Sub(start)
		if at > 21*time.Second {
			t.Fatalf("marked unhealthy after %v, want about 20s (three checks, 10s apart, each drained for at most 100ms)", at)
		}
	})
}

// stallingServer answers its first request with a 503 whose body never
// comes (the headers are flushed, then the handler waits for the client to
// go away), and every later one with 200, after the delays given.
func stallingServer(t *testing.T, firstAfter, restAfter time.Duration) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			time.Sleep(firstAfter)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		time.Sleep(restAfter)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// The same over a real loopback connection: a 503 whose body the server
// never sends, then 200. The call ends with the 200 within a second (the
// first backoff is at most 100ms), not at the total timeout (3s here).
func TestStalledBodyLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  transport.Config
	}{
		{"defaults", transport.Config{}},
		// Retry then reads net/http's body itself, with no attempt
		// context below it to cancel: closing the body ends the read.
		{"no attempt timeout", transport.Config{Timeout: transport.TimeoutConfig{AttemptOff: true}}},
		{"hedged", transport.Config{Hedge: &transport.HedgeConfig{Delay: 10 * time.Millisecond}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, rest := time.Duration(0), time.Duration(0)
			if tc.cfg.Hedge != nil {
				first, rest = 20*time.Millisecond, 50*time.Millisecond
			}
			srv, hits := stallingServer(t, first, rest)
			tc.cfg.Timeout.Total = 3 * time.Second
			if !tc.cfg.Timeout.AttemptOff {
				tc.cfg.Timeout.Attempt = 2 * time.Second
			}
			tr, err := transport.New(tc.cfg)
			mustNoErr(t, err)
			defer tr.CloseIdleConnections()
			start := time.Now()
			resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("after %v and %d requests: %v", took, hits.Load(), err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || took > time.Second {
				t.Fatalf("status %d after %v and %d requests, want 200 within 1s", resp.StatusCode, took, hits.Load())
			}
		})
	}
}
