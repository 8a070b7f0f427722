package twirpx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// Both generated clients, so that the JSON and Protobuf paths are covered.
var clientKinds = []struct {
	name string
	make func(url string, c *twirpx.Client) example.Haberdasher
}{
	{"protobuf", func(url string, c *twirpx.Client) example.Haberdasher {
		return example.NewHaberdasherProtobufClient(url, c.HTTPClient(), c.ClientOptions()...)
	}},
	{"json", func(url string, c *twirpx.Client) example.Haberdasher {
		return example.NewHaberdasherJSONClient(url, c.HTTPClient(), c.ClientOptions()...)
	}},
}

// An idempotent method recovers from a server's unavailable: the call
// succeeds on its third attempt, invisible to the caller.
func TestIdempotentMethodRetriesUnavailable(t *testing.T) {
	for _, kind := range clientKinds {
		t.Run(kind.name, func(t *testing.T) {
			b := newBackend(t, nil)
			c := newClient(t, twirpx.Config{Methods: idempotentHats})
			hc := kind.make(b.URL, c)
			b.failing.fail(2, twirp.NewError(twirp.Unavailable, "warming up"))

			hat, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
			if err != nil {
				t.Fatalf("MakeHat: %v", err)
			}
			if hat.Size != 7 || hat.Name != "fedora" {
				t.Errorf("hat = %v, want a 7-inch fedora", hat)
			}
			if n := b.failing.count(makeHatPath); n != 3 {
				t.Errorf("server saw %d requests, want 3 (2 unavailable, 1 success)", n)
			}
		})
	}
}

// The same recovery against chaos on a real connection: resets and an
// intermediary's 503s (plain text, not Twirp errors) on a third of the
// requests, over many calls. Every call succeeds.
func TestIdempotentMethodRetriesChaos(t *testing.T) {
	in, err := chaos.New(chaos.Config{Seed: 6, Phases: []chaos.Phase{{Reset: 0.15, Status: 0.15}}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	b := newBackend(t, in.Handler)
	c := newClient(t, twirpx.Config{
		Methods: idempotentHats,
		Transport: transport.Config{
			Retry: transport.RetryConfig{MaxAttempts: 6, Budget: backoff.Unlimited()},
			// A third of the attempts fail by design: keep the breaker
			// out of this test.
			Breaker: transport.BreakerConfig{Off: true},
		},
	})
	hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	const calls = 60
	for i := range calls {
		if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: int32(i + 1)}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := in.Stats()
	if st.Reset == 0 || st.Status == 0 {
		t.Fatalf("chaos injected %d resets and %d statuses; the test needs both", st.Reset, st.Status)
	}
	if want := uint64(calls) + st.Reset + st.Status; st.Requests != want {
		t.Errorf("server saw %d requests, want %d (one per call plus one per fault)", st.Requests, want)
	}
}

// A method that is not marked idempotent is sent once: a server's
// unavailable, or a connection reset, may come after the work was done.
func TestNonIdempotentMethodNotRetried(t *testing.T) {
	t.Run("unavailable", func(t *testing.T) {
		b := newBackend(t, nil)
		c := newClient(t, twirpx.Config{})
		hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
		b.failing.fail(-1, twirp.NewError(twirp.Unavailable, "down"))

		_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if code := twirpCode(err); code != twirp.Unavailable {
			t.Fatalf("code = %q (%v), want unavailable", code, err)
		}
		if n := b.failing.count(makeHatPath); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
	t.Run("reset", func(t *testing.T) {
		in, err := chaos.New(chaos.Config{Phases: []chaos.Phase{{Reset: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		b := newBackend(t, in.Handler)
		c := newClient(t, twirpx.Config{})
		hc := example.NewHaberdasherJSONClient(b.URL, c.HTTPClient(), c.ClientOptions()...)

		_, err = hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if code := twirpCode(err); code != twirp.Unavailable || meta(err, twirpx.MetaCause) != "transport" {
			t.Fatalf("code = %q, cause %q (%v), want unavailable, transport", code, meta(err, twirpx.MetaCause), err)
		}
		if !errors.Is(err, transport.ErrNotIdempotent) {
			t.Errorf("errors.Is(err, transport.ErrNotIdempotent) = false for %v", err)
		}
		if meta(err, twirpx.MetaNotSent) != "" {
			t.Errorf("a reset request is marked not sent: %v", err)
		}
		if n := in.Stats().Requests; n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
}

// A server's internal is a bug, not an outage: not retried even for an
// idempotent method, and passed to the caller as the server wrote it. An
// application error (invalid_argument) is an answer: not retried, and a
// success for the breaker.
func TestServerErrorsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		err  twirp.Error
		code twirp.ErrorCode
	}{
		{twirp.InternalError("nil pointer"), twirp.Internal},
		{twirp.NewError(twirp.DataLoss, "lost"), twirp.DataLoss},
		{twirp.InvalidArgumentError("inches", "too big"), twirp.InvalidArgument},
		{twirp.NotFoundError("no such hat"), twirp.NotFound},
		{twirp.NewError(twirp.PermissionDenied, "no"), twirp.PermissionDenied},
	} {
		t.Run(string(tc.code), func(t *testing.T) {
			b := newBackend(t, nil)
			c := newClient(t, twirpx.Config{Methods: idempotentHats})
			hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
			b.failing.fail(-1, tc.err)

			_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
			if code := twirpCode(err); code != tc.code {
				t.Fatalf("code = %q (%v), want %q", code, err, tc.code)
			}
			if twerr := err.(twirp.Error); twerr.Msg() != tc.err.Msg() || twerr.Meta(twirpx.MetaCause) != "" {
				t.Errorf("error = %v, want the server's own, unchanged", err)
			}
			if n := b.failing.count(makeHatPath); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

// resource_exhausted with the retry_after meta convention: the retry waits
// at least what the server asked for.
func TestResourceExhaustedHonoursRetryAfterMeta(t *testing.T) {
	b := newBackend(t, nil)
	c := newClient(t, twirpx.Config{Methods: idempotentHats})
	hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	const wait = 60 * time.Millisecond
	b.failing.fail(1, twirp.NewError(twirp.ResourceExhausted, "quota").WithMeta("retry_after", wait.String()))

	start := time.Now()
	if _, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7}); err != nil {
		t.Fatalf("MakeHat: %v", err)
	}
	if took := time.Since(start); took < wait {
		t.Errorf("call took %v, less than the %v the server asked to wait", took, wait)
	}
	if n := b.failing.count(makeHatPath); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

// The plain *http.Client the generated client gets keeps Twirp's
// protection from redirects: a 302 is an error, not a GET to elsewhere.
func TestRedirectNotFollowed(t *testing.T) {
	b := newBackend(t, func(http.Handler) http.Handler {
		return http.RedirectHandler("/elsewhere", http.StatusFound)
	})
	c := newClient(t, twirpx.Config{Methods: idempotentHats})
	hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	_, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
	if code := twirpCode(err); code != twirp.Internal || meta(err, "location") != "/elsewhere" {
		t.Fatalf("err = %v, want Twirp's internal error for an unexpected redirect", err)
	}
}

// The most specific Methods key wins: "Service/Method" over "Service/*"
// over "*".
func TestMethodPolicyPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		methods  map[string]twirpx.MethodPolicy
		requests int
	}{
		{"every method idempotent", map[string]twirpx.MethodPolicy{"*": {Idempotent: true}}, 2},
		{"service overrides every method", map[string]twirpx.MethodPolicy{"*": {Idempotent: true}, "Haberdasher/*": {}}, 1},
		{"method overrides service", map[string]twirpx.MethodPolicy{"Haberdasher/*": {}, "Haberdasher/MakeHat": {Idempotent: true}}, 2},
		{"other service", map[string]twirpx.MethodPolicy{"Tailor/*": {Idempotent: true}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			c := newClient(t, twirpx.Config{Methods: tc.methods})
			hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
			b.failing.fail(1, twirp.NewError(twirp.Unavailable, "blip"))
			_, _ = hc.MakeHat(context.Background(), &example.Size{Inches: 7})
			if n := b.failing.count(makeHatPath); n != tc.requests {
				t.Errorf("server saw %d requests, want %d", n, tc.requests)
			}
		})
	}
}

// Many goroutines share one Client and its generated clients, under
// resets: every call succeeds, and the race detector has its say.
func TestConcurrentCalls(t *testing.T) {
	in, err := chaos.New(chaos.Config{Seed: 1, Phases: []chaos.Phase{{Reset: 0.1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	b := newBackend(t, in.Handler)
	c := newClient(t, twirpx.Config{
		Methods:   map[string]twirpx.MethodPolicy{"*": {Idempotent: true}},
		Transport: transport.Config{Retry: transport.RetryConfig{MaxAttempts: 8, Budget: backoff.Unlimited()}, Breaker: transport.BreakerConfig{Off: true}},
	})
	protoClient := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	jsonClient := example.NewHaberdasherJSONClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	var wg sync.WaitGroup
	errs := make(chan error, 8*20)
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				var err error
				switch (g + i) % 3 {
				case 0:
					_, err = protoClient.MakeHat(context.Background(), &example.Size{Inches: 7})
				case 1:
					_, err = jsonClient.MakeHat(context.Background(), &example.Size{Inches: 7})
				default:
					var status int
					status, err = measure(context.Background(), c.HTTPClient(), b.URL)
					if err == nil && status != http.StatusOK {
						err = fmt.Errorf("Measure: status %d", status)
					}
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if in.Stats().Reset == 0 {
		t.Error("chaos reset no connection; the test needs some")
	}
}
