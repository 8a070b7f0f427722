package transport

import (
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
)

// BalanceConfig configures Balance. Each field says what its zero value
// means; Balancer or Resolver must be set.
//
// The balancer's settings (Policy to Hooks) are balancer.Config's, repeated
// here so that a config is one level deep; their zero values mean
// balancer.DefaultConfig's (Peak EWMA with outlier ejection). To share a
// Balancer, or to give it to a HealthCheck, build it with balancer.New and
// set Balancer instead: setting both is an error.
type BalanceConfig struct {
	// Balancer picks each attempt's endpoint. Nil means a Balancer of
	// this middleware's own, built from the settings below and fed by
	// Resolver. Pass your own to read its endpoint statistics (for a
	// status page, metrics, Snapshot) or to give it to a HealthCheck;
	// the settings below must then be zero.
	Balancer *balancer.Balancer

	// Policy chooses among the available endpoints (see
	// balancer.Config.Policy). Zero means PeakEWMA.
	Policy balancer.Policy
	// Decay is the time constant of the latency average (see
	// balancer.Config.Decay). Zero means 10s.
	Decay time.Duration
	// Outlier configures passive outlier ejection (see
	// balancer.OutlierConfig). Its zero value means Envoy-like defaults.
	Outlier balancer.OutlierConfig
	// PanicThreshold is the fraction of the set that must be available
	// for the unavailable ones to be skipped (see
	// balancer.Config.PanicThreshold). Zero means 0.5.
	PanicThreshold float64
	// DisablePanic fails picks with balancer.ErrNoAvailable when no
	// endpoint is available, instead of using them all (see
	// balancer.Config.PanicThreshold).
	DisablePanic bool
	// Hooks observe the balancer's ejections and returns (see
	// balancer.Hooks).
	Hooks balancer.Hooks

	// Resolver publishes the service's endpoints; every set becomes the
	// Balancer's. Nil means the Balancer is fed by the caller (Update,
	// Follow). The subscription lasts as long as the Resolver: close the
	// Resolver when the client is done.
	Resolver discovery.Resolver

	// Host is the logical host (req.URL.Host, with its port if the URLs
	// have one, e.g. "users.internal" or "users.internal:8080") whose
	// requests are balanced; requests to other hosts pass through
	// untouched. Empty means every request.
	Host string

	// RewriteHost, when set, sends the endpoint's address in the Host
	// header. By default the Host header keeps the logical name (the
	// request's Host, or its URL's host), which virtual hosts and
	// proxies route on.
	RewriteHost bool

	// Classifier judges each attempt for the balancer (outcome, for
	// ejection and latency cost). Nil means, in New, Config.Classifier,
	// and otherwise DefaultClassifier.
	Classifier Classifier
}

// newBalancer returns the Balancer that c names, or one built from its
// settings; root is c's path in errors.
func (c *BalanceConfig) newBalancer(root string) (*balancer.Balancer, error) {
	bc := balancer.Config{
		Policy:         c.Policy,
		Decay:          c.Decay,
		Outlier:        c.Outlier,
		PanicThreshold: c.PanicThreshold,
		DisablePanic:   c.DisablePanic,
		Hooks:          c.Hooks,
	}
	if c.Balancer != nil {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"Policy", bc.Policy != 0},
			{"Decay", bc.Decay != 0},
			{"Outlier", bc.Outlier != balancer.OutlierConfig{}},
			{"PanicThreshold", bc.PanicThreshold != 0},
			{"DisablePanic", bc.DisablePanic},
			{"Hooks", bc.Hooks.OnEject != nil || bc.Hooks.OnReturn != nil},
		} {
			if f.set {
				return nil, fieldError(root+".Balancer", "is set with %s.%s, which configures the Balancer it replaces: set one of them", root, f.name)
			}
		}
		return c.Balancer, nil
	}
	if c.Resolver == nil {
		return nil, fieldError(root+".Resolver", "is nil and so is %s.Balancer: set one", root)
	}
	b, err := balancer.New(bc)
	if err != nil {
		return nil, coreError(root, err)
	}
	return b, nil
}

// Balance returns a middleware that sends each attempt to one endpoint of
// a service, chosen by a balancer.Balancer: it rewrites the attempt's URL
// host to the endpoint's address (the Host header keeps the logical name
// unless RewriteHost is set), and reports the attempt's outcome and
// latency back, so that slow replicas get less traffic and failing ones
// are ejected.
//
// Place it below Retry and Hedge, so that each attempt is balanced, and
// above Breaker and Limit, so that those key on the endpoint (one breaker
// per replica, not one for the whole service):
//
//	Chain(base, TotalTimeout, BalanceCall(), Retry, Hedge, Balance, Breaker, Limit)
//
// With BalanceCall above Retry and Hedge, the attempts of one call
// remember the endpoints they used, and a retry or a hedge goes to
// another one when there is one (just below TotalTimeout, that memory
// costs no allocation). An attempt that meets an endpoint's open
// breaker (breaker.ErrOpen) is sent to another endpoint at once, when its
// body can be replayed.
//
// TLS: net/http verifies a server certificate against the URL's host, the
// endpoint's address after rewriting. For HTTPS, give the base
// transport's tls.Config a ServerName (the logical name), or have the
// endpoints' certificates name their addresses.
//
// A call for which no endpoint is known fails, never sent, with an error
// that matches balancer.ErrNoEndpoints.
func Balance(cfg BalanceConfig) (Middleware, error) {
	b, err := cfg.newBalancer("BalanceConfig")
	if err != nil {
		return nil, err
	}
	classifier := cfg.Classifier
	if classifier == nil {
		classifier = DefaultClassifier()
	}
	if cfg.Resolver != nil {
		b.Follow(cfg.Resolver)
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &balanceTransport{bal: b, host: cfg.Host, rewriteHost: cfg.RewriteHost, classifier: classifier, next: next}
	}, nil
}

type balanceTransport struct {
	bal         *balancer.Balancer
	host        string
	rewriteHost bool
	classifier  Classifier
	next        http.RoundTripper
}

var _ http.RoundTripper = (*balanceTransport)(nil)

// maxBreakerRedirects bounds how many endpoints with open breakers one
// attempt skips before giving up with the rejection.
const maxBreakerRedirects = 2

// RoundTrip implements http.RoundTripper.
func (t *balanceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.host != "" && req.URL.Host != t.host {
		return t.next.RoundTrip(req)
	}
	orig := req
	var call *balanceCall
	if cs, ok := req.Context().Value(callStateKey{}).(*callState); ok {
		call = &cs.balance
	}
	var tried balancer.Tried
	if call != nil {
		tried = call.snapshot()
	}
	for redirects := 0; ; redirects++ {
		start := time.Now()
		p, err := t.bal.Pick(start, &tried)
		if err != nil {
			closeRequestBody(req)
			return nil, MarkNotSent(&BalanceError{Host: req.URL.Host, Err: err})
		}
		tried.Add(p)
		if call != nil {
			call.add(p)
		}
		r := rewrite(req, p.Addr(), t.rewriteHost)
		resp, err := t.next.RoundTrip(r)
		now := time.Now()
		if err != nil && redirects < maxBreakerRedirects && errors.Is(err, breaker.ErrOpen) &&
			replayable(req) && tried.Len() < t.bal.Len() && req.Context().Err() == nil {
			// This replica's breaker is open: another replica may well
			// take the attempt. The breaker closed the body unread.
			p.Done(now, balancer.Ignored)
			if req, err = replay(req); err != nil {
				return nil, err
			}
			continue
		}
		p.Done(now, balanceOutcome(t.classifier.Classify(req, resp, err).Outcome))
		return withRequest(resp, orig), err
	}
}

// rewritten is an attempt's request and URL in one allocation.
type rewritten struct {
	req http.Request
	url url.URL
}

// rewrite returns a shallow copy of req addressed to addr.
func rewrite(req *http.Request, addr string, rewriteHost bool) *http.Request {
	rw := &rewritten{req: *req, url: *req.URL}
	rw.url.Host = addr
	rw.req.URL = &rw.url
	switch {
	case rewriteHost:
		rw.req.Host = ""
	case req.Host == "":
		rw.req.Host = req.URL.Host
	}
	return &rw.req
}

func balanceOutcome(o Outcome) balancer.Outcome {
	switch o {
	case Success:
		return balancer.Success
	case Failure:
		return balancer.Failure
	}
	return balancer.Ignored
}

// BalanceError is the error of a call that Balance could not send: no
// endpoint is known for its host (Err matches balancer.ErrNoEndpoints),
// or none is available (balancer.ErrNoAvailable). NotSent reports true
// for it.
type BalanceError struct {
	// Host is the logical host of the call.
	Host string
	// Err is the balancer's error.
	Err error
}

// Error describes the failure.
func (e *BalanceError) Error() string {
	return "transport: balancing " + e.Host + ": " + e.Err.Error()
}

// Unwrap returns the balancer's error.
func (e *BalanceError) Unwrap() error { return e.Err }

// BalanceCall returns a middleware that gives each call a memory of the
// endpoints its attempts used, so that Balance, below it, sends a retry
// or a hedge to an endpoint the call has not tried yet when there is one.
// Place it above Retry and Hedge, and just below TotalTimeout (as New
// does): the memory then lives in the call's context that TotalTimeout
// makes anyway, or in the per-call state that an observed stack (New with
// Hooks) carries, and costs nothing; elsewhere it costs a context and a
// request copy per call.
func BalanceCall() Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			if _, ok := ctx.Value(callStateKey{}).(*callState); ok {
				return next.RoundTrip(req) // an outer stage already keeps the call's state
			}
			if c, ok := ctx.(*callContext); ok {
				// Just below TotalTimeout: the call's context is this
				// call's alone, and it can hold the memory.
				c.keepState()
				return next.RoundTrip(req)
			}
			cc := &callCtx{Context: ctx}
			resp, err := next.RoundTrip(req.WithContext(cc))
			return withRequest(resp, req), err
		})
	}
}

// balanceCall is one call's memory of the endpoints its attempts used;
// hedged attempts share it, hence the lock.
type balanceCall struct {
	mu    sync.Mutex
	tried balancer.Tried
}

func (c *balanceCall) snapshot() balancer.Tried {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tried
}

func (c *balanceCall) add(p balancer.Pick) {
	c.mu.Lock()
	c.tried.Add(p)
	c.mu.Unlock()
}
