package twirpx_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// What twirpx adds to a call over transport.New's stack, on the success
// path (issue 21): the recoding interceptor (its closure, and the closure
// that a generated client makes when given any interceptor), and, with
// the timeout header, each attempt's request copy and header map (a map
// is two). The header's value is not an allocation of its own.
func TestAllocationsOverNew(t *testing.T) {
	stub := hatStub(t)
	allocs := func(hc example.Haberdasher) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7}); err != nil {
				t.Fatal(err)
			}
		})
	}
	rt, err := transport.New(transport.Config{Base: stub})
	if err != nil {
		t.Fatal(err)
	}
	stack := allocs(example.NewHaberdasherProtobufClient("http://hats.example", &http.Client{Transport: rt}))
	for _, c := range []struct {
		name string
		cfg  twirpx.Config
		max  float64
	}{
		{"timeout header", twirpx.Config{}, 5},
		{"no timeout header", twirpx.Config{DisableTimeoutHeader: true}, 2},
	} {
		c.cfg.Transport.Base = stub
		tc, err := twirpx.New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := allocs(example.NewHaberdasherProtobufClient("http://hats.example", tc.HTTPClient(), tc.ClientOptions()...))
		if got-stack > c.max {
			t.Errorf("%s: %v allocations per call over transport.New's %v, want <= %v", c.name, got-stack, stack, c.max)
		}
	}
}
