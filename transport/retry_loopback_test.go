package transport_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
)

// countingServer is a loopback server that counts the TCP connections it
// accepted and the requests it served.
type countingServer struct {
	*httptest.Server
	conns    atomic.Int64
	requests atomic.Int64
}

func newCountingServer(t *testing.T, h http.Handler) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// Thousands of retried requests over a real connection pool: every
// discarded 503 (with a body) is drained and closed, so its connection goes
// back to the pool and no new connection is dialled.
func TestRetryLoopbackReusesConnections(t *testing.T) {
	var seen sync.Map
	filler := strings.Repeat("x", 8<<10)
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, again := seen.LoadOrStore(r.URL.RawQuery, true); !again {
			// Each call's first attempt fails, with a body to drain.
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, filler)
			return
		}
		io.WriteString(w, "ok")
	}))
	const workers, calls = 4, 2000
	base := &http.Transport{MaxIdleConnsPerHost: workers}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: retrying(t, transport.RetryConfig{
		Backoff: backoff.Constant(0),
		Budget:  backoff.Unlimited(),
	}, base)}

	var wg sync.WaitGroup
	var failures, id atomic.Int64
	for range workers {
		wg.Go(func() {
			for range calls / workers {
				resp, err := client.Get(srv.URL + "?call=" + strconv.FormatInt(id.Add(1), 10))
				if err != nil {
					failures.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(body) != "ok" {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d calls did not end in 200 ok", f, calls)
	}
	if got := srv.requests.Load(); got != 2*calls {
		t.Fatalf("server saw %d requests for %d calls: retries did not happen", got, calls)
	}
	// net/http hands a drained connection back to its pool a moment after
	// Close returns, so a worker may now and then dial one more; a leak
	// dials one per retried request (about 2000 here).
	if got := srv.conns.Load(); got > 2*workers {
		t.Fatalf("%d connections dialled for %d workers over %d requests: discarded responses leak connections",
			got, workers, srv.requests.Load())
	}
}

// A POST that reached a real server and got a 503 is not sent again; a PUT
// is, with its body intact.
func TestRetryLoopbackPOSTOnceAndPUTReplayed(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	var n atomic.Int64
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		if n.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	client := &http.Client{Transport: retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, nil)}
	payload := bytes.Repeat([]byte{0, 1, 2, 0xff}, 10000)

	resp, err := client.Post(srv.URL, "application/octet-stream", bytes.NewReader(payload))
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 503 || srv.requests.Load() != 1 {
		t.Fatalf("POST: status %d after %d requests, want 503 after 1", resp.StatusCode, srv.requests.Load())
	}

	n.Store(0)
	bodies = nil
	req, _ := http.NewRequest("PUT", srv.URL, bytes.NewReader(payload))
	resp, err = client.Do(req)
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 204 || len(bodies) != 2 {
		t.Fatalf("PUT: status %d after %d requests, want 204 after 2", resp.StatusCode, len(bodies))
	}
	for i, b := range bodies {
		if !bytes.Equal(b, payload) {
			t.Fatalf("PUT attempt %d: server got %d bytes, want the %d-byte payload", i+1, len(b), len(payload))
		}
	}
}

// Real TCP resets and 503s from a chaos-wrapped loopback server: GETs
// through Retry all succeed, and the backend's request count matches what
// the injector says it injected.
func TestRetryLoopbackChaosResetsAndStatuses(t *testing.T) {
	inj, err := chaos.New(chaos.Config{Seed: 3, Phases: []chaos.Phase{
		{Name: "flaky", Reset: 0.15, Status: 0.15, StatusCode: http.StatusBadGateway},
	}})
	mustNoErr(t, err)
	defer inj.Close()
	srv := newCountingServer(t, inj.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})))
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	var retries atomic.Int64
	client := &http.Client{Transport: retrying(t, transport.RetryConfig{
		MaxAttempts: 6,
		Backoff:     backoff.Constant(0),
		Budget:      backoff.Unlimited(),
		Hooks:       transport.RetryHooks{OnRetry: func(transport.RetryEvent) { retries.Add(1) }},
	}, base)}

	const calls = 500
	for i := range calls {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "ok" {
			t.Fatalf("call %d: %d %q", i, resp.StatusCode, body)
		}
	}
	st := inj.Stats()
	if st.Reset == 0 || st.Status == 0 {
		t.Fatalf("injector injected %d resets and %d statuses: the test proves nothing", st.Reset, st.Status)
	}
	// net/http itself silently retries some resets on idle connections;
	// every other injected fault must have cost us one retry.
	if got, injected := retries.Load(), int64(st.Reset+st.Status); got > injected || got < int64(st.Status) {
		t.Fatalf("%d retries for %d resets and %d statuses injected", got, st.Reset, st.Status)
	}
	if st.Requests != uint64(calls)+st.Reset+st.Status {
		t.Fatalf("backend saw %d requests, want %d calls + %d faults", st.Requests, calls, st.Reset+st.Status)
	}
}
