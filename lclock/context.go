package lclock

import "context"

// ctxKey is the context key of a stamp; a private type, so no other
// package collides with it.
type ctxKey struct{}

// NewContext returns a copy of ctx that carries s: typically the stamp at
// which a server received the request it is handling (lclockhttp's server
// wrapper puts it there).
func NewContext(ctx context.Context, s Stamp) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the stamp that ctx carries, and whether it carries
// one.
func FromContext(ctx context.Context) (Stamp, bool) {
	s, ok := ctx.Value(ctxKey{}).(Stamp)
	return s, ok
}
