package twirpclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// hats is the service: it makes a hat of the asked size, and says how
// much time its caller gave it.
type hats struct{}

func (hats) MakeHat(ctx context.Context, s *example.Size) (*example.Hat, error) {
	name := "no deadline"
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= 2*time.Second {
		name = "deadline within 2s"
	}
	return &example.Hat{Size: s.Inches, Color: "blue", Name: name}, nil
}

// flaky answers the first n requests with Twirp's unavailable, as a server
// does while it restarts.
func flaky(n int32, next http.Handler) http.Handler {
	var seen atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			_ = twirp.WriteError(w, twirp.NewError(twirp.Unavailable, "restarting"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// The generated Haberdasher client wired with twirpx: MakeHat is
// idempotent, so the two unavailable answers of a restarting server are
// retried, and its 2s timeout reaches the server, which reads it with
// DeadlineHandler.
func Example() {
	// The server: the generated Haberdasher server, behind DeadlineHandler.
	server, err := twirpx.DeadlineHandler(example.NewHaberdasherServer(hats{}), twirpx.DeadlineConfig{})
	if err != nil {
		panic(err)
	}
	backend := httptest.NewServer(flaky(2, server))
	defer backend.Close()

	// The client: one twirpx.Client, its HTTPClient and ClientOptions.
	c, err := twirpx.New(twirpx.Config{
		Methods: map[string]twirpx.MethodPolicy{
			"Haberdasher/MakeHat": {Idempotent: true, Timeout: 2 * time.Second},
		},
	})
	if err != nil {
		panic(err)
	}
	defer c.CloseIdleConnections()
	client := example.NewHaberdasherProtobufClient(backend.URL, c.HTTPClient(), c.ClientOptions()...)

	hat, err := client.MakeHat(context.Background(), &example.Size{Inches: 7})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d-inch %s hat (%s)\n", hat.Size, hat.Color, hat.Name)
	// Output: 7-inch blue hat (deadline within 2s)
}

// When MakeHat keeps failing, its breaker opens and later calls fail at
// once, without reaching the server, as Twirp's unavailable with
// resilient_cause=breaker_open; errors.Is still finds breaker.ErrOpen.
// MakeHat is not marked idempotent here, so each call is sent once.
func Example_breaker() {
	var requests atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_ = twirp.WriteError(w, twirp.NewError(twirp.Unavailable, "down"))
	}))
	defer backend.Close()

	c, err := twirpx.New(twirpx.Config{Transport: transport.Config{
		Breaker: transport.BreakerConfig{
			ConsecutiveFailures: 3, BreakDuration: time.Minute,
		},
	}})
	if err != nil {
		panic(err)
	}
	defer c.CloseIdleConnections()
	client := example.NewHaberdasherJSONClient(backend.URL, c.HTTPClient(), c.ClientOptions()...)

	for range 5 {
		_, err := client.MakeHat(context.Background(), &example.Size{Inches: 7})
		var twerr twirp.Error
		if errors.As(err, &twerr) {
			fmt.Printf("%s %q open=%v\n", twerr.Code(), twerr.Meta(twirpx.MetaCause), errors.Is(err, breaker.ErrOpen))
		}
	}
	fmt.Println("requests that reached the server:", requests.Load())
	// Output:
	// unavailable "" open=false
	// unavailable "" open=false
	// unavailable "" open=false
	// unavailable "breaker_open" open=true
	// unavailable "breaker_open" open=true
	// requests that reached the server: 3
}
