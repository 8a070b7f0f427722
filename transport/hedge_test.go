package transport_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// hedging builds a Hedge middleware over base with cfg, failing the test on
// a config error.
func hedging(t testing.TB, cfg transport.HedgeConfig, base http.RoundTripper) http.RoundTripper {
	t.Helper()
	mw, err := transport.Hedge(cfg)
	mustNoErr(t, err)
	return transport.Chain(base, mw)
}

// hedgeBackend is a stub backend for hedging tests. A call is named by its
// URL path; its attempts are numbered in the order they reach the backend.
// Each attempt waits latency(call, attempt), honouring its context unless
// ignoreCancel is set, then answers status(call, attempt) (200 when status
// is nil) with the body "call#attempt", or bodySize bytes when set.
type hedgeBackend struct {
	latency      func(call string, attempt int) time.Duration
	status       func(call string, attempt int) int
	ignoreCancel bool
	bodySize     int

	mu    sync.Mutex
	sends []*hedgeSend
	per   map[string]int
}

// hedgeSend records one attempt as the backend saw it.
type hedgeSend struct {
	call    string
	attempt int
	req     *http.Request
	body    string // the request body received
	at      time.Time
	ended   time.Time
	err     error        // what the backend returned, if not a response
	resp    *trackedBody // the response body it returned, if any
	reader  *lockedReader
}

// lockedReader lets a test read how much of a body is left while another
// goroutine drains it.
type lockedReader struct {
	mu sync.Mutex
	r  *strings.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func (l *lockedReader) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Len()
}

func (b *hedgeBackend) RoundTrip(req *http.Request) (*http.Response, error) {
	var sent string
	if req.Body != nil {
		data, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		sent = string(data)
	}
	b.mu.Lock()
	if b.per == nil {
		b.per = map[string]int{}
	}
	b.per[req.URL.Path]++
	s := &hedgeSend{call: req.URL.Path, attempt: b.per[req.URL.Path], req: req, body: sent, at: time.Now()}
	b.sends = append(b.sends, s)
	b.mu.Unlock()

	d := time.Duration(0)
	if b.latency != nil {
		d = b.latency(s.call, s.attempt)
	}
	if b.ignoreCancel {
		time.Sleep(d)
	} else {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-req.Context().Done():
			b.mu.Lock()
			s.ended, s.err = time.Now(), req.Context().Err()
			b.mu.Unlock()
			return nil, req.Context().Err()
		}
	}
	status := http.StatusOK
	if b.status != nil {
		status = b.status(s.call, s.attempt)
	}
	text := s.call + "#" + itoa(s.attempt)
	if b.bodySize > 0 {
		text = strings.Repeat("x", b.bodySize)
	}
	r := &lockedReader{r: strings.NewReader(text)}
	body := &trackedBody{Reader: r}
	b.mu.Lock()
	s.ended, s.resp, s.reader = time.Now(), body, r
	b.mu.Unlock()
	return &http.Response{StatusCode: status, Header: http.Header{}, Body: body, Request: req}, nil
}

// Sends returns a copy of what the backend has seen so far.
func (b *hedgeBackend) Sends() []hedgeSend {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]hedgeSend, len(b.sends))
	for i, s := range b.sends {
		out[i] = *s
	}
	return out
}

// slowFirst makes the first attempt of every call take first and every
// hedge take hedge.
func slowFirst(first, hedge time.Duration) func(string, int) time.Duration {
	return func(_ string, attempt int) time.Duration {
		if attempt == 1 {
			return first
		}
		return hedge
	}
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	mustNoErr(t, err)
	mustNoErr(t, resp.Body.Close())
	return string(data)
}

// hedgeLog records OnHedge calls.
type hedgeLog struct {
	mu     sync.Mutex
	events []string
}

func (l *hedgeLog) OnHedge(req *http.Request, attempt int, delay time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("%s: attempt %d after %v", req.URL.Path, attempt, delay))
}

func (l *hedgeLog) Events() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func TestHedgeFiresAtDelayAndTheFasterHedgeWins(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		b := &hedgeBackend{latency: slowFirst(time.Second, 10*time.Millisecond)}
		var log hedgeLog
		rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond, OnHedge: log.OnHedge}, b)

		type key struct{}
		ctx := context.WithValue(t.Context(), key{}, "caller")
		req := httptest.NewRequest("GET", "http://x.test/a", nil).WithContext(ctx)
		req.Header.Set("X-Trace", "1")
		start := time.Now()
		resp, err := rt.RoundTrip(req)
		mustNoErr(t, err)
		if got := time.Since(start); got != 110*time.Millisecond {
			t.Fatalf("answered after %v, want 110ms (hedge at 100ms + 10ms)", got)
		}
		if body := readBody(t, resp); resp.StatusCode != 200 || body != "/a#2" {
			t.Fatalf("got %d %q, want 200 from the hedge (/a#2)", resp.StatusCode, body)
		}
		if got, want := log.Events(), []string{"/a: attempt 2 after 100ms"}; !slices.Equal(got, want) {
			t.Fatalf("OnHedge calls %q, want %q", got, want)
		}

		synctest.Wait()
		sends := b.Sends()
		if len(sends) != 2 {
			t.Fatalf("%d attempts sent, want 2", len(sends))
		}
		if at := sends[1].at.Sub(start); at != 100*time.Millisecond {
			t.Errorf("hedge sent at %v, want exactly 100ms", at)
		}
		// The loser was cancelled the moment the hedge won.
		if loser := sends[0]; !errors.Is(loser.err, context.Canceled) || loser.ended.Sub(start) != 110*time.Millisecond {
			t.Errorf("first attempt ended at %v with %v, want cancelled at 110ms", loser.ended.Sub(start), loser.err)
		}
		// Both attempts carry the caller's values and headers...
		for _, s := range sends {
			if s.req.Context().Value(key{}) != "caller" || s.req.Header.Get("X-Trace") != "1" || s.req.URL.String() != "http://x.test/a" {
				t.Errorf("attempt %d lost the caller's context values, headers or URL", s.attempt)
			}
			if s.req == req {
				t.Errorf("attempt %d was sent the caller's own request", s.attempt)
			}
		}
		// ...and the caller's request is untouched.
		if req.Context() != ctx || len(req.Header) != 1 || req.Header.Get("X-Trace") != "1" {
			t.Errorf("caller's request modified: ctx %v, header %v", req.Context(), req.Header)
		}
	})
}

func TestHedgeLoserBodyIsDrainedAndClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		// A backend that does not watch its context: the loser's
		// response arrives after the call is over.
		b := &hedgeBackend{latency: slowFirst(time.Second, 10*time.Millisecond), ignoreCancel: true, bodySize: 10 << 10}
		rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond}, b)
		start := time.Now()
		resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/a", nil))
		mustNoErr(t, err)
		if got := time.Since(start); got != 110*time.Millisecond {
			t.Fatalf("answered after %v, want 110ms even though the loser ignores cancellation", got)
		}
		time.Sleep(time.Second) // the loser answers at 1s
		synctest.Wait()
		sends := b.Sends()
		loser, winner := sends[0], sends[1]
		if !loser.resp.closed.Load() || loser.reader.Len() != 0 {
			t.Errorf("loser's body: closed %v, %d bytes left; want drained and closed", loser.resp.closed.Load(), loser.reader.Len())
		}
		if !errors.Is(loser.req.Context().Err(), context.Canceled) {
			t.Errorf("loser's context: %v, want cancelled", loser.req.Context().Err())
		}
		// The winner's body is the caller's to read and close.
		if winner.resp.closed.Load() || winner.req.Context().Err() != nil {
			t.Fatal("winner's body closed or its context cancelled before the caller was done with it")
		}
		if body := readBody(t, resp); len(body) != 10<<10 {
			t.Fatalf("winner's body: %d bytes, want %d", len(body), 10<<10)
		}
		if !winner.resp.closed.Load() || winner.req.Context().Err() == nil {
			t.Fatal("closing the winner's body did not close it and release its context")
		}
	})
}

func TestHedgeNotSentWhenTheFirstAttemptAnswersInTime(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, cfg := range []transport.HedgeConfig{
		{Delay: 100 * time.Millisecond},
		{}, // adaptive: MinDelay (10ms) until warmed up
	} {
		synctest.Test(t, func(t *testing.T) {
			b := &hedgeBackend{latency: slowFirst(5*time.Millisecond, 0)}
			var log hedgeLog
			budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 2, NoFloor: true})
			mustNoErr(t, err)
			cfg.OnHedge, cfg.Budget = log.OnHedge, budget
			rt := hedging(t, cfg, b)
			for i := range 50 {
				start := time.Now()
				resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/"+itoa(i), nil))
				mustNoErr(t, err)
				if got := time.Since(start); got != 5*time.Millisecond {
					t.Fatalf("call %d took %v, want 5ms", i, got)
				}
				readBody(t, resp)
			}
			time.Sleep(time.Second) // no timer left to fire
			if n := len(b.Sends()); n != 50 || len(log.Events()) != 0 {
				t.Fatalf("%d attempts for 50 calls, hedges %q; want no hedge", n, log.Events())
			}
			if got := budget.Available(); got != 2 {
				t.Fatalf("budget %v, want untouched (2)", got)
			}
		})
	}
}

func TestHedgeOnlyIdempotentRequestsWithReplayableBodies(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	newReq := func(method, path string, body io.Reader, key bool) *http.Request {
		req, err := http.NewRequest(method, "http://x.test"+path, body)
		mustNoErr(t, err)
		if key {
			req.Header.Set("Idempotency-Key", "k1")
		}
		return req
	}
	noGetBody := func(req *http.Request) *http.Request { req.GetBody = nil; return req }
	upgrade := func(req *http.Request) *http.Request {
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		return req
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		hedged bool
	}{
		{"GET", newReq("GET", "/get", nil, false), true},
		{"POST", newReq("POST", "/post", strings.NewReader("payload"), false), false},
		{"POST with Idempotency-Key", newReq("POST", "/key", strings.NewReader("payload"), true), true},
		{"POST marked WithIdempotent", newReq("POST", "/marked", strings.NewReader("payload"), false).
			WithContext(transport.WithIdempotent(context.Background())), true},
		{"PUT with a body", newReq("PUT", "/put", strings.NewReader("payload"), false), true},
		{"PUT with a body but no GetBody", noGetBody(newReq("PUT", "/put-once", strings.NewReader("payload"), false)), false},
		{"POST with Idempotency-Key but no GetBody", noGetBody(newReq("POST", "/key-once", strings.NewReader("payload"), true)), false},
		{"GET upgrade", upgrade(newReq("GET", "/ws", nil, false)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := &hedgeBackend{latency: slowFirst(time.Second, 10*time.Millisecond)}
				rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond}, b)
				wantBody := ""
				if tc.req.Body != nil {
					wantBody = "payload"
				}
				start := time.Now()
				resp, err := rt.RoundTrip(tc.req)
				mustNoErr(t, err)
				readBody(t, resp)
				synctest.Wait()
				sends := b.Sends()
				if tc.hedged {
					if len(sends) != 2 || time.Since(start) != 110*time.Millisecond {
						t.Fatalf("%d attempts, answered after %v; want hedged: 2 attempts, 110ms", len(sends), time.Since(start))
					}
				} else {
					if len(sends) != 1 || time.Since(start) != time.Second {
						t.Fatalf("%d attempts, answered after %v; want 1 attempt, not hedged (1s)", len(sends), time.Since(start))
					}
					if sends[0].req != tc.req {
						t.Errorf("a request that is not hedged should go through as it is")
					}
				}
				for _, s := range sends {
					if s.body != wantBody {
						t.Errorf("attempt %d sent body %q, want %q", s.attempt, s.body, wantBody)
					}
				}
			})
		})
	}
}

func TestHedgeMaxHedges(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tc := range []struct{ max, attempts int }{{0, 2}, {1, 2}, {2, 3}, {4, 5}} {
		synctest.Test(t, func(t *testing.T) {
			b := &hedgeBackend{latency: func(string, int) time.Duration { return time.Second }}
			var log hedgeLog
			rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond, MaxHedges: tc.max, Budget: backoff.Unlimited(), OnHedge: log.OnHedge}, b)
			start := time.Now()
			resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/m", nil))
			mustNoErr(t, err)
			if body := readBody(t, resp); body != "/m#1" || time.Since(start) != time.Second {
				t.Fatalf("MaxHedges %d: got %q after %v, want the first attempt at 1s", tc.max, body, time.Since(start))
			}
			synctest.Wait()
			sends := b.Sends()
			if len(sends) != tc.attempts || len(log.Events()) != tc.attempts-1 {
				t.Fatalf("MaxHedges %d: %d attempts, %d OnHedge calls; want %d attempts", tc.max, len(sends), len(log.Events()), tc.attempts)
			}
			for i, s := range sends {
				if at := s.at.Sub(start); at != time.Duration(i)*100*time.Millisecond {
					t.Errorf("MaxHedges %d: attempt %d sent at %v, want %v", tc.max, i+1, at, time.Duration(i)*100*time.Millisecond)
				}
			}
		})
	}
}

func TestHedgeBudgetRefusalMeansNoHedge(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
		mustNoErr(t, err)
		b := &hedgeBackend{latency: slowFirst(time.Second, 10*time.Millisecond)}
		var log hedgeLog
		rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond, Budget: budget, OnHedge: log.OnHedge}, b)

		// The budget's one token pays for the first call's hedge.
		start := time.Now()
		resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/1", nil))
		mustNoErr(t, err)
		if body := readBody(t, resp); body != "/1#2" || time.Since(start) != 110*time.Millisecond {
			t.Fatalf("first call: %q after %v, want the hedge at 110ms", body, time.Since(start))
		}
		// The success deposited 0.2 token: not enough for another hedge.
		if got := budget.Available(); got < 0.19 || got > 0.21 {
			t.Fatalf("budget after a hedged success: %v, want 0.2", got)
		}
		start = time.Now()
		resp, err = rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/2", nil))
		mustNoErr(t, err)
		if body := readBody(t, resp); body != "/2#1" || time.Since(start) != time.Second {
			t.Fatalf("second call: %q after %v, want the unhedged first attempt at 1s", body, time.Since(start))
		}
		synctest.Wait()
		if n := len(b.Sends()); n != 3 || len(log.Events()) != 1 {
			t.Fatalf("%d attempts, hedges %q; want 3 attempts, one hedge", n, log.Events())
		}
	})
}

func TestHedgePercentileDelayAdaptsToObservedLatency(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		var latency atomic.Int64 // every attempt's, but the first of a /slow… call
		b := &hedgeBackend{latency: func(call string, attempt int) time.Duration {
			if strings.HasPrefix(call, "/slow") && attempt == 1 {
				return time.Hour
			}
			return time.Duration(latency.Load())
		}}
		var log hedgeLog
		rt := hedging(t, transport.HedgeConfig{Percentile: 0.9, MinDelay: time.Millisecond, Budget: backoff.Unlimited(), OnHedge: log.OnHedge}, b)
		call := func(path string) time.Duration {
			t.Helper()
			start := time.Now()
			resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test"+path, nil))
			mustNoErr(t, err)
			readBody(t, resp)
			synctest.Wait() // let the loser, if any, end
			return time.Since(start)
		}

		// Cold: MinDelay until 16 calls have been seen.
		latency.Store(int64(20 * time.Millisecond))
		if got := call("/slow1"); got != 21*time.Millisecond {
			t.Fatalf("cold: slow call took %v, want MinDelay 1ms + 20ms", got)
		}
		for i := range 16 {
			call("/warm" + itoa(i))
		}
		// Warm: the 90th percentile of 20ms calls is 20ms.
		if got := call("/slow2"); got != 40*time.Millisecond {
			t.Fatalf("after 20ms calls: slow call took %v, want hedge at 20ms + 20ms", got)
		}

		// The backend slows down to 60ms: once the window has turned
		// over, the delay follows.
		latency.Store(int64(60 * time.Millisecond))
		for i := range 128 {
			call("/busy" + itoa(i))
		}
		if got := call("/slow3"); got != 120*time.Millisecond {
			t.Fatalf("after 60ms calls: slow call took %v, want hedge at 60ms + 60ms", got)
		}
		events := log.Events()
		for _, want := range []string{"/slow1: attempt 2 after 1ms", "/slow2: attempt 2 after 20ms", "/slow3: attempt 2 after 60ms"} {
			if !slices.Contains(events, want) {
				t.Errorf("OnHedge calls lack %q", want)
			}
		}
		// Hedged calls are recorded as slower than the delay, so the
		// delay does not drift below the backend's own percentile: the
		// 60ms calls, hedged at 20ms at first, were still seen as 60ms.
		if got := call("/again"); got != 60*time.Millisecond {
			t.Fatalf("a normal call took %v, want 60ms", got)
		}
	})
}

func TestHedgeCallerCancelReturnsAtOnceAndCancelsEveryAttempt(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, ignoreCancel := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			b := &hedgeBackend{latency: func(string, int) time.Duration { return time.Second }, ignoreCancel: ignoreCancel}
			rt := hedging(t, transport.HedgeConfig{Delay: 100 * time.Millisecond, MaxHedges: 2, Budget: backoff.Unlimited()}, b)
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(250*time.Millisecond, cancel)
			start := time.Now()
			resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/c", nil).WithContext(ctx))
			if resp != nil || !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, %v; want context.Canceled", resp, err)
			}
			if got := time.Since(start); got != 250*time.Millisecond {
				t.Fatalf("returned after %v, want 250ms, when the caller cancelled", got)
			}
			sends := b.Sends()
			if len(sends) != 3 {
				t.Fatalf("%d attempts sent by 250ms, want 3", len(sends))
			}
			for _, s := range sends {
				if !errors.Is(s.req.Context().Err(), context.Canceled) {
					t.Errorf("attempt %d's context not cancelled", s.attempt)
				}
			}
			time.Sleep(time.Second)
			synctest.Wait()
			for _, s := range b.Sends() {
				if s.resp != nil && (!s.resp.closed.Load() || s.reader.Len() != 0) {
					t.Errorf("attempt %d's late response was not drained and closed", s.attempt)
				}
			}
		})
	}
}

func TestHedgeWinnerBodyOutlivesTheCallUntilClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		// A body that, like net/http's, fails once its request's context
		// is cancelled.
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			time.Sleep(10 * time.Millisecond)
			return &http.Response{StatusCode: 200, Header: http.Header{},
				Body: io.NopCloser(&trickle{ctx: req.Context(), r: strings.NewReader("hello, world"), per: time.Millisecond})}, nil
		})
		var attemptCtx atomic.Pointer[context.Context]
		spy := stubFunc(func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			attemptCtx.Store(&ctx)
			return base.RoundTrip(req)
		})
		rt := hedging(t, transport.HedgeConfig{Delay: time.Second}, spy)

		// Read to the end: the attempt's context is released at EOF.
		resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
		mustNoErr(t, err)
		ctx := *attemptCtx.Load()
		time.Sleep(time.Minute) // long after RoundTrip returned
		if ctx.Err() != nil {
			t.Fatal("the winner's context was cancelled before its body was read")
		}
		data, err := io.ReadAll(resp.Body)
		if err != nil || string(data) != "hello, world" {
			t.Fatalf("read %q, %v; want the whole body", data, err)
		}
		if ctx.Err() == nil {
			t.Fatal("reading the body to EOF did not release the attempt's context")
		}
		mustNoErr(t, resp.Body.Close())

		// Close without reading: released too.
		resp, err = rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
		mustNoErr(t, err)
		ctx = *attemptCtx.Load()
		mustNoErr(t, resp.Body.Close())
		if ctx.Err() == nil {
			t.Fatal("closing the body did not release the attempt's context")
		}
	})
}

func TestHedgeFailures(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const delay = 100 * time.Millisecond
	for _, tc := range []struct {
		name       string
		latency    func(string, int) time.Duration
		status     func(string, int) int
		err        error
		wantAfter  time.Duration
		wantStatus int
		wantBody   string
		wantSends  int
	}{
		{
			// Not a retry loop: a fast failure is returned at once.
			name:      "first attempt fails before the delay",
			latency:   slowFirst(10*time.Millisecond, 10*time.Millisecond),
			status:    func(string, int) int { return 503 },
			wantAfter: 10 * time.Millisecond, wantStatus: 503, wantBody: "/f#1", wantSends: 1,
		},
		{
			name:      "first attempt errs before the delay",
			latency:   slowFirst(10*time.Millisecond, 10*time.Millisecond),
			err:       errReset,
			wantAfter: 10 * time.Millisecond, wantSends: 1,
		},
		{
			// The first fails at 150ms while the hedge (sent at 100ms) is
			// in flight: wait for it.
			name:    "failure while a hedge is in flight",
			latency: slowFirst(150*time.Millisecond, 100*time.Millisecond),
			status: func(_ string, attempt int) int {
				if attempt == 1 {
					return 503
				}
				return 200
			},
			wantAfter: 200 * time.Millisecond, wantStatus: 200, wantBody: "/f#2", wantSends: 2,
		},
		{
			name:      "every attempt fails: the last result is returned",
			latency:   slowFirst(150*time.Millisecond, 100*time.Millisecond),
			status:    func(_ string, attempt int) int { return 502 + attempt },
			wantAfter: 200 * time.Millisecond, wantStatus: 504, wantBody: "/f#2", wantSends: 2,
		},
		{
			// A 429 is no success: the other attempt may still win.
			name:    "throttled first, hedge succeeds",
			latency: slowFirst(150*time.Millisecond, 10*time.Millisecond),
			status: func(_ string, attempt int) int {
				if attempt == 1 {
					return 429
				}
				return 404 // the server answered soundly: a Success
			},
			wantAfter: 110 * time.Millisecond, wantStatus: 404, wantBody: "/f#2", wantSends: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := &hedgeBackend{latency: tc.latency, status: tc.status}
				var base http.RoundTripper = b
				if tc.err != nil {
					base = stubFunc(func(req *http.Request) (*http.Response, error) {
						if resp, _ := b.RoundTrip(req); resp != nil {
							_ = resp.Body.Close()
						}
						return nil, tc.err
					})
				}
				rt := hedging(t, transport.HedgeConfig{Delay: delay}, base)
				start := time.Now()
				resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/f", nil))
				if got := time.Since(start); got != tc.wantAfter {
					t.Errorf("returned after %v, want %v", got, tc.wantAfter)
				}
				if tc.err != nil {
					if resp != nil || !errors.Is(err, tc.err) {
						t.Fatalf("got %v, %v; want the attempt's error as it is", resp, err)
					}
				} else {
					mustNoErr(t, err)
					if body := readBody(t, resp); resp.StatusCode != tc.wantStatus || body != tc.wantBody {
						t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
					}
				}
				time.Sleep(time.Second)
				synctest.Wait()
				sends := b.Sends()
				if len(sends) != tc.wantSends {
					t.Fatalf("%d attempts, want %d", len(sends), tc.wantSends)
				}
				for _, s := range sends {
					if s.resp != nil && !s.resp.closed.Load() {
						t.Errorf("attempt %d's response was never closed", s.attempt)
					}
				}
			})
		})
	}
}

func TestHedgeConfigValidation(t *testing.T) {
	for _, cfg := range []transport.HedgeConfig{
		{Delay: -time.Second},
		{Delay: time.Second, Percentile: 0.9},
		{Percentile: 1},
		{Percentile: -0.5},
		{Percentile: 1.5},
		{Percentile: nan()},
		{MinDelay: -time.Millisecond},
		{MaxHedges: -1},
		{MaxHedges: 11},
	} {
		if _, err := transport.Hedge(cfg); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("Hedge(%+v) err = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	for _, cfg := range []transport.HedgeConfig{
		{},
		{Delay: time.Millisecond, MinDelay: time.Second}, // MinDelay ignored with a fixed Delay
		{Percentile: 0.5, MinDelay: time.Nanosecond, MaxHedges: 10},
	} {
		if _, err := transport.Hedge(cfg); err != nil {
			t.Errorf("Hedge(%+v) err = %v, want nil", cfg, err)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// The tail at scale: 1 % of calls have a first attempt 50× slower than
// usual. Hedging turns each of them into the delay plus one normal attempt.
func TestHedgeSlowTailSimulation(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const (
		calls   = 10000
		workers = 16
		base    = 10 * time.Millisecond
	)
	// latency is a deterministic function of the call and the attempt, so
	// the result does not depend on how the workers interleave: 10-15ms,
	// and 50× that for the first attempt of every 100th call and for 1 %
	// of hedges, drawn by hash.
	latency := func(call string, attempt int) time.Duration {
		var n uint64
		_, _ = fmt.Sscan(call[1:], &n)
		h := hashAttempt(call, attempt)
		d := base + time.Duration(h%5000)*time.Microsecond
		if (attempt == 1 && n%100 == 0) || (attempt > 1 && (h>>16)%100 == 0) {
			d *= 50
		}
		return d
	}
	run := func(name string, mw transport.Middleware) (p50, p99, p999 time.Duration, attempts int) {
		synctest.Test(t, func(t *testing.T) {
			b := &hedgeBackend{latency: latency}
			rt := transport.Chain(b, mw)
			lat := make([]time.Duration, calls)
			var next atomic.Int64
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= calls {
							return
						}
						start := time.Now()
						resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/"+itoa(i), nil))
						if err != nil {
							t.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
						lat[i] = time.Since(start)
					}
				})
			}
			wg.Wait()
			synctest.Wait()
			slices.Sort(lat)
			// pN: the latency that N % of calls did not exceed.
			p50, p99, p999 = lat[calls*50/100], lat[calls*99/100], lat[calls*999/1000]
			attempts = len(b.Sends())
			t.Logf("%-28s p50 %-6v p99 %-6v p99.9 %-6v max %-6v attempts/call %.3f",
				name, p50, p99, p999, lat[calls-1], float64(attempts)/calls)
		})
		return
	}

	none := func(next http.RoundTripper) http.RoundTripper { return next }
	_, p99Plain, p999Plain, _ := run("no hedging", none)
	fixed, err := transport.Hedge(transport.HedgeConfig{Delay: 20 * time.Millisecond})
	mustNoErr(t, err)
	_, p99Fixed, p999Fixed, attFixed := run("hedge after 20ms", fixed)
	adaptive, err := transport.Hedge(transport.HedgeConfig{})
	mustNoErr(t, err)
	_, p99Adaptive, p999Adaptive, attAdaptive := run("hedge after p95 (default)", adaptive)

	if p99Plain < 500*time.Millisecond {
		t.Fatalf("without hedging p99 = %v, want the slow tail (>= 500ms)", p99Plain)
	}
	for _, r := range []struct {
		name           string
		p99, p999      time.Duration
		attempts, maxA int
	}{
		{"fixed", p99Fixed, p999Fixed, attFixed, calls * 102 / 100},
		{"adaptive", p99Adaptive, p999Adaptive, attAdaptive, calls * 108 / 100},
	} {
		if r.p99 > 40*time.Millisecond || r.p999 > 40*time.Millisecond {
			t.Errorf("%s hedging: p99 %v, p99.9 %v; want both under 40ms (plain: %v, %v)", r.name, r.p99, r.p999, p99Plain, p999Plain)
		}
		if r.attempts > r.maxA {
			t.Errorf("%s hedging: %d attempts for %d calls, want at most %d", r.name, r.attempts, calls, r.maxA)
		}
	}
}

// hashAttempt draws a pseudo-random number for one attempt of one call.
func hashAttempt(call string, attempt int) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, call)
	return splitmix64(h.Sum64() + uint64(attempt))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Many concurrent calls, some hedged twice, against a backend that ignores
// cancellation half the time: each caller gets its own call's response,
// and every response is closed.
func TestHedgeConcurrentCallsKeepTheirOwnResponses(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, ignoreCancel := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			b := &hedgeBackend{ignoreCancel: ignoreCancel, latency: func(call string, attempt int) time.Duration {
				return time.Duration(hashAttempt(call, attempt)%40) * time.Millisecond
			}}
			rt := hedging(t, transport.HedgeConfig{Delay: 10 * time.Millisecond, MaxHedges: 2, Budget: backoff.Unlimited()}, b)
			var wg sync.WaitGroup
			for w := range 32 {
				wg.Go(func() {
					for i := range 50 {
						path := "/" + itoa(w) + "-" + itoa(i)
						resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test"+path, nil))
						if err != nil {
							t.Error(err)
							return
						}
						data, _ := io.ReadAll(resp.Body)
						_ = resp.Body.Close()
						if !strings.HasPrefix(string(data), path+"#") {
							t.Errorf("call %s got %q", path, data)
						}
					}
				})
			}
			wg.Wait()
			time.Sleep(time.Second)
			synctest.Wait()
			for _, s := range b.Sends() {
				if s.resp != nil && !s.resp.closed.Load() {
					t.Errorf("%s attempt %d: response never closed", s.call, s.attempt)
				}
			}
		})
	}
}

// A hedgeable call whose first attempt answers at once: the common path.
func BenchmarkHedgeSuccessNoHedge(b *testing.B) {
	mw, err := transport.Hedge(transport.HedgeConfig{})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(okStub, mw))
}

func BenchmarkHedgeSuccessNoHedgeFixedDelay(b *testing.B) {
	mw, err := transport.Hedge(transport.HedgeConfig{Delay: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(okStub, mw))
}

func BenchmarkHedgeSuccessNoHedgeParallel(b *testing.B) {
	mw, err := transport.Hedge(transport.HedgeConfig{})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTripParallel(b, transport.Chain(okStub, mw))
}

// A request that is not hedged (a POST) goes straight through.
func BenchmarkHedgePassThrough(b *testing.B) {
	mw, err := transport.Hedge(transport.HedgeConfig{})
	if err != nil {
		b.Fatal(err)
	}
	rt := transport.Chain(okStub, mw)
	req, _ := http.NewRequest("POST", "http://x.test/", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp, err)
		}
	}
}

// A hedged call: of each call's two attempts, the one that reaches the
// backend first hangs until cancelled, the other answers at once.
func BenchmarkHedgeHedged(b *testing.B) {
	var n atomic.Int64
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		if n.Add(1)%2 == 1 {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
		return okStub(req)
	})
	mw, err := transport.Hedge(transport.HedgeConfig{Delay: time.Microsecond, Budget: backoff.Unlimited()})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(base, mw))
}

// Over a real loopback connection pool: a stuck first attempt is hedged,
// the hedge wins, and the server sees the stuck request cancelled.
func TestHedgeLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var n atomic.Int32
	cancelled := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
				close(cancelled)
			case <-time.After(10 * time.Second):
			}
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: hedging(t, transport.HedgeConfig{Delay: 20 * time.Millisecond}, base)}

	start := time.Now()
	resp, err := client.Get(srv.URL)
	mustNoErr(t, err)
	if body := readBody(t, resp); body != "ok" {
		t.Fatalf("body %q, want ok", body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v: the hedge did not win", took)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the stuck request cancelled")
	}
}
