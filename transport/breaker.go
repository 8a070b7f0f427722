package transport

import (
	"io"
	"net/http"
	"sync"

	"github.com/resilient-go/resilient/breaker"
)

// BreakerConfig configures the Breaker middleware. The zero value gives one
// breaker per host with the defaults of breaker.DefaultConfig.
type BreakerConfig struct {
	// Breakers is the group of breakers to use. Nil means a new group
	// built from Group. Pass your own to share it between clients or to
	// read its state (Group.Snapshots) for metrics and status pages.
	Breakers *breaker.Group

	// Group configures the group built when Breakers is nil. Its zero
	// value means breaker's defaults: trip at a 50 % failure ratio over
	// 10 s once 20 calls were seen; probe after about 300ms, then at
	// intervals growing 20 % per failed probe up to 10 s; one probe.
	Group breaker.GroupConfig

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

	// Classifier judges each attempt. Nil means DefaultClassifier: 5xx
	// (not 501), 429, transport errors and timeouts are failures; other
	// statuses (4xx included) are successes; the caller's cancellation
	// counts neither way.
	Classifier Classifier

	// ObserveBody, when set, waits for the response body before reporting
	// a success: a body that fails mid-read counts as a failure, and the
	// call's duration (for slow-call tracking) includes reading it. It
	// costs one small allocation per call with a body; by default the
	// outcome is reported when the response headers arrive.
	ObserveBody bool
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
	group := cfg.Breakers
	if group == nil {
		g, err := breaker.NewGroup(cfg.Group)
		if err != nil {
			return nil, groupError("BreakerConfig.Group", err)
		}
		group = g
	}
	key := cfg.Key
	if key == nil {
		key = hostKey
	}
	classifier := cfg.Classifier
	if classifier == nil {
		classifier = DefaultClassifier
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
