package lclockhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
)

// haberdasher records the receive stamp of each call, then ticks (as a
// log line would).
type haberdasher struct {
	clock lclock.Clock
	mu    sync.Mutex
	got   []lclock.Stamp
}

func (h *haberdasher) MakeHat(ctx context.Context, size *example.Size) (*example.Hat, error) {
	s, ok := lclock.FromContext(ctx)
	if !ok {
		return nil, context.Canceled // unexpected: fails the test below
	}
	h.mu.Lock()
	h.got = append(h.got, s)
	h.mu.Unlock()
	h.clock.Tick()
	return &example.Hat{Size: size.Inches, Color: "blue", Name: "bowler"}, nil
}

// TestTwirpUnchanged proves that generated Twirp clients and servers
// propagate stamps through lclockhttp without any Twirp-specific code: the
// client takes an *http.Client, the server is an http.Handler. Both the
// JSON and the Protobuf clients are checked.
func TestTwirpUnchanged(t *testing.T) {
	srvClock, cliClock := new(lclock.Lamport), new(lclock.Lamport)
	srvP := newProp(t, lclockhttp.Config{Clock: srvClock})
	cliP := newProp(t, lclockhttp.Config{Clock: cliClock})
	impl := &haberdasher{clock: srvClock}
	srv := httptest.NewServer(srvP.Handler(example.NewHaberdasherServer(impl)))
	defer srv.Close()

	httpClient := &http.Client{Transport: cliP.Middleware(srv.Client().Transport)}
	clients := []example.Haberdasher{
		example.NewHaberdasherJSONClient(srv.URL, httpClient),
		example.NewHaberdasherProtobufClient(srv.URL, httpClient),
	}
	for i, c := range clients {
		cliClock.Witness(1000 * lclock.Stamp(i+1)) // the client's clock jumps ahead
		sent := cliClock.Now() + 1                 // the stamp the middleware will send
		hat, err := c.MakeHat(context.Background(), &example.Size{Inches: 7})
		if err != nil || hat.Size != 7 {
			t.Fatalf("client %d: MakeHat = %v, %v", i, hat, err)
		}
		impl.mu.Lock()
		recv := impl.got[len(impl.got)-1]
		impl.mu.Unlock()
		if recv != sent+1 {
			t.Errorf("client %d: server received at %v, want %v (just past the request's %v)", i, recv, sent+1, sent)
		}
		// The server ticked once in MakeHat, then stamped its reply at
		// recv+2; the client received it at recv+3.
		if got := cliClock.Now(); got != recv+3 {
			t.Errorf("client %d: clock after the call = %v, want %v", i, got, recv+3)
		}
	}
	if st := srvP.Stats(); st != (lclockhttp.Stats{}) {
		t.Errorf("server Stats = %+v", st)
	}
}
