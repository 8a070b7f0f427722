package transport_test

import (
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// The default stack without hooks, and with the hooks a metrics observer
// (promx) sets, each a no-op: the difference is what observation costs.
func BenchmarkStackHooks(b *testing.B) {
	for _, c := range []struct {
		name  string
		hooks transport.Hooks
	}{
		{"off", transport.Hooks{}},
		{"on", promxLikeHooks},
	} {
		b.Run(c.name, func(b *testing.B) {
			rt, err := transport.New(transport.Config{Base: okStub, Hooks: c.hooks})
			if err != nil {
				b.Fatal(err)
			}
			benchRoundTrip(b, rt)
		})
	}
}
