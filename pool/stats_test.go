package pool_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/pool"
)

// N sequential requests share one connection: 1 new, N−1 reused, every
// reuse from the idle pool.
func TestSequentialRequestsReuseOneConnection(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{})
	const n = 50
	for range n {
		if resp := get(t, p, srv.URL); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections for %d sequential requests, want 1", got, n)
	}
	s := p.Stats()
	h, ok := s.Hosts[srv.host()]
	if !ok || len(s.Hosts) != 1 {
		t.Fatalf("Stats().Hosts = %v, want one entry for %s", s.Hosts, srv.host())
	}
	want := pool.HostStats{New: 1, Reused: n - 1, Idle: n - 1, IdleTime: h.IdleTime}
	if h != want || s.Total != h {
		t.Errorf("Stats() = %+v, want %+v for the host and the total", s, want)
	}
	if h.IdleTime < 0 {
		t.Errorf("IdleTime %v is negative", h.IdleTime)
	}
	if h.Conns() != n {
		t.Errorf("Conns() = %d, want %d", h.Conns(), n)
	}
}

// The trap: C concurrent requests, round after round. The pool keeps C
// idle connections and dials C in all; a stdlib transport with its default
// MaxIdleConnsPerHost of 2 keeps 2 and dials C−2 again every round.
func TestConcurrentReuseVersusDefaultTransport(t *testing.T) {
	const c, rounds = 16, 5
	run := func(rt http.RoundTripper) int64 {
		b := newBarrier(c)
		srv := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.wait(r.Context()) // all c requests are in flight together
			io.WriteString(w, "ok")
		}))
		t.Cleanup(b.releaseAll)
		for range rounds {
			concurrently(c, func() { get(t, rt, srv.URL) })
		}
		return srv.conns.Load()
	}

	p := newPool(t, pool.Config{})
	std := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(std.CloseIdleConnections)

	pooled, stdlib := run(p), run(std)
	t.Logf("%d rounds of %d concurrent requests: pool dialled %d connections, stdlib default transport %d",
		rounds, c, pooled, stdlib)
	if pooled != c {
		t.Errorf("pool: server accepted %d connections, want %d (one per concurrent request, then reuse)", pooled, c)
	}
	if want := int64(c + (rounds-1)*(c-http.DefaultMaxIdleConnsPerHost)); stdlib != want {
		t.Errorf("stdlib default transport: server accepted %d connections, want %d", stdlib, want)
	}
	s := p.Stats().Total
	if s.New != c || s.Reused != c*(rounds-1) || s.Idle != s.Reused {
		t.Errorf("pool Stats().Total = %+v, want New %d, Reused = Idle = %d", s, c, c*(rounds-1))
	}
}

// routeAll returns a dialer that sends every connection to srv, whatever
// the host asked for, so that requests to many hosts reach one server.
func routeAll(srv *countingServer) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.host())
	}
}

func TestStatsPerHostCanonicalNames(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{DialContext: routeAll(srv)})
	for _, u := range []string{
		"http://a.test/", "http://a.test:80/x", "http://A.TEST/y", // one host
		"http://b.test:8080/", "http://b.test:8080/",
		"http://[::1]:9/",
	} {
		get(t, p, u)
	}
	s := p.Stats()
	want := map[string]pool.HostStats{
		// net/http keys its connections by the host as spelt, so A.TEST
		// got a connection of its own; the statistics fold case.
		"a.test:80":   {New: 2, Reused: 1, Idle: 1},
		"b.test:8080": {New: 1, Reused: 1, Idle: 1},
		"[::1]:9":     {New: 1},
	}
	if len(s.Hosts) != len(want) {
		t.Errorf("Stats().Hosts has %d keys %v, want %d", len(s.Hosts), s.Hosts, len(want))
	}
	var total pool.HostStats
	for name, w := range want {
		got := s.Hosts[name]
		got.IdleTime = 0
		if got != w {
			t.Errorf("Hosts[%q] = %+v, want %+v", name, got, w)
		}
		total.New += w.New
		total.Reused += w.Reused
		total.Idle += w.Idle
	}
	s.Total.IdleTime = 0
	if s.Total != total {
		t.Errorf("Total = %+v, want %+v", s.Total, total)
	}
}

func TestStatsOtherHosts(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{DialContext: routeAll(srv), MaxTrackedHosts: 2})
	for i := range 5 {
		get(t, p, fmt.Sprintf("http://h%d.test/", i))
		get(t, p, fmt.Sprintf("http://h%d.test/", i))
	}
	s := p.Stats()
	if len(s.Hosts) != 3 {
		t.Fatalf("Stats().Hosts = %v, want h0, h1 and %q", s.Hosts, pool.OtherHosts)
	}
	for _, name := range []string{"h0.test:80", "h1.test:80"} {
		if h := s.Hosts[name]; h.New != 1 || h.Reused != 1 {
			t.Errorf("Hosts[%q] = %+v, want 1 new, 1 reused", name, h)
		}
	}
	if h := s.Hosts[pool.OtherHosts]; h.New != 3 || h.Reused != 3 {
		t.Errorf("Hosts[%q] = %+v, want 3 new, 3 reused", pool.OtherHosts, h)
	}
	if s.Total.New != 5 || s.Total.Reused != 5 {
		t.Errorf("Total = %+v, want 5 new, 5 reused", s.Total)
	}
}

// Many spellings of many hosts from many goroutines, with Stats read
// meanwhile: nothing is lost (run with -race).
func TestStatsConcurrent(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{DialContext: routeAll(srv), MaxTrackedHosts: 4})
	const workers, perWorker = 8, 40
	concurrently(workers, func() {
		for i := range perWorker {
			get(t, p, fmt.Sprintf("http://h%d.test:%d/", i%6, 80+i%3))
			if i%4 == 0 {
				_ = p.Stats() // read while the others count
			}
		}
	})
	s := p.Stats()
	if got := s.Total.Conns(); got != workers*perWorker {
		t.Errorf("Stats counted %d connections handed out for %d requests", got, workers*perWorker)
	}
	// A connection dialled for a request that meanwhile took one freed by
	// another request goes idle unused: the server may count more.
	if got := int64(s.Total.New); got == 0 || got > srv.conns.Load() {
		t.Errorf("Stats counted %d new connections, the server accepted %d", got, srv.conns.Load())
	}
	if len(s.Hosts) != 5 {
		t.Errorf("Stats().Hosts has %d keys, want 4 tracked and %q: %v", len(s.Hosts), pool.OtherHosts, s.Hosts)
	}
}

func TestStatsDisabled(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{DisableStats: true})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp := do(t, p, req)
	if resp.Request != req {
		t.Error("resp.Request is not the caller's request")
	}
	if s := p.Stats(); s.Total != (pool.HostStats{}) || len(s.Hosts) != 0 {
		t.Errorf("Stats() = %+v with DisableStats, want zero", s)
	}
}

// RoundTrip leaves the caller's request alone and hands it back in
// resp.Request; the copy the transport sees keeps the caller's context
// values, deadline and cancellation.
func TestRoundTripRequestAndContext(t *testing.T) {
	srv := newServer(t, "", nil)
	type key struct{}
	var dialSawValue atomic.Bool
	p := newPool(t, pool.Config{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialSawValue.Store(ctx.Value(key{}) == "v")
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}})
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp := do(t, p, req)
	if resp.Request != req {
		t.Error("resp.Request is not the caller's request")
	}
	if req.Context() != ctx {
		t.Error("the caller's request was given another context")
	}
	if !dialSawValue.Load() {
		t.Error("the dialer did not see the caller's context value")
	}

	r2 := pool.WithTrace(req, &httptrace.ClientTrace{})
	if r2 == req || r2.URL != req.URL || r2.Header == nil {
		t.Error("WithTrace did not make a shallow copy")
	}
	if r2.Context().Value(key{}) != "v" {
		t.Error("the copy's context lost the caller's value")
	}
	if d1, ok1 := ctx.Deadline(); true {
		if d2, ok2 := r2.Context().Deadline(); d1 != d2 || ok1 != ok2 {
			t.Errorf("the copy's deadline is %v %v, want %v %v", d2, ok2, d1, ok1)
		}
	}
	cancel()
	<-r2.Context().Done()
	if r2.Context().Err() != context.Canceled {
		t.Errorf("the copy's Err() = %v after cancel, want context.Canceled", r2.Context().Err())
	}

	// A cancelled context fails the request with the caller's error.
	_, err := p.RoundTrip(req)
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("RoundTrip with a cancelled context: %v, want context.Canceled", err)
	}
}

// The statistics' trace costs one allocation: the request copy and its
// context together.
func TestWithTraceAllocatesOnce(t *testing.T) {
	if !pool.TraceKeyLearnt() {
		t.Fatal("the httptrace context key was not learnt: RoundTrip falls back to two allocations")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://x.test/", nil)
	trace := &httptrace.ClientTrace{}
	if got := testing.AllocsPerRun(100, func() { pool.WithTrace(req, trace) }); got != 1 {
		t.Errorf("WithTrace allocates %v times, want 1", got)
	}
	if httptrace.ContextClientTrace(pool.WithTrace(req, trace).Context()) != trace {
		t.Error("httptrace does not find the trace in the copy's context")
	}
}

// A caller's own ClientTrace keeps working alongside the statistics, and
// the shared per-host trace is not changed by composing with it.
func TestRoundTripWithCallersTrace(t *testing.T) {
	srv := newServer(t, "", nil)
	p := newPool(t, pool.Config{})
	var callerGotConn atomic.Int64
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { callerGotConn.Add(1) }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodGet, srv.URL, nil)
	do(t, p, req)
	do(t, p, req)
	get(t, p, srv.URL) // no caller trace: must not call the caller's hook
	if got := callerGotConn.Load(); got != 2 {
		t.Errorf("the caller's GotConn ran %d times, want 2", got)
	}
	if s := p.Stats().Total; s.New != 1 || s.Reused != 2 {
		t.Errorf("Stats().Total = %+v, want 1 new, 2 reused", s)
	}
}

func TestRoundTripNilURL(t *testing.T) {
	p := newPool(t, pool.Config{})
	resp, err := p.RoundTrip(&http.Request{Method: http.MethodGet, Header: http.Header{}})
	if err == nil {
		resp.Body.Close()
		t.Fatal("RoundTrip with a nil URL succeeded")
	}
}
