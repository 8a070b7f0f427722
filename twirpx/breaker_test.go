package twirpx_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// trippy trips a breaker after three failures in a row and keeps it open
// for the rest of the test.
var trippy = transport.BreakerConfig{
	ConsecutiveFailures: 3,
	BreakDuration:       time.Minute,
}

// One method's breaker opens while another method of the same server keeps
// working: breakers are per method, not per host. The open breaker's
// rejection reaches the caller as unavailable, says so in its meta, never
// reaches the server, and still matches breaker.ErrOpen.
func TestPerMethodBreaker(t *testing.T) {
	b := newBackend(t, nil)
	var hookErrs []twirp.Error
	c := newClient(t, twirpx.Config{
		Transport: transport.Config{Breaker: trippy},
		ClientHooks: []*twirp.ClientHooks{{
			Error: func(_ context.Context, err twirp.Error) { hookErrs = append(hookErrs, err) },
		}},
	})
	hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	b.failing.fail(-1, twirp.NewError(twirp.Unavailable, "MakeHat is down"))
	ctx := context.Background()

	for i := range 3 {
		if _, err := hc.MakeHat(ctx, &example.Size{Inches: 7}); twirpCode(err) != twirp.Unavailable || meta(err, twirpx.MetaCause) != "" {
			t.Fatalf("call %d: %v, want the server's unavailable", i, err)
		}
	}
	_, err := hc.MakeHat(ctx, &example.Size{Inches: 7})
	if twirpCode(err) != twirp.Unavailable || meta(err, twirpx.MetaCause) != "breaker_open" {
		t.Fatalf("after 3 failures: %v, want unavailable with %s=breaker_open", err, twirpx.MetaCause)
	}
	if !errors.Is(err, breaker.ErrOpen) {
		t.Errorf("errors.Is(err, breaker.ErrOpen) = false for %v", err)
	}
	var open *breaker.OpenError
	if !errors.As(err, &open) || !strings.HasSuffix(open.Key, "/Haberdasher/MakeHat") {
		t.Errorf("errors.As(err, *breaker.OpenError) gives %+v, want the MakeHat breaker", open)
	}
	if ra, perr := time.ParseDuration(meta(err, twirpx.MetaRetryAfter)); perr != nil || ra <= 0 || ra > time.Minute {
		t.Errorf("%s = %q, want the time until the breaker admits a probe", twirpx.MetaRetryAfter, meta(err, twirpx.MetaRetryAfter))
	}
	if meta(err, twirpx.MetaNotSent) != "true" {
		t.Errorf("%s = %q, want true: the breaker rejected the call before sending it", twirpx.MetaNotSent, meta(err, twirpx.MetaNotSent))
	}
	if n := b.failing.count(makeHatPath); n != 3 {
		t.Errorf("server saw %d MakeHat requests, want 3: the open breaker sends none", n)
	}

	// The other method, on the same host, keeps working while MakeHat's
	// breaker stays open.
	for i := range 5 {
		status, err := measure(ctx, c.HTTPClient(), b.URL)
		if err != nil || status != http.StatusOK {
			t.Fatalf("Tailor/Measure call %d: %d, %v; want 200", i, status, err)
		}
		if _, err := hc.MakeHat(ctx, &example.Size{Inches: 7}); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("MakeHat between Measure calls: %v, want still open", err)
		}
	}
	if n := b.failing.count(measurePath); n != 5 {
		t.Errorf("server saw %d Measure requests, want 5", n)
	}

	states := map[string]breaker.State{}
	for _, s := range c.Snapshot().Breakers {
		states[s.Name[strings.Index(s.Name, "/")+1:]] = s.State
	}
	if states["Haberdasher/MakeHat"] != breaker.Open || states["Tailor/Measure"] != breaker.Closed || len(states) != 2 {
		t.Errorf("breakers = %v, want MakeHat open and Measure closed", states)
	}

	// The Error hook saw every failure once, with the caller's codes.
	if len(hookErrs) != 9 {
		t.Fatalf("Error hook called %d times, want 9 (one per failed MakeHat call)", len(hookErrs))
	}
	if last := hookErrs[3]; last.Code() != twirp.Unavailable || last.Meta(twirpx.MetaCause) != "breaker_open" {
		t.Errorf("Error hook got %v for the rejected call, want unavailable, breaker_open", last)
	}
}

// Application errors are answers: a server that rejects every request as
// invalid keeps its breaker closed, and a server's internal trips it.
func TestBreakerCountsTwirpCodes(t *testing.T) {
	for _, tc := range []struct {
		err   twirp.Error
		state breaker.State
	}{
		{twirp.InvalidArgumentError("inches", "no"), breaker.Closed},
		{twirp.NewError(twirp.AlreadyExists, "dup"), breaker.Closed},
		{twirp.InternalError("bug"), breaker.Open},
		{twirp.NewError(twirp.DeadlineExceeded, "slow"), breaker.Open},
	} {
		t.Run(string(tc.err.Code()), func(t *testing.T) {
			b := newBackend(t, nil)
			c := newClient(t, twirpx.Config{Transport: transport.Config{Breaker: trippy}})
			hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
			b.failing.fail(-1, tc.err)
			for range 5 {
				_, _ = hc.MakeHat(context.Background(), &example.Size{Inches: 7})
			}
			snaps := c.Snapshot().Breakers
			if len(snaps) != 1 || snaps[0].State != tc.state {
				t.Fatalf("breakers = %+v, want one %v", snaps, tc.state)
			}
		})
	}
}
