package transport

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
)

// BreakerConfig configures the Breaker middleware: one breaker per
// destination (per host by default), all alike. The zero value gives
// breaker.DefaultConfig's breakers: trip at a 50 % failure ratio over 10 s
// once 20 calls were seen, or after 10 failures in a row; probe after about
// 300ms, then at intervals growing 20 % per failed probe up to 2 s; one
// probe.
//
// The breakers' settings are breaker.Config's and breaker.GroupConfig's,
// repeated here so that a config is one level deep; each zero field means
// breaker's default for it, as documented there. To share one group of
// breakers between clients, or to read its state, build it with
// breaker.NewGroup and set Group instead: setting both is an error.
type BreakerConfig struct {
	// Off goes without circuit breakers: New leaves the stage out, and
	// Breaker returns a middleware that passes requests through.
	Off bool

	// Group is the group of breakers to use. Nil means a new group built
	// from the settings below. Pass your own to share it between clients
	// or to read its state (Group.Snapshots) for metrics and status pages;
	// the settings below (FailureRatio to OnStateChange) must then be zero.
	Group *breaker.Group

	// FailureRatio trips a breaker when failures/calls in its window
	// reaches it (see breaker.Config.FailureRatio). Zero means 0.5.
	FailureRatio float64
	// MinThroughput is the fewest calls in the window for which the ratios
	// are evaluated (see breaker.Config.MinThroughput). Zero means 20.
	MinThroughput int
	// SlowCallDuration turns on slow-call tracking (see
	// breaker.Config.SlowCallDuration). Zero means off.
	SlowCallDuration time.Duration
	// SlowCallRatio trips a breaker when slow/calls in its window reaches
	// it (see breaker.Config.SlowCallRatio). Zero means 1.
	SlowCallRatio float64
	// ConsecutiveFailures trips a breaker after that many failures in a
	// row (see breaker.Config.ConsecutiveFailures). Zero means 10;
	// negative turns it off.
	ConsecutiveFailures int
	// Window is where calls are counted (see breaker.Window). The zero
	// Window is a time window of 10 s in 10 buckets. Its Period must be at
	// least twice Config.Timeout.Attempt for New.
	Window breaker.Window
	// BreakDuration is how long an open breaker stays open before its
	// first probe (see breaker.Config.BreakDuration). Zero means
	// BreakBackoff.
	BreakDuration time.Duration
	// BreakBackoff gives the open time after each trip (see
	// breaker.Config.BreakBackoff). Nil means breaker.DefaultBreakBackoff.
	BreakBackoff backoff.Strategy
	// MaxWaiters bounds the requests waiting on each open breaker (see
	// breaker.Config.MaxWaiters). Zero means 512.
	MaxWaiters int
	// HalfOpenProbes is how many probes a half-open breaker admits (see
	// breaker.Config.HalfOpenProbes). Zero means 1.
	HalfOpenProbes int
	// HalfOpenSuccesses is how many probes must succeed to close it (see
	// breaker.Config.HalfOpenSuccesses). Zero means HalfOpenProbes.
	HalfOpenSuccesses int
	// MaxKeys is the most breakers held, one per key (see
	// breaker.GroupConfig.MaxKeys). Zero means 1024.
	MaxKeys int
	// IdleAfter is how long a closed breaker must have been idle before
	// it may be evicted (see breaker.GroupConfig.IdleAfter). Zero means 10
	// minutes.
	IdleAfter time.Duration
	// OnStateChange, if set, is called after every transition of every
	// breaker, with its key as StateChange.Name (see
	// breaker.GroupConfig.OnStateChange).
	OnStateChange func(breaker.StateChange)

	// FailFast makes a request that meets an open breaker fail at once.
	// By default it waits (breaker.Breaker.Wait) when the breaker expects
	// to admit it before the request's deadline: a request that arrives
	// in a short outage is sent when the next probe finds the host back,
	// instead of failing; once the outage has outlasted the callers'
	// deadlines, requests fail at once again.
	FailFast bool

	// Key names the breaker a request goes through. Nil means the
	// request's host (req.URL.Host, with its port): one breaker per
	// backend. Key by route for finer isolation, but keep the key set
	// small and stable (see breaker.Group).
	Key func(*http.Request) string

	// Classifier judges each attempt. Nil means, in New, Config.Classifier,
	// and otherwise DefaultClassifier: 5xx (not 501), 429, transport errors
	// and timeouts are failures; other statuses (4xx included) are
	// successes; the caller's cancellation counts neither way.
	Classifier Classifier

	// ObserveBody, when set, waits for the response body before reporting
	// a success: a body that fails mid-read counts as a failure, and the
	// call's duration (for slow-call tracking) includes reading it. It
	// costs one small allocation per call with a body; by default the
	// outcome is reported when the response headers arrive.
	ObserveBody bool
}

// groupConfig returns the config of the group that c's settings describe.
func (c *BreakerConfig) groupConfig() breaker.GroupConfig {
	return breaker.GroupConfig{
		Breaker: breaker.Config{
			FailureRatio:        c.FailureRatio,
			MinThroughput:       c.MinThroughput,
			SlowCallDuration:    c.SlowCallDuration,
			SlowCallRatio:       c.SlowCallRatio,
			ConsecutiveFailures: c.ConsecutiveFailures,
			Window:              c.Window,
			BreakDuration:       c.BreakDuration,
			BreakBackoff:        c.BreakBackoff,
			MaxWaiters:          c.MaxWaiters,
			HalfOpenProbes:      c.HalfOpenProbes,
			HalfOpenSuccesses:   c.HalfOpenSuccesses,
		},
		MaxKeys:       c.MaxKeys,
		IdleAfter:     c.IdleAfter,
		OnStateChange: c.OnStateChange,
	}
}

// settingSet returns the name of the first of c's group settings that is
// set, or "" when none is.
func (c *BreakerConfig) settingSet() string {
	g := c.groupConfig()
	b := g.Breaker
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"FailureRatio", b.FailureRatio != 0},
		{"MinThroughput", b.MinThroughput != 0},
		{"SlowCallDuration", b.SlowCallDuration != 0},
		{"SlowCallRatio", b.SlowCallRatio != 0},
		{"ConsecutiveFailures", b.ConsecutiveFailures != 0},
		{"Window", b.Window != breaker.Window{}},
		{"BreakDuration", b.BreakDuration != 0},
		{"BreakBackoff", b.BreakBackoff != nil},
		{"MaxWaiters", b.MaxWaiters != 0},
		{"HalfOpenProbes", b.HalfOpenProbes != 0},
		{"HalfOpenSuccesses", b.HalfOpenSuccesses != 0},
		{"MaxKeys", g.MaxKeys != 0},
		{"IdleAfter", g.IdleAfter != 0},
		{"OnStateChange", g.OnStateChange != nil},
	} {
		if f.set {
			return f.name
		}
	}
	return ""
}

// newGroup returns the group c names or describes; onStateChange, when
// set, is called after the user's OnStateChange for a group built here.
func (c *BreakerConfig) newGroup(root string, onStateChange func(breaker.StateChange)) (*breaker.Group, error) {
	if c.Group != nil {
		if f := c.settingSet(); f != "" {
			return nil, fieldError(root+".Group", "is set with %s.%s, which configures the group it replaces: set one of them", root, f)
		}
		return c.Group, nil
	}
	gc := c.groupConfig()
	if user, hook := gc.OnStateChange, onStateChange; hook != nil {
		gc.OnStateChange = func(sc breaker.StateChange) {
			if user != nil {
				user(sc)
			}
			hook(sc)
		}
	}
	g, err := breaker.NewGroup(gc)
	if err != nil {
		return nil, coreError(root, err)
	}
	return g, nil
}

// Breaker returns a middleware that guards each destination with a circuit
// breaker (package breaker), keyed per host by default.
//
// While a destination's breaker is open, a request waits for the breaker
// to admit it when that is expected before the request's deadline (see
// breaker.Breaker.Wait and BreakerConfig.FailFast), and otherwise fails at
// once, without touching the network, with an error that matches
// breaker.ErrOpen, names the key and says when the breaker will next
// admit a probe (a *breaker.OpenError), and that NotSent reports as never
// sent. The request body is closed, never read. A request whose context
// ends while it waits fails with an error that matches both the context's
// error and breaker.ErrOpen.
//
// Placed inside Retry (Chain(base, retry, breaker)), a retry that meets an
// open breaker is not retried again: DefaultClassifier counts the
// rejection as Ignored and not retryable, so no budget is spent on it.
func Breaker(cfg BreakerConfig) (Middleware, error) {
	if cfg.Off {
		return passThrough, nil
	}
	group, err := cfg.newGroup("BreakerConfig", nil)
	if err != nil {
		return nil, err
	}
	key := cfg.Key
	if key == nil {
		key = hostKey
	}
	classifier := cfg.Classifier
	if classifier == nil {
		classifier = DefaultClassifier()
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &breakerTransport{group: group, key: key, classifier: classifier, observeBody: cfg.ObserveBody, failFast: cfg.FailFast, next: next}
	}, nil
}

func hostKey(req *http.Request) string { return req.URL.Host }

type breakerTransport struct {
	group       *breaker.Group
	key         func(*http.Request) string
	classifier  Classifier
	observeBody bool
	failFast    bool
	next        http.RoundTripper
}

var _ http.RoundTripper = (*breakerTransport)(nil)

// RoundTrip implements http.RoundTripper.
func (t *breakerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var (
		permit breaker.Permit
		err    error
	)
	if t.failFast {
		permit, err = t.group.Allow(t.key(req))
	} else {
		permit, err = t.group.Wait(req.Context(), t.key(req))
	}
	if err != nil {
		closeRequestBody(req)
		return nil, MarkNotSent(err)
	}
	resp, err := t.next.RoundTrip(req)
	v := t.classifier.Classify(req, resp, err)
	if t.observeBody && v.Outcome == Success && resp != nil && resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &observedBody{ReadCloser: resp.Body, permit: permit, req: req}
		return resp, err
	}
	permit.Done(v.Outcome)
	return resp, err
}

// closeRequestBody honours the RoundTripper contract for a request that is
// not sent: its body is closed.
func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// observedBody reports the breaker outcome when the body is done: a
// success at EOF or when the caller closes it, a failure when a read fails
// with anything but EOF (ignored when the caller's context has ended).
type observedBody struct {
	io.ReadCloser
	permit breaker.Permit
	req    *http.Request
	once   sync.Once
}

func (b *observedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.report(breaker.Success)
	case err != nil && b.req.Context().Err() != nil:
		b.report(breaker.Ignored)
	case err != nil:
		b.report(breaker.Failure)
	}
	return n, err
}

func (b *observedBody) Close() error {
	b.report(breaker.Success) // no-op when a read already reported
	return b.ReadCloser.Close()
}

func (b *observedBody) report(o breaker.Outcome) {
	b.once.Do(func() { b.permit.Done(o) })
}
