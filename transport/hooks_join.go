package transport

import "github.com/resilient-go/resilient/breaker"

// JoinHooks returns one Hooks that calls every given Hooks in order, so
// that metrics, tracing and logging can observe the same stack. A field
// that no argument sets stays nil and costs nothing; a field only one
// argument sets is that argument's function, unwrapped.
func JoinHooks(hs ...Hooks) Hooks {
	return Hooks{
		OnCallStart:          join(hs, func(h Hooks) func(CallStart) { return h.OnCallStart }),
		OnCallEnd:            join(hs, func(h Hooks) func(CallEnd) { return h.OnCallEnd }),
		OnAttempt:            join(hs, func(h Hooks) func(RetryEvent) { return h.OnAttempt }),
		OnAttemptEnd:         join(hs, func(h Hooks) func(AttemptEnd) { return h.OnAttemptEnd }),
		OnRetry:              join(hs, func(h Hooks) func(RetryEvent) { return h.OnRetry }),
		OnBudgetExhausted:    join(hs, func(h Hooks) func(RetryEvent) { return h.OnBudgetExhausted }),
		OnBreakerStateChange: join(hs, func(h Hooks) func(breaker.StateChange) { return h.OnBreakerStateChange }),
		OnRejected:           join(hs, func(h Hooks) func(Rejection) { return h.OnRejected }),
		OnPushback:           join(hs, func(h Hooks) func(Pushback) { return h.OnPushback }),
	}
}

// join collects field from each Hooks and returns one function calling
// the non-nil ones in order (nil when there are none).
func join[E any](hs []Hooks, field func(Hooks) func(E)) func(E) {
	var fns []func(E)
	for _, h := range hs {
		if f := field(h); f != nil {
			fns = append(fns, f)
		}
	}
	switch len(fns) {
	case 0:
		return nil
	case 1:
		return fns[0]
	}
	return func(e E) {
		for _, f := range fns {
			f(e)
		}
	}
}
