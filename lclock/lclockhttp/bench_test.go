package lclockhttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

// stub answers a fresh 200 carrying a stamp, with no I/O: the floor the
// middleware's cost is measured against.
var stub = transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Lclock-Stamp": {"1.00000"}}, Body: http.NoBody, Request: r}, nil
})

func benchClient(b *testing.B, rt http.RoundTripper) {
	req, _ := http.NewRequest("GET", "http://example.invalid/", nil)
	req.Header.Set("Accept", "application/json")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := rt.RoundTrip(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
		}
	})
}

// BenchmarkClient: the stub alone, then through the middleware (HLC and
// Lamport); the difference is the middleware's cost per call.
func BenchmarkClient(b *testing.B) {
	b.Run("stub", func(b *testing.B) { benchClient(b, stub) })
	b.Run("HLC", func(b *testing.B) {
		benchClient(b, newProp(b, lclockhttp.Config{}).Middleware(stub))
	})
	b.Run("Lamport", func(b *testing.B) {
		benchClient(b, newProp(b, lclockhttp.Config{Clock: new(lclock.Lamport)}).Middleware(stub))
	})
}

// BenchmarkServer: a handler that writes a status, bare and wrapped.
func BenchmarkServer(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Lclock-Stamp", "1764190881123.00007")
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, h) })
	b.Run("HLC", func(b *testing.B) { run(b, newProp(b, lclockhttp.Config{}).Handler(h)) })
}
