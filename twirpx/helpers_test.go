package twirpx_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twitchtv/twirp"
	"github.com/twitchtv/twirp/ctxsetters"
	"github.com/twitchtv/twirp/example"
	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/twirpx"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// hats is the Haberdasher service: it makes a hat of the asked size, and
// records the deadline each call's context carried.
type hats struct {
	mu        sync.Mutex
	deadlines []time.Duration // time left at entry; -1 when there was no deadline
	// block, when set, makes MakeHat wait until its context ends.
	block bool
	// ctxErr records the context error a blocked call saw.
	ctxErr atomic.Value
}

func (h *hats) MakeHat(ctx context.Context, size *example.Size) (*example.Hat, error) {
	left := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	h.mu.Lock()
	h.deadlines = append(h.deadlines, left)
	h.mu.Unlock()
	if h.block {
		<-ctx.Done()
		h.ctxErr.Store(ctx.Err())
		return nil, twirp.NewError(twirp.DeadlineExceeded, "gave up")
	}
	if size.Inches <= 0 {
		return nil, twirp.InvalidArgumentError("inches", "must be positive")
	}
	return &example.Hat{Size: size.Inches, Color: "blue", Name: "fedora"}, nil
}

func (h *hats) seen() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.deadlines...)
}

// failing wraps a handler and answers the next n requests with err (a
// Twirp error, written in Twirp's JSON) instead; n < 0 fails every
// request. It fails only MakeHat: Tailor/Measure always works. It counts
// the requests that reached it, by path.
type failing struct {
	next     http.Handler
	mu       sync.Mutex
	err      twirp.Error
	left     int
	requests map[string]int
}

func newFailing(next http.Handler) *failing {
	return &failing{next: next, requests: map[string]int{}}
}

// fail makes the next n requests fail with err (n < 0: all of them).
func (f *failing) fail(n int, err twirp.Error) {
	f.mu.Lock()
	f.left, f.err = n, err
	f.mu.Unlock()
}

func (f *failing) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

func (f *failing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	var err twirp.Error
	if f.left != 0 && f.err != nil && r.URL.Path == makeHatPath {
		err = f.err
		if f.left > 0 {
			f.left--
		}
	}
	f.mu.Unlock()
	if err != nil {
		_ = twirp.WriteError(w, err)
		return
	}
	f.next.ServeHTTP(w, r)
}

const (
	makeHatPath = "/twirp/twitch.twirp.example.Haberdasher/MakeHat"
	measurePath = "/twirp/twirpx.test.Tailor/Measure"
)

// backend is a loopback Twirp server: the generated Haberdasher server,
// and a hand-written second service, Tailor, whose one method Measure
// answers {} in Twirp's JSON protocol, so that two methods can fail
// independently.
type backend struct {
	*httptest.Server
	hats    *hats
	failing *failing
}

func newBackend(t testing.TB, wrap func(http.Handler) http.Handler) *backend {
	t.Helper()
	b := &backend{hats: &hats{}}
	mux := http.NewServeMux()
	mux.Handle(example.HaberdasherPathPrefix, example.NewHaberdasherServer(b.hats))
	mux.HandleFunc(measurePath, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})
	b.failing = newFailing(mux)
	var h http.Handler = b.failing
	if wrap != nil {
		h = wrap(h)
	}
	b.Server = httptest.NewServer(h)
	t.Cleanup(b.Close)
	return b
}

// newClient builds a twirpx.Client whose retries wait a millisecond, so
// that loopback tests run fast, and closes its connections at the end.
func newClient(t testing.TB, cfg twirpx.Config) *twirpx.Client {
	t.Helper()
	if cfg.Transport.Retry.Backoff == nil {
		cfg.Transport.Retry.Backoff = backoff.Constant(time.Millisecond)
	}
	c, err := twirpx.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// idempotentHats is the Methods config that marks MakeHat idempotent.
var idempotentHats = map[string]twirpx.MethodPolicy{"Haberdasher/MakeHat": {Idempotent: true}}

// measure calls Tailor/Measure the way a generated JSON client would: the
// service and method names in the context, a POST of a JSON body with
// GetBody set. It returns the response status, or the error.
func measure(ctx context.Context, hc *http.Client, baseURL string) (int, error) {
	ctx = ctxsetters.WithPackageName(ctx, "twirpx.test")
	ctx = ctxsetters.WithServiceName(ctx, "Tailor")
	ctx = ctxsetters.WithMethodName(ctx, "Measure")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+measurePath, bytes.NewReader([]byte("{}")))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// twirpCode returns err's Twirp code, or a description of a non-Twirp
// error.
func twirpCode(err error) twirp.ErrorCode {
	if err == nil {
		return twirp.NoError
	}
	twerr, ok := err.(twirp.Error)
	if !ok {
		return twirp.ErrorCode(fmt.Sprintf("not a twirp.Error: %T", err))
	}
	return twerr.Code()
}

// meta returns err's Twirp meta value for key.
func meta(err error, key string) string {
	if twerr, ok := err.(twirp.Error); ok {
		return twerr.Meta(key)
	}
	return ""
}
