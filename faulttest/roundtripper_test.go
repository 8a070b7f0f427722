package faulttest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

// notForwarded checks the common shape of a request the RoundTripper
// answered itself: next not called, request body closed, counts as want.
func notForwarded(t *testing.T, in *faulttest.Injector, base *stub, body *trackedBody, want faulttest.Counts) {
	t.Helper()
	if n := base.calls.Load(); n != 0 {
		t.Errorf("next called %d times, want 0", n)
	}
	if !body.closed.Load() {
		t.Error("request body not closed")
	}
	if got := in.Stats().Counts; got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestRoundTripperRefuse(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Refuse: 1}))
	base := newStub("hello")
	req, body := newRequest(t, context.Background())
	resp, err := in.RoundTripper(base).RoundTrip(req)
	if resp != nil {
		t.Fatalf("got a response %v", resp.Status)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ECONNREFUSED", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" || op.Net != "tcp" {
		t.Fatalf("err = %#v, want a dial *net.OpError", err)
	}
	if got, want := err.Error(), "dial tcp backend.test:80: connect: connection refused"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	notForwarded(t, in, base, body, faulttest.Counts{Requests: 1, Refused: 1})
}

func TestRoundTripperReset(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Reset: 1}))
	base := newStub("hello")
	req, body := newRequest(t, context.Background())
	resp, err := in.RoundTripper(base).RoundTrip(req)
	if resp != nil {
		t.Fatalf("got a response %v", resp.Status)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("err = %v, want ECONNRESET", err)
	}
	if !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("err = %q, want it to say connection reset by peer", err)
	}
	notForwarded(t, in, base, body, faulttest.Counts{Requests: 1, Reset: 1})
}

func TestRoundTripperStatus(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Status: 1, StatusCode: http.StatusTooManyRequests, RetryAfter: "2"}))
	base := newStub("hello")
	req, body := newRequest(t, context.Background())
	resp, err := in.RoundTripper(base).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 429 || resp.Status != "429 Too Many Requests" {
		t.Errorf("status = %d %q, want 429", resp.StatusCode, resp.Status)
	}
	if got := resp.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want 2", got)
	}
	if resp.Request != req {
		t.Error("resp.Request is not the request")
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil || int64(len(b)) != resp.ContentLength || !strings.Contains(string(b), "429") {
		t.Errorf("body = %q, %v (Content-Length %d)", b, err, resp.ContentLength)
	}
	notForwarded(t, in, base, body, faulttest.Counts{Requests: 1, Status: 1})
}

func TestRoundTripperStatusDefaults(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Status: 1}))
	req, _ := newRequest(t, context.Background())
	resp, err := in.RoundTripper(newStub("")).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != faulttest.DefaultStatusCode {
		t.Errorf("status = %d, want %d", resp.StatusCode, faulttest.DefaultStatusCode)
	}
	if _, ok := resp.Header["Retry-After"]; ok {
		t.Error("Retry-After set without RetryAfter")
	}
}

func TestRoundTripperTruncate(t *testing.T) {
	const full = "0123456789abcdefghij" // 20 bytes
	for _, tt := range []struct {
		name string
		cl   int64
	}{{"known length", -2}, {"unknown length", -1}} {
		t.Run(tt.name, func(t *testing.T) {
			in := mustNew(t, one(faulttest.Phase{Truncate: 1}))
			base := newStub(full)
			base.cl = tt.cl
			req, _ := newRequest(t, context.Background())
			resp, err := in.RoundTripper(base).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read error = %v, want io.ErrUnexpectedEOF", err)
			}
			if string(b) != full[:10] {
				t.Errorf("read %q, want %q", b, full[:10])
			}
			if want := (faulttest.Counts{Requests: 1, Passed: 1, Truncated: 1}); in.Stats().Counts != want {
				t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
			}
		})
	}
}

func TestRoundTripperTruncateEmptyBody(t *testing.T) {
	for _, cl := range []int64{-2, -1} {
		in := mustNew(t, one(faulttest.Phase{Truncate: 1}))
		base := newStub("")
		base.cl = cl
		req, _ := newRequest(t, context.Background())
		resp, err := in.RoundTripper(base).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 0 {
			t.Errorf("Content-Length %d: read %q, %v; want an empty body", cl, b, err)
		}
		resp.Body.Close()
		if want := (faulttest.Counts{Requests: 1, Passed: 1}); in.Stats().Counts != want {
			t.Errorf("Content-Length %d: Stats = %+v, want %+v", cl, in.Stats().Counts, want)
		}
	}
}

func TestRoundTripperSlowBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{SlowBody: 1, SlowChunk: 8, SlowDelay: 10 * time.Millisecond}))
		full := strings.Repeat("x", 60) // 8 pieces: 7 of 8 bytes, one of 4
		req, _ := newRequest(t, context.Background())
		start := time.Now()
		resp, err := in.RoundTripper(newStub(full)).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if d := time.Since(start); d != 0 {
			t.Errorf("RoundTrip took %v, want the headers at once", d)
		}
		var got []byte
		buf := make([]byte, 1024)
		for {
			n, err := resp.Body.Read(buf)
			if n > 8 {
				t.Fatalf("Read returned %d bytes, want at most 8", n)
			}
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if string(got) != full {
			t.Errorf("body = %q, want %q", got, full)
		}
		if d := time.Since(start); d != 80*time.Millisecond {
			t.Errorf("body took %v, want 80ms (8 pieces × 10ms)", d)
		}
		if want := (faulttest.Counts{Requests: 1, Passed: 1, Slowed: 1}); in.Stats().Counts != want {
			t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
		}
	})
}

func TestRoundTripperSlowBodyDefaultsAndContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{SlowBody: 1}))
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Millisecond)
		defer cancel()
		req, _ := newRequest(t, ctx)
		resp, err := in.RoundTripper(newStub(strings.Repeat("x", 100))).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		start := time.Now()
		b, err := io.ReadAll(resp.Body)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("read error = %v, want context.DeadlineExceeded", err)
		}
		// Default 16 bytes every 10ms: two pieces before the 25ms deadline.
		if len(b) != 2*faulttest.DefaultSlowChunk {
			t.Errorf("read %d bytes before the deadline, want %d", len(b), 2*faulttest.DefaultSlowChunk)
		}
		if d := time.Since(start); d != 25*time.Millisecond {
			t.Errorf("read ended after %v, want 25ms (the deadline)", d)
		}
	})
}

func TestRoundTripperHangUntilDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{Hang: 1}))
		base := newStub("hello")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		req, body := newRequest(t, ctx)
		start := time.Now()
		resp, err := in.RoundTripper(base).RoundTrip(req)
		if resp != nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("RoundTrip = %v, %v; want context.DeadlineExceeded", resp, err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("hang ended after %v, want exactly 3s", d)
		}
		notForwarded(t, in, base, body, faulttest.Counts{Requests: 1, Hung: 1})
	})
}

func TestRoundTripperHangReleasedByClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{Hang: 1}))
		rt := in.RoundTripper(newStub("hello"))
		errc := make(chan error, 2)
		for range 2 {
			go func() {
				req, _ := newRequest(t, context.Background())
				_, err := rt.RoundTrip(req)
				errc <- err
			}()
		}
		synctest.Wait() // both hang
		if in.Stats().Hung != 2 {
			t.Fatalf("Hung = %d, want 2", in.Stats().Hung)
		}
		select {
		case err := <-errc:
			t.Fatalf("a hang ended before Close: %v", err)
		default:
		}
		in.Close()
		in.Close() // idempotent
		for range 2 {
			if err := <-errc; !errors.Is(err, faulttest.ErrClosed) {
				t.Errorf("err = %v, want ErrClosed", err)
			}
		}
		// After Close a hang returns at once.
		req, _ := newRequest(t, context.Background())
		if _, err := rt.RoundTrip(req); !errors.Is(err, faulttest.ErrClosed) {
			t.Errorf("after Close: err = %v, want ErrClosed", err)
		}
	})
}

func TestRoundTripperLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Fixed(50 * time.Millisecond)}}))
		base := newStub("hello")
		rt := in.RoundTripper(base)

		req, _ := newRequest(t, context.Background())
		start := time.Now()
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("RoundTrip took %v, want 50ms", d)
		}

		// A context that ends during the latency: ctx.Err(), next not called.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		req, body := newRequest(t, ctx)
		start = time.Now()
		if _, err := rt.RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("RoundTrip took %v, want 10ms", d)
		}
		if !body.closed.Load() {
			t.Error("request body not closed")
		}
		if n := base.calls.Load(); n != 1 {
			t.Errorf("next called %d times, want 1", n)
		}
		if want := (faulttest.Counts{Requests: 2, Passed: 1, Delayed: 2}); in.Stats().Counts != want {
			t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
		}
	})
}

func TestRoundTripperLatencyThenFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Fixed(time.Second)}, Refuse: 1}))
		req, _ := newRequest(t, context.Background())
		start := time.Now()
		if _, err := in.RoundTripper(newStub("")).RoundTrip(req); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("err = %v, want ECONNREFUSED", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("refused after %v, want 1s (latency first)", d)
		}
	})
}

func TestRoundTripperPassThrough(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{}))
	base := newStub("hello")
	req, body := newRequest(t, context.Background())
	orig := req.Clone(context.Background())
	resp, err := in.RoundTripper(base).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" || base.calls.Load() != 1 {
		t.Errorf("body %q after %d calls, want hello after 1", b, base.calls.Load())
	}
	if body.closed.Load() {
		t.Error("a forwarded request's body was closed by the injector")
	}
	if req.Method != orig.Method || req.URL.String() != orig.URL.String() || len(req.Header) != len(orig.Header) {
		t.Error("request modified")
	}
	if want := (faulttest.Counts{Requests: 1, Passed: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
}

func TestRoundTripperNilNextIsDefaultTransport(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Refuse: 1}))
	c := &http.Client{Transport: in.RoundTripper(nil)}
	_, err := c.Get("http://backend.test/")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED through http.Client", err)
	}
	c.CloseIdleConnections()
}

// fixedResponse is a base RoundTripper that allocates nothing.
type fixedResponse struct{ resp *http.Response }

func (f fixedResponse) RoundTrip(*http.Request) (*http.Response, error) { return f.resp, nil }

func TestRoundTripperHealthyPathAllocatesNothing(t *testing.T) {
	// A phase that draws everything but never applies anything.
	in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 0, Dist: faulttest.Fixed(time.Hour)}, Refuse: 0, SlowBody: 0}))
	rt := in.RoundTripper(fixedResponse{&http.Response{StatusCode: 200, Body: http.NoBody}})
	req, err := http.NewRequest(http.MethodGet, "http://backend.test/", nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("healthy RoundTrip: %v allocs, want 0", allocs)
	}
}

func BenchmarkRoundTripperHealthy(b *testing.B) {
	in, err := faulttest.New(one(faulttest.Phase{}))
	if err != nil {
		b.Fatal(err)
	}
	rt := in.RoundTripper(fixedResponse{&http.Response{StatusCode: 200, Body: http.NoBody}})
	req, err := http.NewRequest(http.MethodGet, "http://backend.test/", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rt.RoundTrip(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestLatencyAndSlowBodyOnFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{
			Latency:   faulttest.Latency{P: 1, Dist: faulttest.Fixed(300 * time.Millisecond)},
			SlowBody:  1,
			SlowChunk: 4,
			SlowDelay: 50 * time.Millisecond,
		}))
		req, _ := newRequest(t, t.Context())
		start := time.Now()
		resp, err := in.RoundTripper(newStub("0123456789ab")).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 300*time.Millisecond {
			t.Errorf("headers after %v, want the fixed latency 300ms", d)
		}
		defer resp.Body.Close()
		buf := make([]byte, 64)
		n, err := resp.Body.Read(buf)
		if err != nil || n != 4 {
			t.Fatalf("first read = %d, %v; want one chunk of 4 bytes", n, err)
		}
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(buf[:n])+string(rest) != "0123456789ab" {
			t.Fatalf("body %q, %v; want it whole", string(buf[:n])+string(rest), err)
		}
		if d := time.Since(start); d != 300*time.Millisecond+3*50*time.Millisecond {
			t.Errorf("body read after %v, want latency plus three slow chunks (450ms)", d)
		}
		if s := in.Stats(); s.Delayed != 1 || s.Slowed != 1 {
			t.Errorf("counts %+v; want one delayed, one slowed", s.Counts)
		}
	})
}

// A Distribution of the caller's own is used as it is.
type halfSecond struct{}

func (halfSecond) Sample(float64) time.Duration { return 500 * time.Millisecond }

func TestCustomDistributionAndContextDuringLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newStub("")
		in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: halfSecond{}}}))
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		req, _ := newRequest(t, ctx)
		start := time.Now()
		_, err := in.RoundTripper(b).RoundTrip(req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 200*time.Millisecond {
			t.Fatalf("err %v after %v; want the context's deadline at 200ms", err, time.Since(start))
		}
		if b.calls.Load() != 0 {
			t.Errorf("backend called %d times; want none", b.calls.Load())
		}
	})
}
