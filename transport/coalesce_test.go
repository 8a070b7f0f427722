package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/transport"
)

func coalescing(t testing.TB, cfg transport.CoalesceConfig, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	mw, err := transport.Coalesce(cfg)
	mustNoErr(t, err)
	return transport.Chain(next, mw)
}

// backend is a stub upstream for Coalesce: it counts its calls, answers
// after delay (fake time, in a synctest bubble, so that concurrent callers
// line up behind the first) unless the call's context ends first, and
// keeps every body it hands out.
type backend struct {
	delay  time.Duration
	answer func(req *http.Request) (*http.Response, error) // nil: 200 "ok"

	mu      sync.Mutex
	calls   int
	bodies  []*trackedBody
	ctxErrs []error // the call's context error when it returned
}

func (b *backend) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	b.mu.Lock()
	b.calls++
	delay := b.delay
	b.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-req.Context().Done():
	}
	err := req.Context().Err()
	b.mu.Lock()
	b.ctxErrs = append(b.ctxErrs, err)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if b.answer == nil {
		return b.respond(req, "ok", -1), nil
	}
	return b.answer(req)
}

// respond builds a 200 with body s and records its body.
func (b *backend) respond(req *http.Request, s string, contentLength int64) *http.Response {
	body := &trackedBody{Reader: strings.NewReader(s)}
	b.mu.Lock()
	b.bodies = append(b.bodies, body)
	b.mu.Unlock()
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"X-Answer": {"42"}},
		Trailer:       http.Header{"X-Trailer": {"t"}},
		Body:          body,
		ContentLength: contentLength,
		Request:       req,
	}
}

func (b *backend) Calls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// allClosed fails t unless every body the backend handed out was closed.
func (b *backend) allClosed(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, body := range b.bodies {
		if !body.closed.Load() {
			t.Errorf("upstream body %d was not closed", i)
		}
	}
}

// concurrently sends every request at once and waits for all answers.
func concurrently(rt http.RoundTripper, reqs []*http.Request) ([]*http.Response, []error) {
	resps := make([]*http.Response, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() { resps[i], errs[i] = rt.RoundTrip(req) })
	}
	wg.Wait()
	return resps, errs
}

func getN(t testing.TB, n int, url string) []*http.Request {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		mustNoErr(t, err)
		reqs[i] = req
	}
	return reqs
}

func readAndClose(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	mustNoErr(t, err)
	mustNoErr(t, resp.Body.Close())
	return string(b)
}

func TestCoalesceConfigValidation(t *testing.T) {
	_, err := transport.Coalesce(transport.CoalesceConfig{MaxBody: -1})
	if !errors.Is(err, transport.ErrInvalidConfig) {
		t.Fatalf("MaxBody -1: got %v, want ErrInvalidConfig", err)
	}
	_, err = transport.Coalesce(transport.CoalesceConfig{})
	mustNoErr(t, err)
}

// N identical GETs in flight together: one upstream call, and every caller
// its own response, readable and closable independently of the others.
func TestCoalesceSharesOneCall(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		const n = 8
		const payload = "the one answer, read by everyone"
		up := &backend{delay: time.Second}
		up.answer = func(req *http.Request) (*http.Response, error) {
			return up.respond(req, payload, -1), nil
		}
		var mu sync.Mutex
		var shared []int
		rt := coalescing(t, transport.CoalesceConfig{OnShared: func(key string, callers int) {
			mu.Lock()
			shared = append(shared, callers)
			mu.Unlock()
		}}, up)

		reqs := getN(t, n, "http://api.test/items/7")
		for _, r := range reqs {
			r.Header.Set("Accept", "application/json")
		}
		ctx0 := reqs[0].Context()
		resps, errs := concurrently(rt, reqs)

		if got := up.Calls(); got != 1 {
			t.Fatalf("upstream calls = %d, want 1", got)
		}
		slices.Sort(shared)
		if want := []int{2, 3, 4, 5, 6, 7, 8}; !slices.Equal(shared, want) {
			t.Errorf("OnShared callers = %v, want %v", shared, want)
		}
		for i := range n {
			mustNoErr(t, errs[i])
			if resps[i].Request != reqs[i] {
				t.Errorf("caller %d: resp.Request is not its own request", i)
			}
			for j := range i {
				if resps[i] == resps[j] || resps[i].Body == resps[j].Body {
					t.Fatalf("callers %d and %d share a response or body", i, j)
				}
			}
		}
		// Closing one body, or changing one header, touches no other.
		mustNoErr(t, resps[0].Body.Close())
		if _, err := resps[0].Body.Read(make([]byte, 1)); !errors.Is(err, http.ErrBodyReadAfterClose) {
			t.Errorf("read after close: %v", err)
		}
		resps[0].Header.Set("X-Answer", "changed")
		resps[0].Trailer.Set("X-Trailer", "changed")
		half := make([]byte, len(payload)/2)
		_, err := io.ReadFull(resps[1].Body, half)
		mustNoErr(t, err)
		for i := 1; i < n; i++ {
			got := readAndClose(t, resps[i])
			if i == 1 {
				got = string(half) + got
			}
			if got != payload {
				t.Errorf("caller %d read %q, want %q", i, got, payload)
			}
			if h := resps[i].Header.Get("X-Answer"); h != "42" {
				t.Errorf("caller %d: X-Answer = %q", i, h)
			}
			if h := resps[i].Trailer.Get("X-Trailer"); h != "t" {
				t.Errorf("caller %d: X-Trailer = %q", i, h)
			}
			if resps[i].StatusCode != http.StatusOK {
				t.Errorf("caller %d: status %d", i, resps[i].StatusCode)
			}
		}
		// The callers' requests are untouched.
		if reqs[0].Context() != ctx0 || len(reqs[0].Header) != 1 || reqs[0].Header.Get("Accept") != "application/json" {
			t.Errorf("caller's request was modified: %v", reqs[0].Header)
		}
		up.allClosed(t)
	})
}

// Requests that differ in anything that can change the answer are not
// shared; request ids and trace headers do not count.
func TestCoalesceKeys(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		up := &backend{delay: time.Second}
		echo := func(r *http.Request) string {
			return r.Method + " " + r.URL.String() + " auth=" + r.Header.Get("Authorization") +
				" accept=" + r.Header.Get("Accept") + " tenant=" + r.Header.Get("X-Tenant")
		}
		up.answer = func(req *http.Request) (*http.Response, error) {
			return up.respond(req, echo(req), -1), nil
		}
		rt := coalescing(t, transport.CoalesceConfig{}, up)

		mk := func(method, url string, kv ...string) *http.Request {
			req, err := http.NewRequest(method, url, nil)
			mustNoErr(t, err)
			for i := 0; i < len(kv); i += 2 {
				req.Header.Set(kv[i], kv[i+1])
			}
			return req
		}
		reqs := []*http.Request{
			// one group of four
			mk("GET", "http://api.test/a"),
			mk("GET", "http://api.test/a"),
			mk("GET", "http://api.test/a", "X-Request-Id", "r-1"),
			mk("GET", "http://api.test/a", "Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "X-B3-TraceId", "abc"),
			// seven more, each alone
			mk("GET", "http://api.test/a", "Authorization", "Bearer alice"),
			mk("GET", "http://api.test/a", "Authorization", "Bearer bob"),
			mk("GET", "http://api.test/a", "Accept", "text/plain"),
			mk("GET", "http://api.test/a", "X-Tenant", "t1"),
			mk("GET", "http://api.test/b"),
			mk("GET", "http://api.test/a?page=2"),
			mk("HEAD", "http://api.test/a"),
		}
		resps, errs := concurrently(rt, reqs)
		if got, want := up.Calls(), 8; got != want {
			t.Errorf("upstream calls = %d, want %d", got, want)
		}
		for i, resp := range resps {
			mustNoErr(t, errs[i])
			got := readAndClose(t, resp)
			want := echo(reqs[i])
			if reqs[i].Method == http.MethodHead {
				want = ""
			}
			if got != want {
				t.Errorf("request %d got %q, want its own answer %q", i, got, want)
			}
		}
		up.allClosed(t)
	})
}

// Only GET and HEAD requests without a body that accept an answer already
// on its way are ever shared, whatever the Key.
func TestCoalesceOnlySafeRequests(t *testing.T) {
	defer goleak.VerifyNone(t)
	keyAll := func(*http.Request) (string, bool) { return "everything", true }
	keyNone := func(*http.Request) (string, bool) { return "", false }
	cases := []struct {
		name   string
		method string
		body   string
		header http.Header
		key    func(*http.Request) (string, bool)
		calls  int
	}{
		{name: "POST", method: "POST", body: "x", key: keyAll, calls: 3},
		{name: "POST without body", method: "POST", key: keyAll, calls: 3},
		{name: "PUT", method: "PUT", body: "x", key: keyAll, calls: 3},
		{name: "DELETE", method: "DELETE", key: keyAll, calls: 3},
		{name: "GET with a body", method: "GET", body: "x", key: keyAll, calls: 3},
		{name: "no-cache", method: "GET", header: http.Header{"Cache-Control": {"no-cache"}}, key: keyAll, calls: 3},
		{name: "No-Store among others", method: "GET", header: http.Header{"Cache-Control": {"private, No-Store"}}, calls: 3},
		{name: "max-age=0", method: "GET", header: http.Header{"Cache-Control": {"max-age=0"}}, calls: 3},
		{name: "Pragma no-cache", method: "GET", header: http.Header{"Pragma": {"no-cache"}}, calls: 3},
		{name: "Upgrade", method: "GET", header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}, key: keyAll, calls: 3},
		{name: "Key says no", method: "GET", key: keyNone, calls: 3},
		// Controls: these are shared.
		{name: "max-age=60", method: "GET", header: http.Header{"Cache-Control": {"max-age=60"}}, calls: 1},
		{name: "Pragma other", method: "GET", header: http.Header{"Pragma": {"x-foo"}}, calls: 1},
		{name: "empty method is GET", method: "", calls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				up := &backend{delay: time.Second}
				var shared atomic.Int32
				rt := coalescing(t, transport.CoalesceConfig{
					Key:      tc.key,
					OnShared: func(string, int) { shared.Add(1) },
				}, up)
				reqs := make([]*http.Request, 3)
				bodies := make([]*trackedBody, 3)
				for i := range reqs {
					req, err := http.NewRequest("GET", "http://api.test/x", nil)
					mustNoErr(t, err)
					req.Method = tc.method
					if tc.body != "" {
						bodies[i] = &trackedBody{Reader: strings.NewReader(tc.body)}
						req.Body = bodies[i]
					}
					req.Header = tc.header.Clone()
					reqs[i] = req
				}
				resps, errs := concurrently(rt, reqs)
				for i := range resps {
					mustNoErr(t, errs[i])
					if got := readAndClose(t, resps[i]); got != "ok" {
						t.Errorf("caller %d read %q", i, got)
					}
					if bodies[i] != nil && !bodies[i].closed.Load() {
						t.Errorf("caller %d: request body not closed", i)
					}
				}
				if got := up.Calls(); got != tc.calls {
					t.Errorf("upstream calls = %d, want %d", got, tc.calls)
				}
				if got := int(shared.Load()); got != 3-tc.calls {
					t.Errorf("OnShared called %d times, want %d", got, 3-tc.calls)
				}
				up.allClosed(t)
			})
		})
	}
}

// A body over MaxBody is never truncated: one caller gets the stream
// whole, every other caller sends its own request.
func TestCoalesceBodyOverMaxBody(t *testing.T) {
	defer goleak.VerifyNone(t)
	const maxBody = 16
	payload := strings.Repeat("0123456789", 10) // 100 bytes
	for _, tc := range []struct {
		name          string
		size          int
		contentLength bool
		callers       int
		calls         int
	}{
		{"over, length unknown, alone", len(payload), false, 1, 1},
		{"over, length unknown, 5 callers", len(payload), false, 5, 5},
		{"over, length known, alone", len(payload), true, 1, 1},
		{"over, length known, 5 callers", len(payload), true, 5, 5},
		{"one byte over, 5 callers", maxBody + 1, false, 5, 5},
		{"exactly MaxBody, 5 callers", maxBody, false, 5, 1},
		{"exactly MaxBody, length known, 5 callers", maxBody, true, 5, 1},
		{"empty, 5 callers", 0, false, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				body := payload[:tc.size]
				up := &backend{delay: time.Second}
				up.answer = func(req *http.Request) (*http.Response, error) {
					cl := int64(-1)
					if tc.contentLength {
						cl = int64(len(body))
					}
					return up.respond(req, body, cl), nil
				}
				rt := coalescing(t, transport.CoalesceConfig{MaxBody: maxBody}, up)
				reqs := getN(t, tc.callers, "http://api.test/big")
				resps, errs := concurrently(rt, reqs)
				for i := range resps {
					mustNoErr(t, errs[i])
					if resps[i].Request != reqs[i] {
						t.Errorf("caller %d: resp.Request is not its own request", i)
					}
					if got := readAndClose(t, resps[i]); got != body {
						t.Errorf("caller %d read %d bytes %q, want %d", i, len(got), got, len(body))
					}
				}
				if got := up.Calls(); got != tc.calls {
					t.Errorf("upstream calls = %d, want %d", got, tc.calls)
				}
				up.allClosed(t)
			})
		})
	}
}

// A response that sets a cookie is never handed to two callers: one gets
// it, the others send their own requests and get their own cookies.
func TestCoalesceSetCookieNotShared(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, body := range []string{"welcome", ""} {
		t.Run("body "+strconv.Quote(body), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				up := &backend{delay: time.Second}
				var session atomic.Int32
				up.answer = func(req *http.Request) (*http.Response, error) {
					var resp *http.Response
					if body == "" {
						resp = &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: req}
					} else {
						resp = up.respond(req, body, -1)
					}
					resp.Header.Set("Set-Cookie", "session="+itoa(int(session.Add(1))))
					return resp, nil
				}
				rt := coalescing(t, transport.CoalesceConfig{}, up)
				const n = 4
				reqs := getN(t, n, "http://api.test/login")
				resps, errs := concurrently(rt, reqs)
				seen := map[string]bool{}
				for i, resp := range resps {
					mustNoErr(t, errs[i])
					if resp.Request != reqs[i] {
						t.Errorf("caller %d: resp.Request is not its own request", i)
					}
					if got := readAndClose(t, resp); got != body {
						t.Errorf("caller %d read %q", i, got)
					}
					c := resp.Header.Get("Set-Cookie")
					if seen[c] {
						t.Errorf("cookie %q handed to two callers", c)
					}
					seen[c] = true
				}
				if got := up.Calls(); got != n {
					t.Errorf("upstream calls = %d, want %d", got, n)
				}
				up.allClosed(t)
			})
		})
	}
}

// The claimed stream of an oversized body stays bound to its caller's
// context, although the upstream call runs under a detached one.
func TestCoalesceOversizedStreamFollowsCallerContext(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		up := &backend{}
		var upstreamCtx context.Context
		up.answer = func(req *http.Request) (*http.Response, error) {
			upstreamCtx = req.Context()
			return up.respond(req, strings.Repeat("x", 100), -1), nil
		}
		rt := coalescing(t, transport.CoalesceConfig{MaxBody: 10}, up)
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://api.test/big", nil)
		resp, err := rt.RoundTrip(req)
		mustNoErr(t, err)
		if upstreamCtx.Err() != nil {
			t.Fatal("upstream context ended before the body was read")
		}
		cancel()
		synctest.Wait()
		if upstreamCtx.Err() == nil {
			t.Error("the caller's cancellation did not reach the upstream body")
		}
		mustNoErr(t, resp.Body.Close())
		up.allClosed(t)
	})
}

// An error that ends the upstream body reaches every caller after the
// bytes before it: a shared body is never cut short silently.
func TestCoalesceSharesBodyReadError(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		up := &backend{delay: time.Second}
		up.answer = func(req *http.Request) (*http.Response, error) {
			resp := up.respond(req, "", -1)
			resp.Body.(*trackedBody).Reader = io.MultiReader(strings.NewReader("partial"), errReader{errReset})
			return resp, nil
		}
		rt := coalescing(t, transport.CoalesceConfig{}, up)
		resps, errs := concurrently(rt, getN(t, 4, "http://api.test/flaky"))
		for i, resp := range resps {
			mustNoErr(t, errs[i])
			var got strings.Builder
			var err error
			if i%2 == 0 {
				_, err = io.Copy(&got, resp.Body) // through WriteTo, if the body had one
			} else {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				got.Write(b)
			}
			_ = resp.Body.Close()
			if got.String() != "partial" || !errors.Is(err, errReset) {
				t.Errorf("caller %d read %q, %v; want %q, %v", i, got.String(), err, "partial", errReset)
			}
		}
		if got := up.Calls(); got != 1 {
			t.Errorf("upstream calls = %d, want 1", got)
		}
		up.allClosed(t)
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// A transport error is every caller's error; it is not kept for later
// callers.
func TestCoalesceSharesTransportError(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		var fail atomic.Bool
		fail.Store(true)
		up := &backend{delay: time.Second}
		up.answer = func(req *http.Request) (*http.Response, error) {
			if fail.Load() {
				return nil, errReset
			}
			return up.respond(req, "ok", -1), nil
		}
		rt := coalescing(t, transport.CoalesceConfig{}, up)
		resps, errs := concurrently(rt, getN(t, 4, "http://api.test/x"))
		for i := range errs {
			if resps[i] != nil || !errors.Is(errs[i], errReset) {
				t.Errorf("caller %d: %v, %v; want %v", i, resps[i], errs[i], errReset)
			}
		}
		if got := up.Calls(); got != 1 {
			t.Errorf("upstream calls = %d, want 1", got)
		}

		fail.Store(false)
		resp, err := rt.RoundTrip(getN(t, 1, "http://api.test/x")[0])
		mustNoErr(t, err)
		if got := readAndClose(t, resp); got != "ok" || up.Calls() != 2 {
			t.Errorf("after the error: read %q with %d calls; want a fresh call", got, up.Calls())
		}
	})
}

// The caller that started the upstream call gives up: it gets its context's
// error at once, and the call goes on for the others, with the first
// caller's context values but not its cancellation.
func TestCoalesceLeaderGivesUp(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		type ctxKey struct{}
		up := &backend{delay: time.Second}
		var sawValue any
		up.answer = func(req *http.Request) (*http.Response, error) {
			sawValue = req.Context().Value(ctxKey{})
			return up.respond(req, "shared", -1), nil
		}
		rt := coalescing(t, transport.CoalesceConfig{}, up)

		leaderCtx, cancelLeader := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "leader"))
		leaderReq, _ := http.NewRequestWithContext(leaderCtx, http.MethodGet, "http://api.test/x", nil)
		var leaderErr error
		leaderDone := make(chan struct{})
		go func() {
			defer close(leaderDone)
			_, leaderErr = rt.RoundTrip(leaderReq)
		}()
		synctest.Wait() // the upstream call has started and waits

		followerCtx, cancelFollower := context.WithCancel(context.Background())
		quitter, _ := http.NewRequestWithContext(followerCtx, http.MethodGet, "http://api.test/x", nil)
		reqs := append(getN(t, 3, "http://api.test/x"), quitter)
		var resps []*http.Response
		var errs []error
		followersDone := make(chan struct{})
		go func() {
			defer close(followersDone)
			resps, errs = concurrently(rt, reqs)
		}()
		synctest.Wait()

		cancelLeader()
		cancelFollower()
		synctest.Wait()
		select {
		case <-leaderDone:
		default:
			t.Fatal("the leader still waits after its context ended")
		}
		if !errors.Is(leaderErr, context.Canceled) {
			t.Errorf("leader: %v, want context.Canceled", leaderErr)
		}

		<-followersDone
		for i := range 3 {
			mustNoErr(t, errs[i])
			if got := readAndClose(t, resps[i]); got != "shared" {
				t.Errorf("follower %d read %q", i, got)
			}
		}
		if !errors.Is(errs[3], context.Canceled) {
			t.Errorf("cancelled follower: %v, want context.Canceled", errs[3])
		}
		if up.Calls() != 1 || up.ctxErrs[0] != nil {
			t.Errorf("upstream: %d calls, context error %v; want 1 call, not cancelled", up.Calls(), up.ctxErrs[0])
		}
		if sawValue != "leader" {
			t.Errorf("upstream context value = %v, want the leader's", sawValue)
		}
		up.allClosed(t)
	})
}

// When every caller has gone, the upstream call is cancelled, and the next
// caller starts a fresh one instead of joining it, even while the cancelled
// one is still winding down.
func TestCoalesceAllCallersGoneCancelsUpstream(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		up := &backend{delay: time.Hour}
		var slowTeardown atomic.Bool
		slowTeardown.Store(true)
		rt := coalescing(t, transport.CoalesceConfig{}, stubFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := up.RoundTrip(req)
			if err != nil && slowTeardown.Load() {
				time.Sleep(time.Second) // the cancelled call takes a while to return
			}
			return resp, err
		}))

		const n = 3
		reqs := make([]*http.Request, n)
		cancels := make([]context.CancelFunc, n)
		for i := range reqs {
			ctx, cancel := context.WithCancel(context.Background())
			reqs[i], _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://api.test/slow", nil)
			cancels[i] = cancel
		}
		var errs []error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, errs = concurrently(rt, reqs)
		}()
		synctest.Wait()

		cancels[0]()
		cancels[1]()
		synctest.Wait()
		up.mu.Lock()
		early := len(up.ctxErrs)
		up.mu.Unlock()
		if early != 0 {
			t.Fatal("upstream call ended while a caller still waited")
		}

		cancels[2]()
		<-done
		synctest.Wait() // the upstream call saw its context end, and winds down
		for i, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("caller %d: %v, want context.Canceled", i, err)
			}
		}
		up.mu.Lock()
		calls, ctxErrs := up.calls, slices.Clone(up.ctxErrs)
		up.mu.Unlock()
		if calls != 1 || len(ctxErrs) != 1 || !errors.Is(ctxErrs[0], context.Canceled) {
			t.Fatalf("upstream: %d calls, context errors %v; want its context cancelled", calls, ctxErrs)
		}

		up.mu.Lock()
		up.delay = 0
		up.mu.Unlock()
		resp, err := rt.RoundTrip(getN(t, 1, "http://api.test/slow")[0])
		mustNoErr(t, err)
		if got := readAndClose(t, resp); got != "ok" || up.Calls() != 2 {
			t.Errorf("next caller: read %q after %d calls; want a fresh call", got, up.Calls())
		}
		time.Sleep(time.Second) // the cancelled call returns at last
	})
}

// An upstream that answers after every caller has gone (ignoring its
// context) still has its body read or drained, and closed.
func TestCoalesceAbandonedBodyClosed(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, tc := range []struct {
		name          string
		size          int
		contentLength bool
	}{
		{"fits", 10, false},
		{"over MaxBody, length unknown", 100, false},
		{"over MaxBody, length known", 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				up := &backend{}
				up.answer = func(req *http.Request) (*http.Response, error) {
					cl := int64(-1)
					if tc.contentLength {
						cl = int64(tc.size)
					}
					return up.respond(req, strings.Repeat("x", tc.size), cl), nil
				}
				slow := stubFunc(func(req *http.Request) (*http.Response, error) {
					time.Sleep(time.Second) // deaf to its context
					return up.RoundTrip(req.WithContext(context.WithoutCancel(req.Context())))
				})
				rt := coalescing(t, transport.CoalesceConfig{MaxBody: 50}, slow)
				reqs := make([]*http.Request, 2)
				for i := range reqs {
					ctx, cancel := context.WithTimeout(context.Background(), time.Second/2)
					defer cancel()
					reqs[i], _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://api.test/x", nil)
				}
				_, errs := concurrently(rt, reqs)
				for i, err := range errs {
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("caller %d: %v, want context.DeadlineExceeded", i, err)
					}
				}
				time.Sleep(time.Second) // fake time: the upstream answers
				synctest.Wait()
				if up.Calls() != 1 {
					t.Fatalf("upstream calls = %d, want 1", up.Calls())
				}
				up.allClosed(t)
			})
		})
	}
}

// A panic below Coalesce is raised on every waiting caller's goroutine, as
// it would be without it.
func TestCoalescePanicReachesCallers(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		boom := stubFunc(func(*http.Request) (*http.Response, error) {
			time.Sleep(time.Second)
			panic("boom")
		})
		rt := coalescing(t, transport.CoalesceConfig{}, boom)
		const n = 3
		got := make([]any, n)
		var wg sync.WaitGroup
		for i, req := range getN(t, n, "http://api.test/x") {
			wg.Go(func() {
				defer func() { got[i] = recover() }()
				_, _ = rt.RoundTrip(req)
			})
		}
		wg.Wait()
		for i, v := range got {
			if v != "boom" {
				t.Errorf("caller %d recovered %v, want boom", i, v)
			}
		}
	})
}

func TestDefaultCoalesceKey(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://user:secret@api.test/v1/items?token=abc", nil)
	req.Header.Set("Authorization", "Bearer s3cr3t")
	req.Header.Set("Cookie", "session=c00k1e")
	key, ok := transport.DefaultCoalesceKey(req)
	if !ok {
		t.Fatal("ok = false")
	}
	if !strings.HasPrefix(key, "GET https://api.test/v1/items #") {
		t.Errorf("key = %q", key)
	}
	for _, secret := range []string{"secret", "abc", "s3cr3t", "c00k1e", "user"} {
		if strings.Contains(key, secret) {
			t.Errorf("key %q shows %q", key, secret)
		}
	}
	// Everything counts, the hidden parts included.
	other := req.Clone(context.Background())
	other.URL.User = nil
	if k, _ := transport.DefaultCoalesceKey(other); k == key {
		t.Error("userinfo does not count")
	}
	other = req.Clone(context.Background())
	other.Header.Set("Cookie", "session=other")
	if k, _ := transport.DefaultCoalesceKey(other); k == key {
		t.Error("Cookie does not count")
	}
	other = req.Clone(context.Background())
	other.Header["Authorization"] = []string{"Bearer s3cr3t", "x"}
	if k, _ := transport.DefaultCoalesceKey(other); k == key {
		t.Error("a second value does not count")
	}
	// Request ids do not.
	other = req.Clone(context.Background())
	other.Header.Set("X-Request-Id", "42")
	other.Header.Set("Tracestate", "a=b")
	if k, _ := transport.DefaultCoalesceKey(other); k != key {
		t.Error("request ids count")
	}
}

// Against a real loopback server: the backend sees one request for many
// identical callers; and an oversized body reaches every caller whole.
func TestCoalesceLoopback(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n = 10
	for _, tc := range []struct {
		name     string
		size     int
		maxBody  int64
		requests int64
	}{
		{"shared", 32 << 10, 0, 1},
		{"over MaxBody", 256 << 10, 1 << 10, n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := strings.Repeat("0123456789abcdef", tc.size/16)
			release := make(chan struct{})
			var requests atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				_, _ = io.WriteString(w, payload)
			}))
			defer srv.Close()
			base := &http.Transport{}
			defer base.CloseIdleConnections()
			mw, err := transport.Coalesce(transport.CoalesceConfig{
				MaxBody: tc.maxBody,
				OnShared: func(_ string, callers int) {
					if callers == n { // all n wait for the one call: let it answer
						close(release)
					}
				},
			})
			mustNoErr(t, err)
			client := &http.Client{Transport: transport.Chain(base, mw)}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			bodies := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/doc", nil)
					resp, err := client.Do(req)
					if err != nil {
						errs[i] = err
						return
					}
					defer resp.Body.Close()
					b, err := io.ReadAll(resp.Body)
					bodies[i], errs[i] = string(b), err
				})
			}
			wg.Wait()
			for i := range n {
				mustNoErr(t, errs[i])
				if bodies[i] != payload {
					t.Errorf("caller %d read %d bytes, want %d", i, len(bodies[i]), len(payload))
				}
			}
			if got := requests.Load(); got != tc.requests {
				t.Errorf("server saw %d requests, want %d", got, tc.requests)
			}
		})
	}
}

// Pass-through: a POST is not coalesced and costs a method comparison.
func BenchmarkCoalescePassThrough(b *testing.B) {
	rt := coalescing(b, transport.CoalesceConfig{}, okStub)
	req, _ := http.NewRequest(http.MethodPost, "http://x.test/", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp, err)
		}
	}
}

// A GET alone: the key, the flight, singleflight's goroutine, and the
// caller's copy of the response.
func BenchmarkCoalesceGETNoContention(b *testing.B) {
	benchRoundTrip(b, coalescing(b, transport.CoalesceConfig{}, okStub))
}
