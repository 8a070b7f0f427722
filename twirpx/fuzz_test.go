package twirpx_test

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// fuzzBytes decodes values from a fuzzer's byte stream: a selector byte
// per value, small selectors picking the values that break configs, larger
// ones a raw value from the next bytes; an exhausted stream reads zeros.
// (transport's fuzz test has the same decoder, for its own config.)
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], f.b)
	f.b = f.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

func (f *fuzzBytes) bool() bool { return f.byte()&1 == 1 }

var fuzzInts = []int{0, 1, -1, 2, 3, 100, 101, math.MaxInt32, math.MaxInt, math.MinInt}

func (f *fuzzBytes) int() int {
	switch s := int(f.byte()); {
	case s < 2*len(fuzzInts):
		return fuzzInts[s/2]
	case s < 224:
		return s - 2*len(fuzzInts)
	default:
		return int(f.u64())
	}
}

var fuzzDurations = []time.Duration{0, 1, -1, time.Millisecond, time.Second, 5 * time.Second, 15 * time.Second, time.Minute, math.MaxInt64, math.MinInt64, math.MaxInt64/2 + 1}

func (f *fuzzBytes) duration() time.Duration {
	switch s := int(f.byte()); {
	case s < 2*len(fuzzDurations):
		return fuzzDurations[s/2]
	case s < 224:
		return time.Duration(s) * time.Millisecond
	default:
		return time.Duration(f.u64())
	}
}

var fuzzStrings = []string{"", "*", "S/*", "S/M", "Haberdasher/MakeHat", "a/b/c", "*/M", "S/M*", "S/", "/M", "X-Timeout", "Bad Header", "a:b", "ü", "\x00"}

// string picks a vocabulary word, or takes up to 16 raw bytes.
func (f *fuzzBytes) string() string {
	s := int(f.byte())
	if s < 2*len(fuzzStrings) {
		return fuzzStrings[s/2]
	}
	n := min(s%17, len(f.b))
	out := string(f.b[:n])
	f.b = f.b[n:]
	return out
}

func fuzzTwirpConfig(f *fuzzBytes, base http.RoundTripper) twirpx.Config {
	c := twirpx.Config{
		Transport: transport.Config{
			Base:         base,
			TotalTimeout: f.duration(), DisableTotalTimeout: f.bool(),
			AttemptTimeout: f.duration(), DisableAttemptTimeout: f.bool(),
			Retry: transport.RetryConfig{MaxAttempts: f.int(), MaxRetryAfter: f.duration()}, DisableRetry: f.bool(),
		},
		LimitPerMethod: f.bool(), TimeoutHeader: f.string(), DisableTimeoutHeader: f.bool(),
	}
	if f.bool() {
		c.Transport.Base = nil // twirpx builds the pool
		c.Transport.Pool = pool.Config{MaxIdleConnsPerHost: f.int(), MaxIdleConns: f.int(), IdleConnTimeout: f.duration(), DialTimeout: f.duration()}
	}
	if n := f.byte() % 5; n > 0 {
		c.Methods = make(map[string]twirpx.MethodPolicy, n)
		for range n {
			c.Methods[f.string()] = twirpx.MethodPolicy{Idempotent: f.bool(), Timeout: f.duration()}
		}
	}
	return c
}

const (
	fuzzMaxTime  = 10 * time.Millisecond
	fuzzMaxAlloc = 4 << 20
)

// withinLimits runs fn, the best of three when over a limit (a GC or a
// descheduling must not fail the test), and fails t when it takes longer
// than fuzzMaxTime or allocates more than fuzzMaxAlloc.
func withinLimits(t *testing.T, what string, fn func()) {
	t.Helper()
	var best time.Duration
	var bestAlloc uint64
	for try := range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		fn()
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; try == 0 || a < bestAlloc {
			bestAlloc = a
		}
		if try == 0 || d < best {
			best = d
		}
		if best <= fuzzMaxTime && bestAlloc <= fuzzMaxAlloc {
			return
		}
	}
	if best > fuzzMaxTime {
		t.Errorf("%s took %v (limit %v)", what, best, fuzzMaxTime)
	}
	if bestAlloc > fuzzMaxAlloc {
		t.Errorf("%s allocated %d bytes (limit %d)", what, bestAlloc, fuzzMaxAlloc)
	}
}

// FuzzConfig builds a Client and a DeadlineHandler from configs decoded
// from random bytes: nothing panics, each answers within fuzzMaxTime and
// fuzzMaxAlloc, and every refusal matches twirpx.ErrInvalidConfig or, for
// the stack's own fields, transport.ErrInvalidConfig. A Client it accepts
// serves a call over a stub.
func FuzzConfig(f *testing.F) {
	f.Add([]byte{})
	for k := range 16 {
		f.Add(repeat(byte(2*k+1), 120))
		f.Add(append(repeat(0, 11), repeat(byte(2*k), 60)...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
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
		withinLimits(t, "New", func() { c, err = twirpx.New(cfg) })
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

		dc := twirpx.DeadlineConfig{Header: in.string(), Max: in.duration()}
		var h http.Handler
		withinLimits(t, "DeadlineHandler", func() { h, err = twirpx.DeadlineHandler(http.NotFoundHandler(), dc) })
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
