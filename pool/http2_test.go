package pool_test

import (
	"context"
	"testing"

	"github.com/resilient-go/resilient/pool"
)

func TestHTTP2(t *testing.T) {
	srv := newServer(t, "h2", nil)
	p := newPool(t, pool.Config{TLSClientConfig: srv.clientTLS()})
	const n = 5
	for range n {
		if resp := get(t, p, srv.URL); resp.ProtoMajor != 2 {
			t.Fatalf("ProtoMajor %d (%s), want HTTP/2", resp.ProtoMajor, resp.Proto)
		}
	}
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections, want 1", got)
	}
	// Idle is not exact over HTTP/2: a stream whose response was read may
	// still count as in flight for a moment.
	if s := p.Stats().Hosts[srv.host()]; s.New != 1 || s.Reused != n-1 || s.Idle > s.Reused {
		t.Errorf("Stats = %+v, want 1 new, %d reused", s, n-1)
	}
}

func TestHTTP2Disabled(t *testing.T) {
	srv := newServer(t, "h2", nil)
	p := newPool(t, pool.Config{TLSClientConfig: srv.clientTLS(), DisableHTTP2: true})
	if resp := get(t, p, srv.URL); resp.ProtoMajor != 1 {
		t.Errorf("ProtoMajor %d (%s) with DisableHTTP2, want HTTP/1.1", resp.ProtoMajor, resp.Proto)
	}
}

// Over HTTP/2 one connection carries every request: WarmUp opens one.
func TestWarmUpHTTP2(t *testing.T) {
	srv := newServer(t, "h2", nil)
	p := newPool(t, pool.Config{TLSClientConfig: srv.clientTLS()})
	if err := p.WarmUp(context.Background(), srv.URL, 8); err != nil {
		t.Fatalf("WarmUp: %v", err)
	}
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections after WarmUp(8) over HTTP/2, want 1", got)
	}
	if got := srv.requests.Load(); got != 0 {
		t.Errorf("the handler saw %d warm-up requests, want 0 (OPTIONS * never reaches it)", got)
	}
	concurrently(8, func() {
		if resp := get(t, p, srv.URL); resp.ProtoMajor != 2 {
			t.Errorf("ProtoMajor %d, want 2", resp.ProtoMajor)
		}
	})
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections after 8 concurrent requests, want 1", got)
	}
	if s := p.Stats().Total; s.New != 1 || s.Reused != 8 {
		t.Errorf("Stats().Total = %+v, want 1 new, 8 reused", s)
	}
}
