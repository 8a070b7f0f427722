package pool_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"testing"

	"github.com/resilient-go/resilient/pool"
)

// RoundTrip against a loopback server, in one run: the bare transport
// (Pool.Transport), the Pool with statistics (the default), the Pool when
// the caller brings a ClientTrace of its own, and the Pool with
// DisableStats. The differences in allocs/op and B/op are the cost of the
// statistics.
func BenchmarkRoundTrip(b *testing.B) {
	srv := newServer(b, "", nil)
	p := newPool(b, pool.Config{})
	off := newPool(b, pool.Config{DisableStats: true})
	traced := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {},
	})
	b.Run("bare", func(b *testing.B) { benchRoundTrip(b, p.Transport(), srv.URL, context.Background()) })
	b.Run("stats", func(b *testing.B) { benchRoundTrip(b, p, srv.URL, context.Background()) })
	b.Run("stats+callertrace", func(b *testing.B) { benchRoundTrip(b, p, srv.URL, traced) })
	b.Run("statsoff", func(b *testing.B) { benchRoundTrip(b, off, srv.URL, context.Background()) })
}

func BenchmarkRoundTripParallel(b *testing.B) {
	srv := newServer(b, "", nil)
	p := newPool(b, pool.Config{})
	b.Run("bare", func(b *testing.B) { benchRoundTripParallel(b, p.Transport(), srv.URL) })
	b.Run("stats", func(b *testing.B) { benchRoundTripParallel(b, p, srv.URL) })
}

func benchRoundTrip(b *testing.B, rt http.RoundTripper, url string, ctx context.Context) {
	// A context with a deadline, as most real requests carry.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	b.ReportAllocs()
	for b.Loop() {
		roundTripOK(b, rt, req)
	}
}

func benchRoundTripParallel(b *testing.B, rt http.RoundTripper, url string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for pb.Next() {
			roundTripOK(b, rt, req)
		}
	})
}

func roundTripOK(b *testing.B, rt http.RoundTripper, req *http.Request) {
	resp, err := rt.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatal(resp.Status)
	}
}

// The first request's latency over TLS on loopback, on a cold pool (TCP and
// TLS handshakes included) and on a pool warmed with WarmUp(1) (outside the
// timer).
func BenchmarkFirstRequest(b *testing.B) {
	srv := newServer(b, "tls", nil)
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			p := newPool(b, pool.Config{TLSClientConfig: srv.clientTLS()})
			var dials uint64 // new connections taken by the timed requests
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				p.CloseIdleConnections()
				if warm {
					if err := p.WarmUp(context.Background(), srv.URL, 1); err != nil {
						b.Fatal(err)
					}
				}
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				before := p.Stats().Total.New
				b.StartTimer()
				roundTripOK(b, p, req)
				b.StopTimer()
				dials += p.Stats().Total.New - before
				b.StartTimer()
			}
			b.ReportMetric(float64(dials)/float64(b.N), "dials/op")
		})
	}
}

// What the statistics add to a round trip, without the I/O: the host
// lookup, the traced request copy, and the GotConn hook.
func BenchmarkStatsOverhead(b *testing.B) {
	p := newPool(b, pool.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://api.example.test/v1/items", nil)
	b.ReportAllocs()
	for b.Loop() {
		pool.StatsOverhead(p, req)
	}
}

func BenchmarkStatsOverheadParallel(b *testing.B) {
	p := newPool(b, pool.Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://api.example.test/v1/items", nil)
		for pb.Next() {
			pool.StatsOverhead(p, req)
		}
	})
}
