package twirpx

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/transport"
)

// Client is the resilient stack made ready for Twirp's generated clients:
// an *http.Client to pass as their HTTPClient, and the ClientOptions that
// put its errors in Twirp's terms. Build it with New; it is safe for
// concurrent use, and one Client may serve any number of generated clients
// (each method of each host gets its own breaker). It starts no goroutine;
// CloseIdleConnections closes its pooled connections.
type Client struct {
	stack      *transport.Transport
	methods    *methodTable
	httpClient *http.Client
	hooks      *twirp.ClientHooks // nil when there are none
}

// New builds a Client from cfg, validating it first: every error of
// twirpx's own wraps ErrInvalidConfig and names the field; those of the
// stack are transport.New's.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c := &Client{}
	tc := cfg.Transport
	if tc.Classifier == nil {
		tc.Classifier = DefaultClassifier()
	}
	header := cfg.TimeoutHeader
	if cfg.DisableTimeoutHeader {
		header = ""
	}
	var attempt time.Duration
	if !tc.Timeout.AttemptOff {
		attempt = cmp.Or(tc.Timeout.Attempt, transport.DefaultConfig().Timeout.Attempt)
	}
	// The wire stage is the innermost attempt middleware, just above the
	// base (the stack's pool when Base is nil), below the caller's own.
	tc.Attempt = append(tc.Attempt[:len(tc.Attempt):len(tc.Attempt)], func(next http.RoundTripper) http.RoundTripper {
		return newWire(next, header, attempt)
	})

	// The table's policies need the stack, and the stack's keys need the
	// table: build the table first and fill in its policies after.
	policies := make(map[[2]string]*policy, len(cfg.Methods)+1)
	c.methods = newMethodTable(policies)
	if tc.Breaker.Key == nil {
		tc.Breaker.Key = c.methods.key
	}
	if tc.Limit.Key == nil && cfg.LimitPerMethod {
		tc.Limit.Key = c.methods.key
	}
	stack, err := transport.New(tc)
	if err != nil {
		return nil, stackError(err)
	}
	c.stack = stack
	policies[[2]string{}] = &policy{rt: stack}
	for k, mp := range cfg.Methods {
		service, method, _ := parseMethodKey(k) // validated
		p := &policy{idempotent: mp.Idempotent, rt: stack}
		if mp.Hedge != nil {
			hc := *mp.Hedge
			if hc.Budget == nil && tc.Retry.Budget != nil {
				hc.Budget, hc.NoDeposit = tc.Retry.Budget, true // Retry credits each call
			}
			mw, err := transport.Hedge(hc)
			if err != nil {
				return nil, errorf(fmt.Sprintf("Config.Methods[%q].Hedge", k), "%w", err)
			}
			p.rt = mw(p.rt)
		}
		if mp.Timeout > 0 {
			mw, err := transport.TotalTimeout(mp.Timeout)
			if err != nil {
				return nil, errorf(fmt.Sprintf("Config.Methods[%q].Timeout", k), "%w", err)
			}
			p.rt = mw(p.rt)
		}
		policies[[2]string{service, method}] = p
	}

	c.httpClient = &http.Client{Transport: &outer{methods: c.methods, stack: stack}}
	if hooks := twirp.ChainClientHooks(cfg.ClientHooks...); hooks != nil {
		h := *hooks // ChainClientHooks returns a single argument as it is
		if onError := h.Error; onError != nil {
			h.Error = func(ctx context.Context, err twirp.Error) { onError(ctx, asTwirp(recode(err))) }
		}
		c.hooks = &h
	}
	return c, nil
}

// HTTPClient returns the *http.Client to pass to a generated client's
// constructor (NewXxxProtobufClient, NewXxxJSONClient). It is a real
// *http.Client, so that the generated code can copy it and turn off
// redirects (a redirected POST would be resent as a GET without its body).
// Every call returns the same client.
func (c *Client) HTTPClient() *http.Client { return c.httpClient }

// ClientOptions returns the options to pass to a generated client's
// constructor with HTTPClient: an interceptor that gives transport
// failures their Twirp code (see below), and the Config.ClientHooks
// chained into one twirp.WithClientHooks. Pass them last, after options of
// your own: twirp.WithClientHooks replaces the hooks set before it, and the
// interceptors run in the order given, so yours (before) see the errors as
// the caller does.
//
// A generated client reports every failure of its HTTPClient as an
// internal error. The interceptor recodes it, keeping the original as the
// cause (errors.Is and errors.As still find breaker.ErrOpen,
// context.DeadlineExceeded, a *transport.RetryError...), with MetaCause
// and, where they apply, MetaRetryAfter, MetaAttempts and MetaNotSent:
//
//	breaker open                  unavailable          resilient_cause=breaker_open
//	rate, concurrency, pushback   resource_exhausted   resilient_cause=limited
//	queue full, queue wait        resource_exhausted   resilient_cause=queue_full, queue_timeout
//	deadline, attempt timeout     deadline_exceeded    resilient_cause=deadline
//	caller cancelled              canceled             resilient_cause=canceled
//	reset, refused, EOF           unavailable          resilient_cause=transport
//
// A server's own errors, internal included, pass unchanged.
//
// A new slice is returned at each call, for the caller to append to.
func (c *Client) ClientOptions() []twirp.ClientOption {
	opts := []twirp.ClientOption{twirp.WithClientInterceptors(recodeInterceptor)}
	if c.hooks != nil {
		opts = append(opts, twirp.WithClientHooks(c.hooks))
	}
	return opts
}

func recodeInterceptor(next twirp.Method) twirp.Method {
	return func(ctx context.Context, req any) (any, error) {
		resp, err := next(ctx, req)
		if err != nil {
			err = recode(err)
		}
		return resp, err
	}
}

// Snapshot reports the state of every stage of the stack: each method's
// breaker (named by MethodKey), the retry budget, per-host limits and
// queues, and the pool's reuse statistics when the pool is the stack's.
func (c *Client) Snapshot() transport.Snapshot { return c.stack.Snapshot() }

// MethodKey returns the key that names req's Twirp method on its host, as
// the breakers (and the limits, with LimitPerMethod) use it:
// "host/Service/Method", such as "api.example.com/Haberdasher/MakeHat".
// A request whose context names no Twirp method gets its host. Known keys
// are cached: the call does not allocate.
func (c *Client) MethodKey(req *http.Request) string { return c.methods.key(req) }

// CloseIdleConnections closes the pool's idle connections (or those of
// Config.Transport.Base, when it has the method).
func (c *Client) CloseIdleConnections() { c.httpClient.CloseIdleConnections() }

// outer is the top of the stack: it applies each method's policy, marking
// idempotent methods for Retry and Hedge and bounding a method with its
// own timeout, then hands the call to the stack.
type outer struct {
	methods *methodTable
	stack   *transport.Transport
}

var _ http.RoundTripper = (*outer)(nil)

// RoundTrip implements http.RoundTripper.
func (o *outer) RoundTrip(req *http.Request) (*http.Response, error) {
	e := o.methods.resolve(req)
	if e == nil {
		return o.stack.RoundTrip(req)
	}
	if e.policy.idempotent {
		// Every Twirp call is a POST: only the context can say it is safe
		// to repeat.
		req = req.WithContext(transport.WithIdempotent(req.Context()))
	}
	return e.policy.rt.RoundTrip(req)
}

// CloseIdleConnections reaches the pool, for http.Client.CloseIdleConnections.
func (o *outer) CloseIdleConnections() { o.stack.CloseIdleConnections() }
