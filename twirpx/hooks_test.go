package twirpx_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// counters counts every hook, Twirp's and the stack's.
type counters struct {
	prepared, received, errors       atomic.Int32
	intercepted                      atomic.Int32
	callStart, callEnd, attemptEnd   atomic.Int32
	lastAttempts                     atomic.Int32
	lastCode                         atomic.Value
	secondPrepared, secondErrorsSeen atomic.Int32
}

func (n *counters) config() twirpx.Config {
	return twirpx.Config{
		Methods: idempotentHats,
		ClientHooks: []*twirp.ClientHooks{
			{
				RequestPrepared: func(ctx context.Context, _ *http.Request) (context.Context, error) {
					n.prepared.Add(1)
					return ctx, nil
				},
				ResponseReceived: func(context.Context) { n.received.Add(1) },
				Error: func(_ context.Context, err twirp.Error) {
					n.errors.Add(1)
					n.lastCode.Store(err.Code())
				},
			},
			{ // a second set, chained after the first
				RequestPrepared: func(ctx context.Context, _ *http.Request) (context.Context, error) {
					n.secondPrepared.Add(1)
					return ctx, nil
				},
				Error: func(context.Context, twirp.Error) { n.secondErrorsSeen.Add(1) },
			},
		},
		Transport: transport.Config{Hooks: transport.Hooks{
			OnCallStart:  func(transport.CallStart) { n.callStart.Add(1) },
			OnAttemptEnd: func(transport.AttemptEnd) { n.attemptEnd.Add(1) },
			OnCallEnd: func(e transport.CallEnd) {
				n.callEnd.Add(1)
				n.lastAttempts.Store(int32(e.Attempts))
			},
		}},
	}
}

func (n *counters) interceptor(next twirp.Method) twirp.Method {
	return func(ctx context.Context, req any) (any, error) {
		n.intercepted.Add(1)
		return next(ctx, req)
	}
}

// Twirp's hooks and interceptors see one logical call once, however many
// attempts it took below them; the stack's hooks see every attempt.
func TestHooksOncePerLogicalCall(t *testing.T) {
	t.Run("retried to success", func(t *testing.T) {
		b := newBackend(t, nil)
		var n counters
		c := newClient(t, n.config())
		opts := append([]twirp.ClientOption{twirp.WithClientInterceptors(n.interceptor)}, c.ClientOptions()...)
		hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), opts...)
		b.failing.fail(2, twirp.NewError(twirp.Unavailable, "warming up"))

		if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7}); err != nil {
			t.Fatal(err)
		}
		check(t, "RequestPrepared", n.prepared.Load(), 1)
		check(t, "second RequestPrepared", n.secondPrepared.Load(), 1)
		check(t, "ResponseReceived", n.received.Load(), 1)
		check(t, "Error", n.errors.Load(), 0)
		check(t, "interceptor", n.intercepted.Load(), 1)
		check(t, "OnCallStart", n.callStart.Load(), 1)
		check(t, "OnCallEnd", n.callEnd.Load(), 1)
		check(t, "CallEnd.Attempts", n.lastAttempts.Load(), 3)
		check(t, "OnAttemptEnd", n.attemptEnd.Load(), 3)
	})
	t.Run("retried to failure", func(t *testing.T) {
		b := newBackend(t, nil)
		var n counters
		c := newClient(t, n.config())
		hc := example.NewHaberdasherJSONClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
		b.failing.fail(-1, twirp.NewError(twirp.Unavailable, "down"))

		_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if twirpCode(err) != twirp.Unavailable {
			t.Fatalf("err = %v, want unavailable", err)
		}
		check(t, "RequestPrepared", n.prepared.Load(), 1)
		check(t, "ResponseReceived", n.received.Load(), 0)
		check(t, "Error", n.errors.Load(), 1)
		check(t, "second Error", n.secondErrorsSeen.Load(), 1)
		check(t, "OnCallEnd", n.callEnd.Load(), 1)
		check(t, "CallEnd.Attempts", n.lastAttempts.Load(), 4) // the default MaxAttempts
		if code, _ := n.lastCode.Load().(twirp.ErrorCode); code != twirp.Unavailable {
			t.Errorf("Error hook saw %q, want unavailable", code)
		}
	})
	t.Run("transport failure", func(t *testing.T) {
		b := newBackend(t, nil)
		url := b.URL
		b.Close() // nothing listens: every dial is refused
		var n counters
		c := newClient(t, n.config())
		hc := example.NewHaberdasherProtobufClient(url, c.HTTPClient(), c.ClientOptions()...)

		_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if twirpCode(err) != twirp.Unavailable {
			t.Fatalf("err = %v, want unavailable", err)
		}
		check(t, "Error", n.errors.Load(), 1)
		if code, _ := n.lastCode.Load().(twirp.ErrorCode); code != twirp.Unavailable {
			t.Errorf("Error hook saw %q, want unavailable (not the generated client's internal)", code)
		}
	})
}

func check(t *testing.T, what string, got int32, want int32) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %d, want %d", what, got, want)
	}
}
