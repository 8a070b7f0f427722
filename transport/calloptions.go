package transport

import (
	"context"
	"time"
)

// CallOptions change, for one call, settings of the stack that New (or a
// Chain of the stages) built: more or fewer attempts, other timeouts, a
// request marked safe to repeat. Each zero field keeps the stack's
// setting. They change stages that the stack has; they do not add one (a
// MaxAttempts on a stack built with Retry.Off sends the request once).
//
// go-retryablehttp declined per-request settings (its issue #104); with
// CallOptions a handler can, say, send a health probe once and fast
// through the client its other calls share:
//
//	ctx, err := transport.WithCallOptions(ctx, transport.CallOptions{MaxAttempts: 1, AttemptTimeout: 200 * time.Millisecond})
type CallOptions struct {
	// MaxAttempts bounds the call's attempts, the first included: 1
	// sends it once, without retry. Zero keeps Retry's MaxAttempts. At
	// most 100.
	MaxAttempts int
	// TotalTimeout bounds the whole call, in place of the stack's
	// TotalTimeout (longer or shorter). Zero keeps the stack's.
	TotalTimeout time.Duration
	// AttemptTimeout bounds each attempt's wait for its response headers,
	// in place of the stack's AttemptTimeout. Zero keeps the stack's.
	AttemptTimeout time.Duration
	// Idempotent marks the request safe to repeat, as WithIdempotent
	// does.
	Idempotent bool
}

type callOptionsKey struct{}

// WithCallOptions returns a context that carries o for the calls made
// with it. A negative value, or a MaxAttempts above 100, is an error
// matching ErrInvalidConfig that names the field, and ctx is returned as
// it was.
func WithCallOptions(ctx context.Context, o CallOptions) (context.Context, error) {
	switch {
	case o.MaxAttempts < 0 || o.MaxAttempts > maxAttempts:
		return ctx, fieldError("CallOptions.MaxAttempts", "is %d, must be in [0, %d] (0 keeps the stack's)", o.MaxAttempts, maxAttempts)
	case o.TotalTimeout < 0:
		return ctx, fieldError("CallOptions.TotalTimeout", "is %v, must be >= 0 (0 keeps the stack's)", o.TotalTimeout)
	case o.AttemptTimeout < 0:
		return ctx, fieldError("CallOptions.AttemptTimeout", "is %v, must be >= 0 (0 keeps the stack's)", o.AttemptTimeout)
	}
	if o.Idempotent {
		ctx = WithIdempotent(ctx)
	}
	return context.WithValue(ctx, callOptionsKey{}, &o), nil
}

// callOptions returns the CallOptions of ctx, or nil.
func callOptions(ctx context.Context) *CallOptions {
	o, _ := ctx.Value(callOptionsKey{}).(*CallOptions)
	return o
}
