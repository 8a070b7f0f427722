package twirpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// deadlineServer wraps the backend in DeadlineHandler.
func deadlineServer(t testing.TB, cfg twirpx.DeadlineConfig) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		h, err := twirpx.DeadlineHandler(next, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
}

// The server's context ends when the client stops waiting: the tightest of
// the caller's deadline, the method's timeout, the stack's total and
// attempt timeouts, and the server's own cap. Margins are wide: the figures
// only have to fall on the right side of each bound.
func TestDeadlinePropagates(t *testing.T) {
	for _, tc := range []struct {
		name      string
		caller    time.Duration // 0: no deadline of the caller's
		method    time.Duration // the method's Timeout
		serverMax time.Duration
		disable   bool
		wantMax   time.Duration // the server sees a deadline at most this far
		wantMin   time.Duration // and at least this far
	}{
		{name: "attempt timeout", wantMax: 5 * time.Second, wantMin: 4 * time.Second},
		{name: "method timeout", method: 2 * time.Second, wantMax: 2 * time.Second, wantMin: time.Second},
		{name: "caller deadline", caller: 1500 * time.Millisecond, method: 3 * time.Second, wantMax: 1500 * time.Millisecond, wantMin: 500 * time.Millisecond},
		{name: "server cap", method: 3 * time.Second, serverMax: 300 * time.Millisecond, wantMax: 300 * time.Millisecond, wantMin: 100 * time.Millisecond},
		{name: "disabled", disable: true, wantMax: -1, wantMin: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, deadlineServer(t, twirpx.DeadlineConfig{Max: tc.serverMax}))
			cfg := twirpx.Config{DisableTimeoutHeader: tc.disable}
			if tc.method > 0 {
				cfg.Methods = map[string]twirpx.MethodPolicy{"Haberdasher/*": {Timeout: tc.method}}
			}
			c := newClient(t, cfg)
			hc := example.NewHaberdasherProtobufClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
			ctx := context.Background()
			if tc.caller > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.caller)
				defer cancel()
			}
			if _, err := hc.MakeHat(ctx, &example.Size{Inches: 7}); err != nil {
				t.Fatal(err)
			}
			seen := b.hats.seen()
			if len(seen) != 1 {
				t.Fatalf("server saw %d calls, want 1", len(seen))
			}
			if left := seen[0]; left > tc.wantMax || left < tc.wantMin {
				t.Errorf("server's deadline was %v away, want within [%v, %v] (-1: none)", left, tc.wantMin, tc.wantMax)
			}
		})
	}
}

// A server that would work past the deadline is told to stop: its context
// ends with the caller's, and the caller gets deadline_exceeded. The
// server's deadline falls a little after the client's (by the time the
// request took to arrive, and the header's rounding up), so the client
// normally gives up first, with an error that matches
// context.DeadlineExceeded, and the server's context may end as canceled
// when the client hangs up; when the client's timer runs late, it gets the
// server's own deadline_exceeded instead, which is as right.
func TestDeadlineCancelsServerWork(t *testing.T) {
	b := newBackend(t, deadlineServer(t, twirpx.DeadlineConfig{}))
	b.hats.block = true
	c := newClient(t, twirpx.Config{})
	hc := example.NewHaberdasherJSONClient(b.URL, c.HTTPClient(), c.ClientOptions()...)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	_, err := hc.MakeHat(ctx, &example.Size{Inches: 7})
	if twirpCode(err) != twirp.DeadlineExceeded {
		t.Fatalf("err = %v, want deadline_exceeded", err)
	}
	if meta(err, twirpx.MetaCause) == "deadline" && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
	}
	b.Close() // waits for the handler, so ctxErr is set
	if got, _ := b.hats.ctxErr.Load().(error); got == nil {
		t.Error("server's context did not end")
	}
	if seen := b.hats.seen(); len(seen) != 1 || seen[0] <= 0 || seen[0] > 200*time.Millisecond {
		t.Errorf("server's deadlines were %v away, want one within (0, 200ms]", seen)
	}
}

// The header's encoding, exactly, on a fake clock: the finest unit in which
// the time left fits eight digits (gRPC's grpc-timeout).
func TestTimeoutHeaderEncoding(t *testing.T) {
	for _, tc := range []struct {
		left time.Duration
		want string
	}{
		{1500 * time.Millisecond, "1500000u"},
		{50 * time.Millisecond, "50000000n"},
		{99_999_999 * time.Nanosecond, "99999999n"},
		{100 * time.Millisecond, "100000u"},
		{3 * time.Minute, "180000m"},
		{30 * time.Hour, "108000S"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var got []string
				c, err := twirpx.New(twirpx.Config{
					TimeoutHeader: "x-deadline", // canonicalised to X-Deadline
					Transport: transport.Config{
						Timeout: transport.TimeoutConfig{TotalOff: true, AttemptOff: true},
						Base: transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
							got = req.Header.Values("X-Deadline")
							return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
						}),
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), tc.left)
				defer cancel()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://hats.example/", nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := c.HTTPClient().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if len(got) != 1 || got[0] != tc.want {
					t.Errorf("header = %q, want %q", got, tc.want)
				}
			})
		})
	}
}

// DeadlineHandler reads every value the client may send, caps it, and
// ignores what it cannot read.
func TestDeadlineHandlerParsing(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration // -1: no deadline
	}{
		{"1500000u", 1500 * time.Millisecond},
		{"2S", 2 * time.Second},
		{"250m", 250 * time.Millisecond},
		{"99999999n", 99_999_999},
		{"1M", time.Minute},
		{"1H", 90 * time.Second}, // capped
		{"99999999H", 90 * time.Second},
		{"0m", 0},
		{"", -1},
		{"5", -1},
		{"m", -1},
		{"-1S", -1},
		{"1.5S", -1},
		{"123456789m", -1}, // nine digits
		{"10s", -1},        // lower-case s is not a unit
	} {
		t.Run(tc.value, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got := time.Duration(-1)
				h, err := twirpx.DeadlineHandler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					if d, ok := r.Context().Deadline(); ok {
						got = time.Until(d)
					}
				}), twirpx.DeadlineConfig{Max: 90 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodPost, "/", nil)
				if tc.value != "" {
					req.Header.Set(twirpx.DefaultTimeoutHeader, tc.value)
				}
				h.ServeHTTP(httptest.NewRecorder(), req)
				if got != tc.want {
					t.Errorf("deadline in %v, want %v", got, tc.want)
				}
			})
		})
	}
}
