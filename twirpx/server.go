package twirpx

import (
	"context"
	"net/http"
	"time"
)

// DeadlineConfig configures DeadlineHandler. The zero value reads
// DefaultTimeoutHeader and caps it at DefaultMaxTimeout.
type DeadlineConfig struct {
	// Header names the request header to read. Empty means
	// DefaultTimeoutHeader; set it to the client's Config.TimeoutHeader.
	Header string

	// Max caps the time a request may be given, whatever its client
	// asks: the server's own bound on the work of one request. Zero means
	// DefaultMaxTimeout; negative is an error.
	Max time.Duration
}

// DefaultMaxTimeout is the cap that a zero DeadlineConfig.Max stands for.
const DefaultMaxTimeout = 30 * time.Second

// DeadlineHandler returns a handler that gives each request the deadline
// its client sent (see Config.TimeoutHeader): the request's context ends
// when the client stops waiting for this attempt, capped at cfg.Max, so
// the server's work (and the calls it makes in turn, with the context
// passed on) stops when nobody is left to use its answer. Wrap a Twirp
// server with it:
//
//	h, err := twirpx.DeadlineHandler(example.NewHaberdasherServer(svc), twirpx.DeadlineConfig{})
//
// A request without the header, or with a value it cannot read, is served
// as it came, without a deadline of its own. It allocates only for
// requests that carry the header (a context and a request copy).
func DeadlineHandler(next http.Handler, cfg DeadlineConfig) (http.Handler, error) {
	if next == nil {
		return nil, errorf("next", "is nil")
	}
	if cfg.Header == "" {
		cfg.Header = DefaultTimeoutHeader
	}
	if !validHeaderName(cfg.Header) {
		return nil, errorf("DeadlineConfig.Header", "%q is not a valid header name", cfg.Header)
	}
	if cfg.Max < 0 {
		return nil, errorf("DeadlineConfig.Max", "is %v, must be >= 0 (0 means %v)", cfg.Max, DefaultMaxTimeout)
	}
	if cfg.Max == 0 {
		cfg.Max = DefaultMaxTimeout
	}
	return &deadlineHandler{next: next, header: http.CanonicalHeaderKey(cfg.Header), max: cfg.Max}, nil
}

type deadlineHandler struct {
	next   http.Handler
	header string
	max    time.Duration
}

func (h *deadlineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := r.Header[h.header]
	if len(v) == 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	d, ok := parseTimeout(v[0])
	if !ok {
		h.next.ServeHTTP(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), min(d, h.max))
	defer cancel()
	h.next.ServeHTTP(w, r.WithContext(ctx))
}
