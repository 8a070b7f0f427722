package transport

// Observer is the observation of a stack composed with Chain, as New
// observes its own: Call, the outermost stage, reports each call
// (Hooks.OnCallStart, OnCallEnd, OnRejected) and carries the call's
// attempt count; Attempt, below Retry, Hedge, Breaker and Limit (New puts
// it just above AttemptTimeout), counts each attempt sent and reports
// Hooks.OnAttemptEnd. The other hooks belong to the stages that see the
// events: pass Hooks.OnAttempt, OnRetry and OnBudgetExhausted in
// RetryConfig.Hooks, OnBreakerStateChange in BreakerConfig.OnStateChange,
// and OnPushback in LimitConfig.OnPushback.
//
//	o := transport.NewObserver(hooks, nil)
//	rt := transport.Chain(base, o.Call(), total, retry, breaker, limit, o.Attempt(), attempt)
//
// An Observer is immutable and safe for concurrent use.
type Observer struct {
	hooks      Hooks
	classifier Classifier
}

// NewObserver returns the Observer that reports to h, judging each call's
// result (CallEnd.Verdict) and each attempt's (AttemptEnd.Verdict) with
// classifier; nil means DefaultClassifier.
func NewObserver(h Hooks, classifier Classifier) *Observer {
	if classifier == nil {
		classifier = DefaultClassifier()
	}
	return &Observer{hooks: h, classifier: classifier}
}

// Call returns the outermost stage: it reports each call and keeps the
// call's state (its attempt count) for Attempt.
func (o *Observer) Call() Middleware { return observe(o.hooks, o.classifier) }

// Attempt returns the stage that counts each attempt sent and reports its
// end (Hooks.OnAttemptEnd). Without Call above it, it counts nothing and
// reports attempt 0. Each attempt's request carries its number for the
// middlewares below (AttemptNumber).
func (o *Observer) Attempt() Middleware {
	return countingAttempts(o.hooks.OnAttemptEnd, o.classifier, true)
}
