package pool_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/pool"
)

// After WarmUp(n) the server has seen n connections, and the next n
// concurrent requests dial nothing new.
func TestWarmUpOpensNConnections(t *testing.T) {
	t.Run("http", func(t *testing.T) { testWarmUpOpensNConnections(t, "") })
	t.Run("https", func(t *testing.T) { testWarmUpOpensNConnections(t, "tls") })
}

func testWarmUpOpensNConnections(t *testing.T, mode string) {
	const n = 8
	var inFlight atomic.Bool
	b := newBarrier(n)
	srv := newServer(t, mode, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Load() {
			b.wait(r.Context())
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(b.releaseAll)
	conf := pool.Config{}
	if mode != "" {
		conf.TLSClientConfig = srv.clientTLS()
	}
	p := newPool(t, conf)

	if err := p.WarmUp(context.Background(), srv.URL, n); err != nil {
		t.Fatalf("WarmUp: %v", err)
	}
	if got := srv.conns.Load(); got != n {
		t.Errorf("server accepted %d connections after WarmUp(%d)", got, n)
	}
	// OPTIONS * is answered by http.Server itself.
	if got := srv.requests.Load(); got != 0 {
		t.Errorf("the handler saw %d warm-up requests, want 0 (OPTIONS * never reaches it)", got)
	}
	s := p.Stats().Hosts[srv.host()]
	// One probe alone, then n together: the probe's connection is reused.
	if s.New != n || s.Reused != 1 {
		t.Errorf("Stats after WarmUp(%d) = %+v, want %d new, 1 reused", n, s, n)
	}

	inFlight.Store(true) // the next n requests are in flight together
	concurrently(n, func() { get(t, p, srv.URL) })
	if got := srv.conns.Load(); got != n {
		t.Errorf("server accepted %d connections after %d concurrent requests on a warm pool, want still %d", got, n, n)
	}
	s = p.Stats().Hosts[srv.host()]
	if s.New != n || s.Reused != n+1 || s.Idle != n+1 {
		t.Errorf("Stats after the requests = %+v, want %d new (all from WarmUp), %d reused from the idle pool", s, n, n+1)
	}
}

// A target with a path is warmed with HEAD requests for it.
func TestWarmUpHEADPath(t *testing.T) {
	var heads atomic.Int64
	srv := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && r.URL.Path == "/healthz" && r.URL.RawQuery == "deep=1" {
			heads.Add(1)
		}
	}))
	p := newPool(t, pool.Config{})
	if err := p.WarmUp(context.Background(), srv.URL+"/healthz?deep=1#frag", 3); err != nil {
		t.Fatalf("WarmUp: %v", err)
	}
	if got, all := heads.Load(), srv.requests.Load(); got != 4 || all != 4 {
		t.Errorf("handler saw %d requests, %d of them HEAD /healthz?deep=1; want 4 (a probe and 3)", all, got)
	}
	if got := srv.conns.Load(); got != 3 {
		t.Errorf("server accepted %d connections, want 3", got)
	}
}

// n is capped at what the transport keeps idle, and at MaxConnsPerHost
// (which would otherwise deadlock the warm-up).
func TestWarmUpCapped(t *testing.T) {
	for _, tt := range []struct {
		c    pool.Config
		want int64
	}{
		{pool.Config{MaxIdleConnsPerHost: 3}, 3},
		{pool.Config{MaxConnsPerHost: 2}, 2},
		{pool.Config{MaxIdleConnsPerHost: 4, MaxIdleConns: 4}, 4},
	} {
		srv := newServer(t, "", nil)
		p := newPool(t, tt.c)
		if err := p.WarmUp(context.Background(), srv.URL, 10); err != nil {
			t.Fatalf("%+v: WarmUp: %v", tt.c, err)
		}
		if got := srv.conns.Load(); got != tt.want {
			t.Errorf("%+v: WarmUp(10) opened %d connections, want %d", tt.c, got, tt.want)
		}
	}
}

func TestWarmUpClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := newPool(t, pool.Config{})
	err = p.WarmUp(context.Background(), "http://"+addr, 4)
	var opErr *net.OpError
	if err == nil || !errors.As(err, &opErr) || !strings.Contains(err.Error(), addr) {
		t.Errorf("WarmUp against a closed port: %v, want a *net.OpError naming %s", err, addr)
	}
	if s := p.Stats().Total; s.Conns() != 0 {
		t.Errorf("Stats().Total = %+v after a failed dial, want zero", s)
	}
}

func TestWarmUpContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		srv := newServer(t, "", nil)
		p := newPool(t, pool.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.WarmUp(ctx, srv.URL, 4); !errors.Is(err, context.Canceled) {
			t.Errorf("WarmUp with a cancelled context: %v, want context.Canceled", err)
		}
		if got := srv.conns.Load(); got != 0 {
			t.Errorf("server accepted %d connections", got)
		}
	})
	t.Run("cancelled during", func(t *testing.T) {
		entered := make(chan struct{}, 1)
		srv := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-r.Context().Done() // the client gave up and closed the connection
		}))
		p := newPool(t, pool.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-entered
			cancel()
		}()
		err := p.WarmUp(ctx, srv.URL+"/slow", 4)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("WarmUp cancelled while waiting for the server: %v, want context.Canceled", err)
		}
	})
}

// A server that closes the connection after answering defeats the
// warm-up: WarmUp says so.
func TestWarmUpServerClosesConnection(t *testing.T) {
	srv := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
	}))
	p := newPool(t, pool.Config{})
	err := p.WarmUp(context.Background(), srv.URL+"/", 2)
	if err == nil || !strings.Contains(err.Error(), "closes the connection") {
		t.Errorf("WarmUp against a server that closes connections: %v, want an error", err)
	}
}

func TestWarmUpArguments(t *testing.T) {
	p := newPool(t, pool.Config{})
	for _, tt := range []struct {
		target string
		n      int
	}{
		{"http://x.test", -1},
		{"ftp://x.test", 1},
		{"/relative", 1},
		{"x.test:80", 1},
		{"http://", 1},
		{"http://x.test/%zz", 1},
	} {
		if err := p.WarmUp(context.Background(), tt.target, tt.n); err == nil {
			t.Errorf("WarmUp(%q, %d) succeeded, want an error", tt.target, tt.n)
		}
	}
	// n = 0 does nothing, not even a dial.
	if err := p.WarmUp(context.Background(), "http://127.0.0.1:1", 0); err != nil {
		t.Errorf("WarmUp(n = 0) = %v, want nil", err)
	}
}

// Warm-up measured: the first request's latency on a cold pool and on a
// warmed pool, against a loopback TLS server, in the same run. The
// timings are logged, not asserted; the connection counts are.
func TestWarmUpMeasured(t *testing.T) {
	srv := newServer(t, "tls", nil)
	conf := pool.Config{TLSClientConfig: srv.clientTLS()}

	cold := newPool(t, conf)
	start := time.Now()
	get(t, cold, srv.URL)
	coldLatency := time.Since(start)
	if s := cold.Stats().Total; s.New != 1 || s.Reused != 0 {
		t.Errorf("cold pool: Stats().Total = %+v, want the first request on a new connection", s)
	}

	warm := newPool(t, conf)
	if err := warm.WarmUp(context.Background(), srv.URL, 1); err != nil {
		t.Fatalf("WarmUp: %v", err)
	}
	start = time.Now()
	get(t, warm, srv.URL)
	warmLatency := time.Since(start)
	if s := warm.Stats().Total; s.New != 1 || s.Reused != 1 || s.Idle != 1 {
		t.Errorf("warm pool: Stats().Total = %+v, want the warm-up's connection reused", s)
	}
	if got := srv.conns.Load(); got != 2 {
		t.Errorf("server accepted %d connections, want 2 (one per pool)", got)
	}
	t.Logf("first request over TLS on loopback: cold pool %v (TCP + TLS handshakes), warmed pool %v", coldLatency, warmLatency)
}
