package transport

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/internal/ctxwait"
	"github.com/resilient-go/resilient/internal/keymap"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// LimitConfig configures the Limit middleware. The zero value obeys server
// pushback and limits nothing else: rate and concurrency limits are opt-in,
// because only you know your backend's capacity (and x/time/rate's mutex
// does not scale with cores, so no rate limit sits on the default path).
type LimitConfig struct {
	// Off goes without load control, server pushback included: New
	// leaves the stage out, and Limit returns a middleware that passes
	// requests through.
	Off bool

	// Rate limits requests per host; share one between clients to share
	// the rate. Nil means no rate limit. A Rate replaces the pushback gate
	// and the adaptive rate: setting it with AdaptiveRate or MaxPause is
	// an error.
	Rate *limiter.Rate

	// FailFast makes a request that the rate, a pushback pause or the
	// adaptive rate would hold fail at once, with an error matching
	// limiter.ErrLimited. By default such a request waits (cancellable,
	// bounded) when it can be admitted before its deadline, and fails at
	// once when it cannot: a request without a deadline never waits.
	FailFast bool

	// PushbackOff turns off server pushback. By default (Rate nil), a
	// 429 or 503 with Retry-After closes that host's gate: nothing more
	// goes to the host until a tenth of the Retry-After has passed, then
	// one probe. A served probe means a quota: the gate opens and the
	// host's adaptive rate is cut (see AdaptiveRate). A throttled probe
	// means the server wants silence: nothing until its Retry-After, then
	// a probe again. Requests held meanwhile wait when the gate should let
	// them go before their deadline (see FailFast), and go over a slow
	// start when it opens. With Rate set, pushback pauses that Rate
	// instead (Rate.Pause: nothing until Retry-After).
	PushbackOff bool

	// AdaptiveRate configures the adaptive rate per host (see
	// limiter.AdaptiveRate and docs/pushback.md) that follows a server's
	// quota: a 429 without Retry-After, or a quota found by the pushback
	// gate, cuts the host's rate, which then grows back along CUBIC's
	// curve. Requests wait for their turn within their deadline (or fail
	// at once with FailFast). Nil means the AWS SDKs' adaptive mode
	// (limiter.AdaptiveRateConfig{}); its Name is set to each host. It is
	// used only when Rate is nil; setting it with PushbackOff is an
	// error.
	AdaptiveRate *limiter.AdaptiveRateConfig

	// MaxPause caps how long the pushback gate honours a Retry-After when
	// Rate is nil (a Rate has its own MaxPause). Zero means 30s; negative
	// is an error. In New's stack it is also the retry's cap
	// (Config.Retry.MaxRetryAfter): set either, and it caps both.
	MaxPause time.Duration

	// Concurrency limits the requests in flight per host, with a fixed or
	// adaptive limit (limiter.Gradient finds it from latency; see
	// ConcurrencyConfig). Nil means no concurrency limit.
	Concurrency *ConcurrencyConfig

	// Queue is the waiting room in front of the concurrency limit. Nil
	// means queue's defaults: as deep as the limit, adaptive LIFO with
	// CoDel, so the queue stays shallow under overload. Its Limit is
	// driven by the concurrency limiter and is ignored here. Set NoQueue
	// to reject at once when the limit is reached. Used only with
	// Concurrency.
	Queue *queue.Config

	// Throttle turns on client-side adaptive throttling per host (the
	// Google SRE book's P(reject) = max(0, (requests − K·accepts) /
	// (requests + 1))): as the host refuses more of our requests (429,
	// 503, timeouts), the client refuses a growing share itself, before
	// sending them. Nil means off.
	Throttle *limiter.ThrottleConfig

	// MaxHosts bounds the hosts that have their own throttle, concurrency
	// limit and queue, or adaptive rate. Zero means 1024; negative is an
	// error. Past it, hosts with nothing in flight or queued are forgotten.
	MaxHosts int

	// Key names the host a request counts against. Nil means
	// req.URL.Host.
	Key func(*http.Request) string

	// OnPushback, if set, is called when a server's pushback pauses a
	// host (a 429 or 503 with Retry-After), with the host and the end of
	// the pause. It must be safe for concurrent use and return quickly.
	// New calls it before Hooks.OnPushback.
	OnPushback func(Pushback)

	// Classifier judges each attempt for the adaptive limit and pushback.
	// Nil means, in New, Config.Classifier, and otherwise
	// DefaultClassifier.
	Classifier Classifier

	// Rand returns a number uniform in [0, 1). Every random draw of the
	// stage comes from it: the slow start of the requests the pushback
	// gate lets go (each drawn when the request starts waiting), and the
	// draws of each host's Concurrency (limiter.ConcurrencyConfig.Rand)
	// and Throttle (limiter.ThrottleConfig.Rand, unless Throttle sets its
	// own). Nil means math/rand/v2, which is safe for concurrent use and
	// does not allocate. It is how a run is made repeatable (a
	// simulation, a test): give it a source seeded once (a math/rand/v2
	// *Rand behind a mutex, since a *Rand is not safe for concurrent
	// use), and the same seed with the same requests in the same order
	// draws the same numbers. A supplied function must be safe for
	// concurrent use: the hosts share it. Results outside [0, 1) are
	// clamped into it.
	Rand func() float64
}

// Limit returns a middleware that protects each host from overload and
// obeys its pushback: a per-host rate limit, client-side adaptive
// throttling, a per-host concurrency limit (fixed or adaptive) with a
// shallow queue in front, and pauses requested by the server with 429/503
// + Retry-After. Each is optional; only pushback is on by default.
//
// A request that is refused never reaches the layers below: its body is
// closed, and the error matches limiter.ErrLimited, queue.ErrFull or
// queue.ErrTimeout (or the caller's context error), says why, and is
// marked NotSent. DefaultClassifier counts such a rejection as Ignored and
// not retryable, so an outer Retry or Breaker neither waits on it nor
// counts it against the host.
//
// The concurrency slot is released when the response headers arrive, not
// when the body is read. Each RoundTripper that the middleware wraps has
// hosts of its own; NewLimiter gives the same stage as a handle whose
// hosts can be read (Limiter.Hosts), as New's Snapshot does.
func Limit(cfg LimitConfig) (Middleware, error) {
	if cfg.Off {
		return passThrough, nil
	}
	s, err := newLimitSettings(cfg)
	if err != nil {
		return nil, err
	}
	return func(next http.RoundTripper) http.RoundTripper { return s.wrap(next) }, nil
}

// newLimitSettings validates cfg and fills in its defaults.
func newLimitSettings(cfg LimitConfig) (*limitSettings, error) {
	t := &limitSettings{
		rate:       cfg.Rate,
		failFast:   cfg.FailFast,
		pushback:   !cfg.PushbackOff,
		key:        cfg.Key,
		classifier: cfg.Classifier,
		onPushback: cfg.OnPushback,
		maxHosts:   cfg.MaxHosts,
	}
	if r := cfg.Rand; r != nil {
		// Clamped once here, for the limiters too: a Gradient indexes
		// its samples with a draw.
		t.rand = func() float64 { return ctxwait.Share(r) }
	}
	if cfg.MaxPause < 0 {
		return nil, fieldError("LimitConfig.MaxPause", "is %v, must be >= 0 (0 means %v)", cfg.MaxPause, defaultMaxPause)
	}
	if cfg.Rate != nil {
		// A Rate replaces the pushback gate and its adaptive rate: their
		// settings would be silently ignored.
		switch {
		case cfg.AdaptiveRate != nil:
			return nil, fieldError("LimitConfig.Rate", "is set with LimitConfig.AdaptiveRate, which configures the adaptive rate it replaces: set one of them")
		case cfg.MaxPause != 0:
			return nil, fieldError("LimitConfig.Rate", "is set with LimitConfig.MaxPause, which bounds the pushback gate it replaces (a Rate has its own MaxPause): set one of them")
		}
	}
	if cfg.MaxHosts < 0 {
		return nil, fieldError("LimitConfig.MaxHosts", "is %d, must be >= 0 (0 means 1024)", cfg.MaxHosts)
	}
	if t.maxHosts == 0 {
		t.maxHosts = 1024
	}
	if err := t.setAdaptive(cfg); err != nil {
		return nil, err
	}
	t.maxPause = cfg.MaxPause
	if t.maxPause == 0 {
		t.maxPause = defaultMaxPause
	}
	if cfg.Concurrency != nil || cfg.Throttle != nil || t.adaptive != nil || t.rate == nil {
		if cfg.Concurrency != nil {
			c := cfg.Concurrency.limiterConfig()
			c.Rand = t.rand
			t.conc = &c
		}
		if cfg.Throttle != nil {
			th := *cfg.Throttle
			if th.Rand == nil {
				th.Rand = t.rand
			}
			t.throttle = &th
		}
		if cfg.Queue != nil {
			t.queue = *cfg.Queue
		}
		// Build one host's limits now, so that a bad config fails here
		// and never on a request.
		if _, err := t.newHost(); err != nil {
			return nil, err
		}
		t.perHost = true
	}
	if t.key == nil {
		t.key = hostKey
	}
	if t.classifier == nil {
		t.classifier = DefaultClassifier()
	}
	return t, nil
}

// wrap returns the Limit RoundTripper over next.
func (s *limitSettings) wrap(next http.RoundTripper) *limitTransport {
	if next == nil {
		next = http.DefaultTransport
	}
	lt := &limitTransport{limitSettings: *s, next: next}
	lt.hosts = lt.newHostMap()
	return lt
}

// limitSettings is Limit's validated configuration, shared by every
// RoundTripper it wraps.
type limitSettings struct {
	rate       *limiter.Rate
	failFast   bool
	maxPause   time.Duration
	pushback   bool
	perHost    bool
	throttle   *limiter.ThrottleConfig
	conc       *limiter.ConcurrencyConfig
	queue      queue.Config
	maxHosts   int
	key        func(*http.Request) string
	classifier Classifier
	onPushback func(Pushback) // or nil
	adaptive   *limiter.AdaptiveRateConfig
	rand       func() float64 // LimitConfig.Rand, or nil
}

type limitTransport struct {
	limitSettings
	next http.RoundTripper

	// hosts holds each host's limits: lookups are lock-free, a new host
	// costs the same whatever their number.
	hosts *keymap.Map[string, *hostLimit]
}

// hostLimit is one host's client-side throttle, concurrency limit and the
// queue in front of it, those that are configured.
type hostLimit struct {
	throttle *limiter.Throttle
	conc     *limiter.Concurrency
	queue    *queue.Queue
	adaptive *limiter.AdaptiveRate
	gate     *pushbackGate // with adaptive: &gateVal
	// gateVal is the gate itself, allocated with the host: a new host
	// costs one allocation less.
	gateVal pushbackGate
}

// defaultMaxPause is LimitConfig.MaxPause's default.
const defaultMaxPause = 30 * time.Second

var _ http.RoundTripper = (*limitTransport)(nil)

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := t.key(req)
	if t.rate != nil {
		var err error
		if t.failFast {
			err = t.rate.Allow(host)
		} else {
			err = t.rate.Wait(req.Context(), host)
		}
		if err != nil {
			closeRequestBody(req)
			return nil, MarkNotSent(err)
		}
	}
	if !t.perHost {
		resp, err := t.next.RoundTrip(req)
		t.obeyPushback(host, t.classifier.Classify(req, resp, err))
		return resp, err
	}

	h, err := t.host(host)
	if err != nil {
		closeRequestBody(req)
		return nil, err
	}
	probe := false
	if h.gate != nil {
		if probe, err = h.gate.admit(req.Context(), host, t.failFast); err != nil {
			closeRequestBody(req)
			return nil, MarkNotSent(err)
		}
	}
	refuse := func(err error) (*http.Response, error) {
		if probe {
			h.gate.abandon()
		}
		closeRequestBody(req)
		return nil, MarkNotSent(err)
	}
	if h.adaptive != nil {
		if err := t.admitAdaptive(req, h.adaptive); err != nil {
			return refuse(err)
		}
	}
	if h.throttle != nil {
		if err := h.throttle.Allow(); err != nil {
			return refuse(err)
		}
	}
	var tok limiter.Token
	if h.conc != nil {
		if err := h.queue.Acquire(req.Context()); err != nil {
			return refuse(err)
		}
		if tok, err = h.conc.Acquire(); err != nil {
			h.queue.Release()
			return refuse(err)
		}
	}
	resp, err := t.next.RoundTrip(req)
	v := t.classifier.Classify(req, resp, err)
	outcome := limitOutcome(v)
	if h.conc != nil {
		tok.Done(outcome)
		h.queue.Release()
	}
	if h.throttle != nil && resp != nil && outcome != limiter.Dropped {
		h.throttle.Accepted() // the backend took the request in
	}
	if h.adaptive != nil {
		t.feedAdaptive(host, h, v, probe)
	} else {
		t.obeyPushback(host, v)
	}
	return resp, err
}

// obeyPushback pauses host when the server asked for a delay.
func (t *limitTransport) obeyPushback(host string, v Verdict) {
	if t.pushback && v.RetryAfter > 0 {
		t.rate.Pause(host, time.Now().Add(v.RetryAfter))
		if t.onPushback != nil {
			// As paused: capped at MaxPause, never shortened.
			t.onPushback(Pushback{Host: host, Until: t.rate.PausedUntil(host)})
		}
	}
}

// limitOutcome tells the adaptive limit whether the attempt signals
// overload: a 5xx and a timeout do; a 429 is left to the pushback pause
// (reacting to it twice would shrink the limit to nothing while the pause
// already holds the traffic back); other failures (a reset, a refused
// connection) say nothing about load.
func limitOutcome(v Verdict) limiter.Outcome {
	switch {
	case v.Outcome == Success:
		return limiter.Success
	case v.Reason == ReasonTimeout, v.Reason == ReasonServerError:
		return limiter.Dropped
	}
	return limiter.Ignored
}

// host returns host's limits, creating them on first use.
func (t *limitTransport) host(key string) (*hostLimit, error) {
	return t.hosts.LoadOrNew(key)
}

// newHostMap returns the map of hosts' limits. Past MaxHosts, a new host
// forgets the idle hosts among a sample of them, or, when none is idle,
// goes in anyway.
func (t *limitTransport) newHostMap() *keymap.Map[string, *hostLimit] {
	return keymap.New(keymap.Config[string, *hostLimit]{
		Max: t.maxHosts,
		New: func(key string) (*hostLimit, error) {
			h, err := t.newHost()
			if err != nil {
				return nil, err
			}
			if h.adaptive, err = t.newAdaptive(key); err != nil {
				return nil, err
			}
			if h.adaptive != nil {
				h.gate = &h.gateVal
				h.gate.init(t.maxPause, h.adaptive, t.rand)
			}
			return h, nil
		},
		Evict: func(sample []keymap.Entry[string, *hostLimit]) {
			for i := range sample {
				sample[i].Evict = sample[i].Value.idle()
			}
		},
	})
}

func (t *limitSettings) newHost() (*hostLimit, error) {
	h := &hostLimit{}
	if t.throttle != nil {
		th, err := limiter.NewThrottle(*t.throttle)
		if err != nil {
			return nil, coreError("LimitConfig.Throttle", err)
		}
		h.throttle = th
	}
	if t.conc == nil {
		return h, nil
	}
	q, err := queue.New(t.queue)
	if err != nil {
		return nil, coreError("LimitConfig.Queue", err)
	}
	conc := *t.conc
	userHook := conc.OnLimitChange
	conc.OnLimitChange = func(old, n int) {
		_ = q.SetLimit(n) // n >= MinLimit >= 1: cannot fail
		if userHook != nil {
			userHook(old, n)
		}
	}
	c, err := limiter.NewConcurrency(conc)
	if err != nil {
		return nil, concurrencyError("LimitConfig.Concurrency", err)
	}
	if err := q.SetLimit(c.Limit()); err != nil {
		return nil, concurrencyError("LimitConfig.Concurrency", err)
	}
	h.conc, h.queue = c, q
	return h, nil
}

func (h *hostLimit) idle() bool {
	if h.queue == nil {
		return true
	}
	s := h.queue.Stats()
	return s.InFlight == 0 && s.Depth == 0
}
