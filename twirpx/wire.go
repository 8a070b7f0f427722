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
		if left > 0 {
			req = withHeader(req, w.header, left)
		}
	}
	return w.next.RoundTrip(req)
}

// withHeader returns a shallow copy of req with the timeout header added.
// The header map is new, because the stages above share the caller's (a
// retry is a shallow copy, a hedge runs beside the first attempt) and no
// stage may modify it; its values are shared, as nobody modifies them.
// The copy and the header's value slice are one allocation.
func withHeader(req *http.Request, name string, left time.Duration) *http.Request {
	c := new(headerCopy)
	c.req = *req
	h := make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		h[k] = v
	}
	var buf [16]byte
	c.value[0] = string(appendTimeout(buf[:0], left))
	h[name] = c.value[:]
	c.req.Header = h
	return &c.req
}

type headerCopy struct {
	req   http.Request
	value [1]string
}
