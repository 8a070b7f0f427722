// Package lclockhttp carries logical-clock stamps (package lclock) on HTTP
// calls, so that events in different services are ordered by causality:
// a request's receipt after its sending, a reply's receipt after
// everything the server did before replying.
//
// A [Propagator] holds the process's clock. Its Middleware, a
// func(http.RoundTripper) http.RoundTripper like transport.Middleware,
// stamps every attempt with a fresh tick and witnesses the stamp on the
// response; its Handler wraps a server's http.Handler, witnesses the
// stamp on the request, puts the receive stamp in the request context
// (lclock.FromContext) and stamps the response when its header is
// written.
//
//	clock := new(lclock.HLC) // one per process, shared by calls and logs
//	p, err := lclockhttp.New(lclockhttp.Config{Clock: clock})
//	…
//	client := &http.Client{Transport: transport.Chain(nil, retry, p.Middleware)}
//	server := &http.Server{Addr: addr, Handler: p.Handler(mux)}
//	h, err := lclock.NewHandler(slog.NewJSONHandler(os.Stdout, nil),
//		lclock.HandlerConfig{Clock: clock, Service: "checkout"})
//	…
//	logger := slog.New(h)
//
// # Header
//
// One header, [DefaultHeader] "Lclock-Stamp" (or [Config.Header]), carries
// the stamp on requests and responses. Its value is the clock's text form:
// "1764190881123.00007" for an HLC (milliseconds since the Unix epoch, a
// dot, a logical counter of up to five digits), "42" for a Lamport clock
// (a decimal counter). Only the first value is read; values longer than
// 32 bytes, with a sign, spaces or any other byte, or of the other clock
// kind, are malformed: ignored and counted. Stamps too far ahead are
// refused by the clock (lclock.ErrAhead) and counted. Neither fails a
// call.
//
// # Where it sits
//
// Put the Middleware innermost in a client chain (last in
// transport.Chain): each attempt of a retried or hedged call is then a
// send event of its own, and a response that a retry discards is still
// witnessed. Wrap the server's handler outermost, so that the receive
// stamp is in the context of everything the handler calls.
//
// # Twirp
//
// Twirp clients take an HTTPClient and Twirp servers are http.Handlers, so
// a generated client built with an *http.Client whose Transport includes
// p.Middleware, and a generated server wrapped in p.Handler, propagate
// stamps with no change; the Twirp method implementation reads the receive
// stamp with lclock.FromContext(ctx).
package lclockhttp
