package promx

import (
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// Hooks returns the hooks that feed m's counters and histogram. Pass them
// in transport.Config.Hooks, alone or joined with others:
//
//	Hooks: transport.JoinHooks(metrics.Hooks(), transport.SlogHooks(logger)),
//
// They set OnCallEnd, OnAttemptEnd, OnRetry, OnBudgetExhausted,
// OnBreakerStateChange, OnRejected and OnPushback. A breaker.Group of your
// own (transport.BreakerConfig.Group) does not report to the stack's
// hooks: set its breaker.GroupConfig.OnStateChange to this OnBreakerStateChange to
// count its transitions (its states are read from the Snapshot anyway). On the success path a
// call costs a host lookup (an atomic load and a map read), two counter
// increments and a histogram observation, with no allocation of this
// package's own; setting any hook makes the stack observe the call, which
// costs what transport.Hooks documents.
func (m *Metrics) Hooks() transport.Hooks {
	return transport.Hooks{
		OnCallEnd:            m.onCallEnd,
		OnAttemptEnd:         m.onAttemptEnd,
		OnRetry:              m.onRetry,
		OnBudgetExhausted:    m.onBudgetExhausted,
		OnBreakerStateChange: m.onBreakerStateChange,
		OnRejected:           m.onRejected,
		OnPushback:           m.onPushback,
	}
}

func (m *Metrics) onCallEnd(e transport.CallEnd) {
	h := m.hosts.get(e.Request.URL.Host)
	o := callOutcome(e)
	h.calls[o].get(m.calls, h.label, callOutcomes[o]).Inc()
	h.duration.get(m.callDuration, h.label).Observe(e.Duration.Seconds())
}

func (m *Metrics) onAttemptEnd(e transport.AttemptEnd) {
	h := m.hosts.get(e.Request.URL.Host)
	c := codeClass(e.StatusCode, e.Err)
	h.attempts[c].get(m.attempts, h.label, codeClasses[c]).Inc()
}

// The hooks below run on failure paths only: resolving the child with
// WithLabelValues each time is cheap next to the failure itself.

func (m *Metrics) onRetry(e transport.RetryEvent) {
	m.retries.WithLabelValues(m.hosts.label(e.Request.URL.Host), e.Verdict.Reason.String()).Inc()
}

func (m *Metrics) onBudgetExhausted(e transport.RetryEvent) {
	m.budgetExhausted.WithLabelValues(m.hosts.label(e.Request.URL.Host)).Inc()
}

func (m *Metrics) onBreakerStateChange(sc breaker.StateChange) {
	m.breakerTransition.WithLabelValues(m.hosts.label(sc.Name), sc.From.String(), sc.To.String()).Inc()
}

func (m *Metrics) onRejected(r transport.Rejection) {
	m.rejections.WithLabelValues(m.hosts.label(r.Request.URL.Host), r.Stage).Inc()
}

func (m *Metrics) onPushback(p transport.Pushback) {
	m.pushbacks.WithLabelValues(m.hosts.label(p.Host)).Inc()
}
