package twirpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// A generated Twirp client balanced over replicas with the stack's own
// Config.Balance, unchanged: the calls go to the logical host
// "hats.internal", each attempt to a real replica; calls spread over both,
// and Snapshot shows the endpoints.
func TestBalancedTwirpClient(t *testing.T) {
	var hits [2]atomic.Int32
	var eps []discovery.Endpoint
	for i := range hits {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			if !strings.HasPrefix(r.Host, "hats.internal") {
				http.Error(w, "wrong Host "+r.Host, http.StatusMisdirectedRequest)
				return
			}
			example.NewHaberdasherServer(&hats{}).ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		eps = append(eps, discovery.Endpoint{Addr: srv.Listener.Addr().String()})
	}
	res, err := discovery.NewStatic(eps...)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, twirpx.Config{
		Methods:   idempotentHats,
		Transport: transport.Config{Balance: &transport.BalanceConfig{Resolver: res}},
	})
	client := example.NewHaberdasherProtobufClient("http://hats.internal", c.HTTPClient(), c.ClientOptions()...)
	for i := range 40 {
		if _, err := client.MakeHat(context.Background(), &example.Size{Inches: 6}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if a, b := hits[0].Load(), hits[1].Load(); a == 0 || b == 0 || a+b != 40 {
		t.Fatalf("replicas got %d and %d requests, want 40 spread over both", a, b)
	}
	if got := len(c.Snapshot().Endpoints); got != 2 {
		t.Fatalf("Snapshot has %d endpoints, want 2", got)
	}
}
