package statusz_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilient-go/resilient/statusz"
)

// BenchmarkServe is the cost of one page view of a stack with three
// breakers, one limited host, a pool and three balanced endpoints: paid
// only when someone looks.
func BenchmarkServe(b *testing.B) {
	h, err := statusz.New(statusz.Config{Snapshot: snapshot})
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{"html", "json"} {
		b.Run(format, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/?format="+format, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
