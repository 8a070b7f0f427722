package transport

import (
	"errors"
	"net"
)

// NotSent reports whether err proves that the request never left this
// process, so that repeating it cannot duplicate work on the server even for
// a POST: the connection could not be established (a dial, DNS or proxy
// connect failure), or a middleware refused the request before sending it and
// said so with MarkNotSent (an open breaker, a full queue).
func NotSent(err error) bool {
	if err == nil {
		return false
	}
	var marked interface{ RequestNotSent() bool }
	if errors.As(err, &marked) && marked.RequestNotSent() {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Op == "dial" || opErr.Op == "proxyconnect"
	}
	return false
}

// MarkNotSent wraps err so that NotSent reports true for it. A middleware
// that rejects a request before any byte of it is written (an open breaker,
// a rate limit, a full queue) returns its error through MarkNotSent, so that
// an outer Retry knows that even a POST may be tried again. The wrapper's
// message is err's message, and errors.Is and errors.As see through it. A
// nil err gives nil.
func MarkNotSent(err error) error {
	if err == nil {
		return nil
	}
	return notSentError{err}
}

type notSentError struct{ err error }

func (e notSentError) Error() string        { return e.err.Error() }
func (e notSentError) Unwrap() error        { return e.err }
func (e notSentError) RequestNotSent() bool { return true }
