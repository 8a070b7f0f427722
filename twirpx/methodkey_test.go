package twirpx_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/twitchtv/twirp/ctxsetters"

	"github.com/resilient-go/resilient/twirpx"
)

// MethodKey names a Twirp method on its host, from the names the generated
// client puts in the context, without allocating once known.
func TestMethodKey(t *testing.T) {
	c := newClient(t, twirpx.Config{})
	ctx := ctxsetters.WithServiceName(context.Background(), "Haberdasher")
	ctx = ctxsetters.WithMethodName(ctx, "MakeHat")
	twirpReq, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://hats.example:8080/twirp/x.Haberdasher/MakeHat", nil)
	plainReq, _ := http.NewRequest(http.MethodGet, "http://hats.example:8080/healthz", nil)

	if got, want := c.MethodKey(twirpReq), "hats.example:8080/Haberdasher/MakeHat"; got != want {
		t.Errorf("MethodKey(Twirp request) = %q, want %q", got, want)
	}
	if got, want := c.MethodKey(plainReq), "hats.example:8080"; got != want {
		t.Errorf("MethodKey(plain request) = %q, want %q", got, want)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = c.MethodKey(twirpReq) }); allocs != 0 {
		t.Errorf("MethodKey of a known method allocates %v times, want 0", allocs)
	}
}
