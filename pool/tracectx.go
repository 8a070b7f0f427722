package pool

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
)

// The statistics ride on httptrace: the transport calls a ClientTrace's
// GotConn with Reused, WasIdle and IdleTime for every connection it hands
// to a request. Attaching a trace the documented way,
//
//	req.WithContext(httptrace.WithClientTrace(ctx, trace))
//
// costs two allocations per request: the context and the shallow copy of
// the request (a RoundTripper must not modify the caller's request). The
// types below fold both into one: a tracedRequest holds the request copy
// and the context that the copy points to, allocated together.
//
// traceCtx answers the transport's lookup of the trace itself and
// delegates every other key, Done, Deadline and Err to the caller's
// context. The key httptrace uses is unexported; traceKey is learnt once
// by asking httptrace to look a trace up in a context that records the key
// it is asked for, and checked by a round trip through
// httptrace.ContextClientTrace. Should a future net/http look traces up
// differently, traceKey is nil and RoundTrip falls back to
// httptrace.WithClientTrace: still correct, one allocation dearer.

// traceKey is the key under which httptrace stores a *ClientTrace in a
// context, or nil if it could not be learnt. Read-only after init.
var traceKey = learnTraceKey()

// keyRecorder is a context that records the last key it was asked for.
type keyRecorder struct {
	context.Context
	key any
}

func (k *keyRecorder) Value(key any) any {
	k.key = key
	return nil
}

// learnTraceKey returns httptrace's context key, or nil if httptrace does
// not find a trace stored under the key it asked for.
func learnTraceKey() any {
	rec := &keyRecorder{Context: context.Background()}
	_ = httptrace.ContextClientTrace(rec)
	if rec.key == nil {
		return nil
	}
	probe := &httptrace.ClientTrace{}
	ctx := &traceCtx{Context: context.Background(), key: rec.key, trace: probe}
	if httptrace.ContextClientTrace(ctx) != probe {
		return nil
	}
	return rec.key
}

// traceCtx is the caller's context with a ClientTrace added, like the
// context httptrace.WithClientTrace returns.
type traceCtx struct {
	context.Context // the caller's
	key             any
	trace           *httptrace.ClientTrace
}

func (c *traceCtx) Value(key any) any {
	if key == c.key { // both dynamic types are comparable: never panics
		return c.trace
	}
	return c.Context.Value(key)
}

func (c *traceCtx) String() string {
	if s, ok := c.Context.(fmt.Stringer); ok {
		return s.String() + ".WithClientTrace(pool)"
	}
	return "context.WithClientTrace(pool)"
}

// tracedRequest is a request copy and its context in one allocation.
type tracedRequest struct {
	req http.Request
	ctx traceCtx
}

// withTrace returns a shallow copy of req whose context carries trace. The
// caller's context must not already hold a ClientTrace, and trace must
// never be passed to httptrace.WithClientTrace (which writes to it).
// With traceKey learnt it makes exactly one allocation.
func withTrace(req *http.Request, trace *httptrace.ClientTrace) *http.Request {
	if traceKey == nil {
		return req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	}
	tr := &tracedRequest{ctx: traceCtx{Context: req.Context(), key: traceKey, trace: trace}}
	// WithContext is inlined here and its copy does not escape: only
	// tr escapes.
	tr.req = *req.WithContext(&tr.ctx)
	return &tr.req
}
