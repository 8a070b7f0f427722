package backoff

import "errors"

// ErrInvalidConfig is wrapped by every error that [New] and [NewBudget]
// return for a bad configuration. The wrapping error's message names the
// offending field and its value; test for the class with
// errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("backoff: invalid config")

// ErrBudgetExhausted reports that a [Budget] refused a retry. The package
// itself never returns it: [Budget.TryRetry] answers with a bool. Callers
// that give up because of the budget (transport.Retry, for one) wrap this
// sentinel so that errors.Is(err, backoff.ErrBudgetExhausted) tells a
// throttled retry apart from one that ran out of attempts.
var ErrBudgetExhausted = errors.New("backoff: retry budget exhausted")
