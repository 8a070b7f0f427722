package fleet

import (
	"net/http"

	"github.com/resilient-go/resilient/transport"
)

// MiddlewareConfig configures [Middleware]. The zero value keys calls by
// host, classifies with transport.DefaultClassifier and shares pushback.
type MiddlewareConfig struct {
	// Key names the limit a request counts against. Nil means
	// req.URL.Host, as transport.Limit does.
	Key func(*http.Request) string

	// Classifier finds the Retry-After of a 429 or 503. Nil means
	// transport.DefaultClassifier.
	Classifier transport.Classifier

	// PushbackOff turns off shared pushback: by default a response
	// with a Retry-After (a 429, a 503) pauses its key for the whole
	// fleet (Limiter.Pause), bounded by Config.MaxPause.
	PushbackOff bool
}

// Middleware returns a transport.Middleware that asks l before sending
// each request, keyed by host (or cfg.Key), and shares the pushback of
// the responses with the fleet.
//
// A request that l refuses is not sent: its body is closed, and the error
// matches limiter.ErrLimited (and ErrPaused or ErrUnavailable when that
// is why) and is marked transport.NotSent, so transport.DefaultClassifier
// counts it as Ignored and not retryable: an outer Retry fails fast on it
// and an outer Breaker does not count it against the host. Put it where
// transport.Limit goes, behind the breaker:
//
//	transport.Chain(base, retry, guard, fleet.Middleware(l, fleet.MiddlewareConfig{}))
func Middleware(l *Limiter, cfg MiddlewareConfig) transport.Middleware {
	if cfg.Key == nil {
		cfg.Key = func(r *http.Request) string { return r.URL.Host }
	}
	if cfg.Classifier == nil {
		cfg.Classifier = transport.DefaultClassifier()
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &roundTripper{l: l, cfg: cfg, next: next}
	}
}

type roundTripper struct {
	l    *Limiter
	cfg  MiddlewareConfig
	next http.RoundTripper
}

var _ http.RoundTripper = (*roundTripper)(nil)

// RoundTrip implements http.RoundTripper.
func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	key := t.cfg.Key(req)
	if err := t.l.Allow(req.Context(), key); err != nil {
		if req.Body != nil && req.Body != http.NoBody {
			_ = req.Body.Close()
		}
		return nil, transport.MarkNotSent(err)
	}
	resp, err := t.next.RoundTrip(req)
	if !t.cfg.PushbackOff {
		if v := t.cfg.Classifier.Classify(req, resp, err); v.RetryAfter > 0 {
			t.l.Pause(key, v.RetryAfter)
		}
	}
	return resp, err
}
