package transport

import "net/http"

// Middleware wraps a RoundTripper with one resilience behaviour. The
// returned RoundTripper must honour the http.RoundTripper contract: it is
// safe for concurrent use, never modifies the caller's request, always
// closes the request body, and reports an HTTP status as a response, never
// as an error.
type Middleware func(next http.RoundTripper) http.RoundTripper

// Chain builds one RoundTripper from base and mws. The first middleware is
// the outermost: Chain(base, a, b) sends a request through a, then b, then
// base. A nil base means http.DefaultTransport. Nil middlewares are skipped,
// so optional stages can be left out without a branch at the call site.
func Chain(base http.RoundTripper, mws ...Middleware) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	rt := base
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			rt = mws[i](rt)
		}
	}
	return rt
}

// RoundTripperFunc adapts an ordinary function to http.RoundTripper, as
// http.HandlerFunc does for handlers. It is handy for stubs in tests and for
// small inline middlewares.
type RoundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f(req).
func (f RoundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) {
	return f(req)
}

var _ http.RoundTripper = RoundTripperFunc(nil)
