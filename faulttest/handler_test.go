package faulttest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

const page = "the quick brown fox jumps over the lazy dog, again and again and again\n" // 71 bytes

// serve starts a loopback server whose handler is in's Handler over a
// handler writing page, and a client with its own transport. Cleanup closes
// the injector first (releasing hangs), then the server.
func serve(t *testing.T, in *faulttest.Injector) (*httptest.Server, *http.Client, *atomic.Int64) {
	t.Helper()
	calls := new(atomic.Int64)
	srv := httptest.NewServer(in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, page)
	})))
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		in.Close()
		srv.Close()
		client.CloseIdleConnections()
	})
	return srv, client, calls
}

func TestHandlerReset(t *testing.T) {
	for _, tt := range []struct {
		name  string
		phase faulttest.Phase
		want  faulttest.Counts
	}{
		{"Reset", faulttest.Phase{Reset: 1}, faulttest.Counts{Requests: 1, Reset: 1}},
		{"Refuse resets", faulttest.Phase{Refuse: 1}, faulttest.Counts{Requests: 1, Refused: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := mustNew(t, one(tt.phase))
			srv, client, calls := serve(t, in)
			resp, err := client.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got a response %q, want a connection reset", resp.Status)
			}
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("err = %v, want ECONNRESET", err)
			}
			if calls.Load() != 0 {
				t.Errorf("next called %d times, want 0", calls.Load())
			}
			if got := in.Stats().Counts; got != tt.want {
				t.Errorf("Stats = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHandlerTruncate(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Truncate: 1}))
	srv, client, calls := serve(t, in)
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(page)) {
		t.Errorf("got %q with Content-Length %d, want 200 with %d", resp.Status, resp.ContentLength, len(page))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Content-Type = %q, want next's text/plain", ct)
	}
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error = %v, want io.ErrUnexpectedEOF", err)
	}
	if string(b) != page[:len(page)/2] {
		t.Errorf("read %q, want the first half of the page", b)
	}
	if calls.Load() != 1 {
		t.Errorf("next called %d times, want 1", calls.Load())
	}
	if want := (faulttest.Counts{Requests: 1, Passed: 1, Truncated: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
}

func TestHandlerTruncateWithoutBody(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Truncate: 1}))
	h := in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/204" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, page)
	}))
	for _, tt := range []struct{ method, path string }{
		{http.MethodHead, "/"},
		{http.MethodGet, "/204"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Header().Get("Content-Length") != "" {
			t.Errorf("%s %s: Content-Length %q declared", tt.method, tt.path, rec.Header().Get("Content-Length"))
		}
	}
	if st := in.Stats(); st.Truncated != 0 || st.Passed != 2 {
		t.Errorf("Stats = %+v, want 2 passed, none truncated", st.Counts)
	}

	// With a recorder, the truncated response is visible as written.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(page)) || rec.Body.String() != page[:len(page)/2] {
		t.Errorf("recorded Content-Length %q and body %q, want %d and half the page", cl, rec.Body, len(page))
	}
}

func TestHandlerStatus(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable, RetryAfter: "2"}))
	srv, client, calls := serve(t, in)
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %q, want 503", resp.Status)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After = %q, want 2", ra)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || !strings.Contains(string(b), "503") {
		t.Errorf("body = %q, %v", b, err)
	}
	if calls.Load() != 0 {
		t.Errorf("next called %d times, want 0", calls.Load())
	}
	if want := (faulttest.Counts{Requests: 1, Status: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
}

func TestHandlerHangUntilClientGivesUp(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Hang: 1}))
	srv, client, calls := serve(t, in)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitHung(in, 1)
	cancel() // the client gives up (as a client timeout would)
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if calls.Load() != 0 {
		t.Errorf("next called %d times, want 0", calls.Load())
	}
	if want := (faulttest.Counts{Requests: 1, Hung: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
	// The handler returned when the client went away: closing the server,
	// which waits for its handlers, does not block without in.Close.
	srv.Close()
}

// waitHung waits until n requests have reached a Hang fault.
func waitHung(in *faulttest.Injector, n uint64) {
	for in.Stats().Hung < n {
		runtime.Gosched()
	}
}

func TestHandlerHangReleasedByClose(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Hang: 1}))
	srv, client, _ := serve(t, in)
	errc := make(chan error, 1)
	go func() {
		resp, err := client.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitHung(in, 1)
	in.Close()
	if err := <-errc; err == nil {
		t.Error("a hang released by Close sent a response, want an aborted connection")
	}
	srv.Close() // does not block: the handler returned
}

func TestHandlerSlowBody(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{SlowBody: 1, SlowChunk: 16, SlowDelay: time.Millisecond}))
	srv, client, _ := serve(t, in)
	start := time.Now()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != page {
		t.Errorf("body = %q, %v; want the full page", b, err)
	}
	// 71 bytes in pieces of 16: 5 pieces, 1ms apart at least.
	if d := time.Since(start); d < 5*time.Millisecond {
		t.Errorf("body came in %v, want at least 5ms", d)
	}
	if want := (faulttest.Counts{Requests: 1, Passed: 1, Slowed: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
}

// flushRecorder records the time of each flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	flushes []time.Duration
	start   time.Time
	sizes   []int
}

func (f *flushRecorder) Flush() {
	f.flushes = append(f.flushes, time.Since(f.start))
	f.sizes = append(f.sizes, f.Body.Len())
	f.ResponseRecorder.Flush()
}

func TestHandlerSlowBodyTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{SlowBody: 1, SlowChunk: 32, SlowDelay: 10 * time.Millisecond}))
		h := in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, page)
		}))
		rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder(), start: time.Now()}
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Body.String() != page {
			t.Errorf("body = %q, want the page", rec.Body)
		}
		wantT := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
		wantN := []int{32, 64, 71}
		if !slicesEqual(rec.flushes, wantT) || !slicesEqual(rec.sizes, wantN) {
			t.Errorf("flushes at %v with %v bytes, want at %v with %v", rec.flushes, rec.sizes, wantT, wantN)
		}

		// A request whose context ends mid-body: the write fails with ctx.Err().
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
		defer cancel()
		var werr error
		h = in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, werr = io.WriteString(w, page)
		}))
		rec2 := httptest.NewRecorder()
		h.ServeHTTP(rec2, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
		if !errors.Is(werr, context.DeadlineExceeded) || rec2.Body.Len() != 32 {
			t.Errorf("write = %v after %d bytes, want context.DeadlineExceeded after 32", werr, rec2.Body.Len())
		}
	})
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHandlerLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Fixed(time.Second)}}))
		called := 0
		h := in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called++ }))
		start := time.Now()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if d := time.Since(start); d != time.Second || called != 1 {
			t.Errorf("served after %v with %d calls, want 1s and 1", d, called)
		}
		// The client gives up during the latency: next is not called.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
		if called != 1 || rec.Body.Len() != 0 {
			t.Errorf("next called %d times, %d bytes written; want 1 and 0", called, rec.Body.Len())
		}
		if want := (faulttest.Counts{Requests: 2, Passed: 1, Delayed: 2}); in.Stats().Counts != want {
			t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
		}
	})
}

func TestHandlerResetWithoutHijackPanics(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{Reset: 1}))
	h := in.Handler(http.NotFoundHandler())
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

func TestHandlerPassThrough(t *testing.T) {
	in := mustNew(t, one(faulttest.Phase{}))
	srv, client, calls := serve(t, in)
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != page || calls.Load() != 1 {
		t.Errorf("body %q, %v after %d calls; want the page after 1", b, err, calls.Load())
	}
	if want := (faulttest.Counts{Requests: 1, Passed: 1}); in.Stats().Counts != want {
		t.Errorf("Stats = %+v, want %+v", in.Stats().Counts, want)
	}
}
