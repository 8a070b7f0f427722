package twirpx_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// Every failure below the generated client reaches the caller as a
// twirp.Error with the code that says what happened, not the generated
// client's internal, and errors.Is still finds the cause.
func TestErrorsKeepTheirCause(t *testing.T) {
	t.Run("limiter", func(t *testing.T) {
		b := newBackend(t, nil)
		r, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Every(time.Hour), Burst: 1})
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(t, twirpx.Config{Transport: transport.Config{Limit: transport.LimitConfig{Rate: r}}})
		hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
		if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7}); err != nil {
			t.Fatalf("first call, within the burst: %v", err)
		}
		_, err = hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if twirpCode(err) != twirp.ResourceExhausted || meta(err, twirpx.MetaCause) != "limited" || meta(err, twirpx.MetaNotSent) != "true" {
			t.Errorf("err = %v, want resource_exhausted, limited, not sent", err)
		}
		if !errors.Is(err, limiter.ErrLimited) {
			t.Errorf("errors.Is(err, limiter.ErrLimited) = false for %v", err)
		}
		if n := b.failing.count(makeHatPath); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		in, err := chaos.New(chaos.Config{Phases: []chaos.Phase{{Hang: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		b := newBackend(t, in.Handler)
		c := newClient(t, twirpx.Config{Methods: idempotentHats})
		hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err = hc.MakeHat(ctx, &example.Size{Inches: 7})
		if twirpCode(err) != twirp.Canceled || meta(err, twirpx.MetaCause) != "canceled" {
			t.Errorf("err = %v, want canceled", err)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errors.Is(err, context.Canceled) = false for %v", err)
		}
	})
	t.Run("method timeout", func(t *testing.T) {
		in, err := chaos.New(chaos.Config{Phases: []chaos.Phase{{Hang: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		b := newBackend(t, in.Handler)
		c := newClient(t, twirpx.Config{Methods: map[string]twirpx.MethodPolicy{
			"Haberdasher/MakeHat": {Idempotent: true, Timeout: 100 * time.Millisecond},
		}})
		hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
		start := time.Now()
		_, err = hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if twirpCode(err) != twirp.DeadlineExceeded || meta(err, twirpx.MetaCause) != "deadline" {
			t.Errorf("err = %v, want deadline_exceeded", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("call took %v, want about the method's 100ms timeout", took)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		b := newBackend(t, nil)
		url := b.URL
		b.Close()
		c := newClient(t, twirpx.Config{}) // not idempotent: retried anyway, nothing was sent
		hc := example.NewHaberdasherJSONClient(url, c.HTTPClient(), c.ClientOptions()...)
		_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if twirpCode(err) != twirp.Unavailable || meta(err, twirpx.MetaCause) != "transport" ||
			meta(err, twirpx.MetaNotSent) != "true" || meta(err, twirpx.MetaAttempts) != "4" {
			t.Errorf("err = %v (meta %v), want unavailable, transport, not sent, 4 attempts (the default MaxAttempts)", err, err.(twirp.Error).MetaMap())
		}
		if !errors.Is(err, syscall.ECONNREFUSED) || !errors.Is(err, transport.ErrAttemptsExhausted) {
			t.Errorf("errors.Is finds neither ECONNREFUSED nor ErrAttemptsExhausted in %v", err)
		}
		var re *transport.RetryError
		if !errors.As(err, &re) || re.Attempts != 4 {
			t.Errorf("errors.As(err, *transport.RetryError) = %+v, want 4 attempts", re)
		}
	})
}

// With LimitPerMethod, one method's rate limit leaves the others alone.
func TestLimitPerMethod(t *testing.T) {
	for _, perMethod := range []bool{false, true} {
		t.Run(map[bool]string{false: "per host", true: "per method"}[perMethod], func(t *testing.T) {
			b := newBackend(t, nil)
			r, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Every(time.Hour), Burst: 1})
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, twirpx.Config{
				LimitPerMethod: perMethod,
				Transport:      transport.Config{Limit: transport.LimitConfig{Rate: r}},
			})
			hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
			if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7}); err != nil {
				t.Fatal(err)
			}
			_, err = measure(context.Background(), c.HTTPClient(), b.URL)
			if limited := errors.Is(err, limiter.ErrLimited); limited == perMethod {
				t.Errorf("Measure after MakeHat: %v; want limited only when limits are per host", err)
			}
		})
	}
}
