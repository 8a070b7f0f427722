package pool_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/pool"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// countingServer is a loopback server that counts the TCP connections it
// accepted and the requests that reached its handler.
type countingServer struct {
	*httptest.Server
	conns    atomic.Int64
	requests atomic.Int64
}

// newServer starts a counting server for h (nil: answer "ok"). tlsMode is
// "" for http, "tls" for https/HTTP/1.1, "h2" for https with HTTP/2.
func newServer(t testing.TB, tlsMode string, h http.Handler) *countingServer {
	t.Helper()
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	}
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
	switch tlsMode {
	case "":
		s.Start()
	case "h2":
		s.EnableHTTP2 = true
		s.StartTLS()
	default:
		s.StartTLS()
	}
	t.Cleanup(s.Close)
	return s
}

// host returns the server's address, the key of its Stats.
func (s *countingServer) host() string { return s.Listener.Addr().String() }

// clientTLS returns a TLS config that trusts the server's certificate.
func (s *countingServer) clientTLS() *tls.Config {
	return s.Client().Transport.(*http.Transport).TLSClientConfig
}

// newPool builds a Pool and closes its idle connections at cleanup.
func newPool(t testing.TB, c pool.Config) *pool.Pool {
	t.Helper()
	p, err := pool.New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	t.Cleanup(p.CloseIdleConnections)
	return p
}

// get sends a GET through rt, reads the body to its end (handing the
// connection back) and returns the response.
func get(t testing.TB, rt http.RoundTripper, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, rt, req)
}

func do(t testing.TB, rt http.RoundTripper, req *http.Request) *http.Response {
	t.Helper()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	resp.Body.Close()
	return resp
}

// barrier holds requests in a handler until n have arrived, round after
// round, so that n requests are in flight together and so hold n distinct
// HTTP/1 connections.
type barrier struct {
	n       int
	mu      sync.Mutex
	waiting int
	release chan struct{}
	stop    chan struct{}
}

// newBarrier returns a barrier for n requests. Register its release with
// t.Cleanup after the server's Close, so that it runs first and frees any
// handler a failed test left waiting.
func newBarrier(n int) *barrier {
	return &barrier{n: n, release: make(chan struct{}), stop: make(chan struct{})}
}

func (b *barrier) releaseAll() { close(b.stop) }

func (b *barrier) wait(ctx context.Context) {
	b.mu.Lock()
	rel := b.release
	b.waiting++
	if b.waiting == b.n {
		b.waiting = 0
		b.release = make(chan struct{})
		close(rel)
	}
	b.mu.Unlock()
	select {
	case <-rel:
	case <-ctx.Done():
	case <-b.stop:
	}
}

// concurrently runs n calls of f at once and waits for them.
func concurrently(n int, f func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(f)
	}
	wg.Wait()
}
