package twirpx_test

import (
	"errors"
	"github.com/resilient-go/resilient/internal/fuzzbytes"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// The interesting values of this package's fields, for the fuzz
// decoder (internal/fuzzbytes).
var fuzzInts = []int{0, 1, -1, 2, 3, 100, 101, math.MaxInt32, math.MaxInt, math.MinInt}
var fuzzDurations = []time.Duration{0, 1, -1, time.Millisecond, time.Second, 5 * time.Second, 15 * time.Second, time.Minute, math.MaxInt64, math.MinInt64, math.MaxInt64/2 + 1}
var fuzzStrings = []string{"", "*", "S/*", "S/M", "Haberdasher/MakeHat", "a/b/c", "*/M", "S/M*", "S/", "/M", "X-Timeout", "Bad Header", "a:b", "ü", "\x00"}

func fuzzTwirpConfig(f *fuzzbytes.Decoder, base http.RoundTripper) twirpx.Config {
	c := twirpx.Config{
		Transport: transport.Config{
			Base:    base,
			Timeout: transport.TimeoutConfig{Total: f.Duration(), TotalOff: f.Bool(), Attempt: f.Duration(), AttemptOff: f.Bool()},
			Retry:   transport.RetryConfig{Off: f.Bool(), MaxAttempts: f.Int(), MaxRetryAfter: f.Duration()},
		},
		LimitPerMethod: f.Bool(), TimeoutHeader: f.String(fuzzStrings), DisableTimeoutHeader: f.Bool(),
	}
	if f.Bool() {
		c.Transport.Base = nil // twirpx builds the pool
		c.Transport.Pool = pool.Config{MaxIdleConnsPerHost: f.Int(), MaxIdleConns: f.Int(), IdleConnTimeout: f.Duration(), DialTimeout: f.Duration()}
	}
	if n := f.Byte() % 5; n > 0 {
		c.Methods = make(map[string]twirpx.MethodPolicy, n)
		for range n {
			c.Methods[f.String(fuzzStrings)] = twirpx.MethodPolicy{Idempotent: f.Bool(), Timeout: f.Duration()}
		}
	}
	return c
}

// FuzzConfig builds a Client and a DeadlineHandler from configs decoded
// from random bytes: nothing panics, each answers within fuzzbytes.MaxTime and
// fuzzbytes.MaxAlloc, and every refusal matches twirpx.ErrInvalidConfig or, for
// the stack's own fields, transport.ErrInvalidConfig. A Client it accepts
// serves a call over a stub.
func FuzzConfig(f *testing.F) {
	f.Add([]byte{})
	for k := range 16 {
		f.Add(repeat(byte(2*k+1), 120))
		f.Add(append(repeat(0, 11), repeat(byte(2*k), 60)...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzbytes.New(data, fuzzInts, fuzzDurations, nil)
		stub := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if req.Body != nil {
				_, _ = io.Copy(io.Discard, req.Body)
				req.Body.Close()
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
		})
		cfg := fuzzTwirpConfig(in, stub)
		var (
			c   *twirpx.Client
			err error
		)
		fuzzbytes.Within(t, "New", func() { c, err = twirpx.New(cfg) })
		switch {
		case err != nil:
			if c != nil || !(errors.Is(err, twirpx.ErrInvalidConfig) || errors.Is(err, transport.ErrInvalidConfig)) {
				t.Fatalf("New = %v, %v; want nil and an ErrInvalidConfig", c, err)
			}
		case cfg.Transport.Base != nil:
			resp, err := c.HTTPClient().Post("http://a.test/twirp/S/M", "application/protobuf", strings.NewReader("x"))
			if err == nil {
				resp.Body.Close()
			}
		default:
			c.CloseIdleConnections()
		}

		dc := twirpx.DeadlineConfig{Header: in.String(fuzzStrings), Max: in.Duration()}
		var h http.Handler
		fuzzbytes.Within(t, "DeadlineHandler", func() { h, err = twirpx.DeadlineHandler(http.NotFoundHandler(), dc) })
		if err != nil && (h != nil || !errors.Is(err, twirpx.ErrInvalidConfig)) {
			t.Fatalf("DeadlineHandler = %v, %v; want nil and ErrInvalidConfig", h, err)
		}
	})
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
