package twirpx_test

import (
	"context"
	"testing"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// TestLogicalClockThroughTwirpx carries a Lamport clock through a twirpx
// client (Transport.Attempt stamps every attempt, retries included) and a
// Twirp server wrapped by the propagator's Handler: the server sees a
// stamp after the client's, and the client witnesses the server's reply.
func TestLogicalClockThroughTwirpx(t *testing.T) {
	cliClock, srvClock := new(lclock.Lamport), new(lclock.Lamport)
	cliProp, err := lclockhttp.New(lclockhttp.Config{Clock: cliClock})
	if err != nil {
		t.Fatal(err)
	}
	srvProp, err := lclockhttp.New(lclockhttp.Config{Clock: srvClock})
	if err != nil {
		t.Fatal(err)
	}
	srvClock.Witness(500) // the server is ahead: the client must catch up
	b := newBackend(t, srvProp.Handler)
	b.failing.fail(1, twirp.NewError(twirp.Unavailable, "warming up"))

	c := newClient(t, twirpx.Config{
		Methods:   idempotentHats,
		Transport: transport.Config{Attempt: []transport.Middleware{cliProp.Middleware}},
	})
	hats := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	before := cliClock.Now()
	if _, err := hats.MakeHat(context.Background(), &example.Size{Inches: 8}); err != nil {
		t.Fatal(err)
	}
	// Two attempts were stamped (the first got unavailable) and both
	// replies witnessed: the client now stands past the server's 500.
	if got := cliClock.Now(); got <= 500 || got <= before {
		t.Fatalf("client clock %d after the call, want > 500 (server's) and > %d", got, before)
	}
	if got := srvClock.Now(); got < 502 {
		t.Fatalf("server clock %d, want ≥ 502: it received and stamped two attempts", got)
	}
	if st := cliProp.Stats(); st.Missing != 0 || st.Malformed != 0 || st.Rejected != 0 {
		t.Fatalf("client propagator stats %+v, want clean", st)
	}
	if n := b.failing.count(makeHatPath); n != 2 {
		t.Fatalf("server saw %d attempts, want 2", n)
	}
}
