package twirpx_test

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

// haberdasher makes hats of the asked size.
type haberdasher struct{}

func (haberdasher) MakeHat(_ context.Context, s *example.Size) (*example.Hat, error) {
	return &example.Hat{Size: s.Inches, Color: "blue", Name: "fedora"}, nil
}

// A generated Twirp client over the resilient stack: MakeHat is marked
// idempotent, so the server's unavailable on the first attempt is retried,
// and the caller sees only the hat.
func ExampleNew() {
	var calls atomic.Int32
	hats := example.NewHaberdasherServer(haberdasher{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			_ = twirp.WriteError(w, twirp.NewError(twirp.Unavailable, "warming up"))
			return
		}
		hats.ServeHTTP(w, r)
	}))
	defer server.Close()

	c, err := twirpx.New(twirpx.Config{
		Methods: map[string]twirpx.MethodPolicy{
			"Haberdasher/MakeHat": {Idempotent: true, Timeout: 2 * time.Second},
		},
	})
	if err != nil {
		panic(err)
	}
	defer c.CloseIdleConnections()
	client := example.NewHaberdasherProtobufClient(server.URL, c.HTTPClient(), c.ClientOptions()...)

	hat, err := client.MakeHat(context.Background(), &example.Size{Inches: 7})
	if err != nil {
		panic(err)
	}
	fmt.Println(hat.Size, hat.Color, hat.Name, "after", calls.Load(), "attempts")
	// Output: 7 blue fedora after 2 attempts
}

// An open breaker reaches the caller as a Twirp unavailable that says why,
// and still matches breaker.ErrOpen.
func ExampleClient_ClientOptions() {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = twirp.WriteError(w, twirp.NewError(twirp.Unavailable, "down"))
	}))
	defer server.Close()

	c, err := twirpx.New(twirpx.Config{Transport: transport.Config{
		Breaker: transport.BreakerConfig{
			ConsecutiveFailures: 2, BreakDuration: time.Minute,
		},
	}})
	if err != nil {
		panic(err)
	}
	defer c.CloseIdleConnections()
	client := example.NewHaberdasherJSONClient(server.URL, c.HTTPClient(), c.ClientOptions()...)

	for range 3 {
		_, err = client.MakeHat(context.Background(), &example.Size{Inches: 7})
		var twerr twirp.Error
		errors.As(err, &twerr)
		fmt.Printf("%s cause=%q breaker.ErrOpen=%v\n", twerr.Code(), twerr.Meta(twirpx.MetaCause), errors.Is(err, breaker.ErrOpen))
	}
	// Output:
	// unavailable cause="" breaker.ErrOpen=false
	// unavailable cause="" breaker.ErrOpen=false
	// unavailable cause="breaker_open" breaker.ErrOpen=true
}

// On the server, DeadlineHandler gives each request the time its client
// has left.
func ExampleDeadlineHandler() {
	handler, err := twirpx.DeadlineHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		fmt.Println("deadline:", ok, "within 2s:", time.Until(d) <= 2*time.Second)
	}), twirpx.DeadlineConfig{Max: 10 * time.Second})
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/twirp/twitch.twirp.example.Haberdasher/MakeHat", nil)
	req.Header.Set(twirpx.DefaultTimeoutHeader, "2S") // as a twirpx client sends it
	handler.ServeHTTP(httptest.NewRecorder(), req)
	// Output: deadline: true within 2s: true
}
