package transport

import "context"

// AttemptNumber returns the number of the attempt whose request context
// is ctx (1 for a call's first attempt, retries and hedges counted), so
// that an Attempt middleware (Config.Attempt, or any below
// Observer.Attempt) knows it. It is 0 when ctx is not an attempt's of an
// observed stack: New observes a stack whose Config.Hooks has any hook
// set.
func AttemptNumber(ctx context.Context) int {
	if a, ok := ctx.Value(attemptKey{}).(int); ok {
		return a
	}
	return 0
}

type attemptKey struct{}

// attemptCtx is an attempt's context carrying its number: one allocation,
// made only where a middleware below may read it.
type attemptCtx struct {
	context.Context
	n int
}

func (c *attemptCtx) Value(key any) any {
	if key == (attemptKey{}) {
		return c.n
	}
	return c.Context.Value(key)
}
