package twirpx

import (
	"net/http"
	"time"
)

// wire is the bottom stage of the stack (the innermost attempt
// middleware), just above the pool, where each
// attempt meets the network: it tells the server how long this attempt may
// take, from the attempt's own deadline, the tightest of the caller's, the
// method's, the call's and the attempt timeout. A retry sends the time left
// at its own start, not the call's first figure.
type wire struct {
	next   http.RoundTripper
	header string // "" when disabled
	// attempt is the stack's attempt timeout (0 when disabled), which is a
	// timer above this stage, not a deadline in the request's context.
	attempt time.Duration
	// attemptValue is the header's value for attempt, made once: an
	// attempt that the attempt timeout bounds (rather than a deadline)
	// sends it without building the string.
	attemptValue string
}

// newWire returns the wire stage above next.
func newWire(next http.RoundTripper, header string, attempt time.Duration) *wire {
	w := &wire{next: next, header: header, attempt: attempt}
	if attempt > 0 {
		w.attemptValue = string(appendTimeout(nil, attempt))
	}
	return w
}

var _ http.RoundTripper = (*wire)(nil)

// RoundTrip implements http.RoundTripper.
func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	if w.header != "" {
		left := w.attempt
		if deadline, ok := req.Context().Deadline(); ok {
			if d := time.Until(deadline); d < left || left == 0 {
				left = max(d, 0)
			}
		}
		switch {
		case left == w.attempt && left > 0:
			req = withHeader(req, w.header, w.attemptValue)
		case left > 0:
			var buf [16]byte
			req = withHeader(req, w.header, string(appendTimeout(buf[:0], left)))
		}
	}
	return w.next.RoundTrip(req)
}

// withHeader returns a shallow copy of req with the timeout header added.
// The header map is new, because the stages above share the caller's (a
// retry is a shallow copy, a hedge runs beside the first attempt) and no
// stage may modify it; its values are shared, as nobody modifies them.
// The copy and the header's value slice are one allocation.
func withHeader(req *http.Request, name, value string) *http.Request {
	c := new(headerCopy)
	c.req = *req
	h := make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		h[k] = v
	}
	c.value[0] = value
	h[name] = c.value[:]
	c.req.Header = h
	return &c.req
}

type headerCopy struct {
	req   http.Request
	value [1]string
}
