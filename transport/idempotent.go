package transport

import (
	"context"
	"net/http"
)

type idempotentKey struct{}

// WithIdempotent returns a context that marks a request as safe to repeat,
// whatever its method. Use it for a POST or PATCH that the server
// de-duplicates by other means, so that Retry may retry it after it was sent.
//
//	req = req.WithContext(transport.WithIdempotent(req.Context()))
func WithIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// IsIdempotent reports whether req may be sent more than once: its method is
// GET, HEAD, OPTIONS, PUT, DELETE or TRACE (RFC 9110 §9.2.2), it carries an
// Idempotency-Key or X-Idempotency-Key header (the same rule net/http uses
// for its own replays), or its context was marked with WithIdempotent.
func IsIdempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	if _, ok := req.Header["Idempotency-Key"]; ok {
		return true
	}
	if _, ok := req.Header["X-Idempotency-Key"]; ok {
		return true
	}
	marked, _ := req.Context().Value(idempotentKey{}).(bool)
	return marked
}
