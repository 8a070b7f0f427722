package otelx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// ErrInvalidConfig is wrapped by every error that NewMetrics returns: a
// meter that refused one of the instruments.
var ErrInvalidConfig = errors.New("otelx: invalid config")

// MetricsConfig configures NewMetrics. The zero MetricsConfig is the
// recommended one.
type MetricsConfig struct {
	// MeterProvider provides the meter of the instruments. Nil means
	// otel.GetMeterProvider() when NewMetrics is called.
	MeterProvider metric.MeterProvider

	// HostKey names a request's host in the resilient.host attribute, as
	// Config.HostKey does for spans. Nil means req.URL.Host.
	HostKey func(*http.Request) string
}

// Metric names: the semantic conventions' client duration, and ours.
const (
	// MetricRequestDuration is the conventions' histogram of HTTP client
	// requests, in seconds: one observation per attempt sent (retries and
	// hedges each count), from sending to the response headers, with
	// http.request.method, server.address, server.port, url.scheme,
	// http.response.status_code and error.type.
	MetricRequestDuration = "http.client.request.duration"
	// MetricCalls counts calls leaving the stack by resilient.host and
	// how they ended for their caller (KeyCallOutcome).
	MetricCalls = "resilient.client.calls"
	// MetricRetries counts retries decided, by resilient.host and
	// resilient.reason.
	MetricRetries = "resilient.client.retries"
	// MetricBudgetExhausted counts retries the retry budget refused, by
	// resilient.host.
	MetricBudgetExhausted = "resilient.client.retry_budget_exhausted"
	// MetricRejections counts calls our own stages refused before
	// sending, by resilient.host and resilient.stage (breaker, limit,
	// queue).
	MetricRejections = "resilient.client.rejections"
	// MetricPushbacks counts pauses a server asked for (429/503 with
	// Retry-After), by resilient.host.
	MetricPushbacks = "resilient.client.pushbacks"
	// MetricBreakerTransitions counts breaker state changes, by
	// resilient.host and resilient.breaker.from / .to.
	MetricBreakerTransitions = "resilient.client.breaker.transitions"
	// MetricBreakerState is 1 for each breaker's current state and 0 for
	// the others, by resilient.host and resilient.breaker.state, read
	// from the observed Transport's Snapshot at each collection.
	MetricBreakerState = "resilient.client.breaker.state"
)

// Attribute keys of the metrics (beside the conventions' and the spans').
const (
	// KeyURLScheme is the request URL's scheme (url.scheme).
	KeyURLScheme = attribute.Key("url.scheme")
	// KeyBreakerState is a breaker state: "closed", "open", "half-open",
	// "isolated", "disabled".
	KeyBreakerState = attribute.Key("resilient.breaker.state")
	// KeyBreakerFrom and KeyBreakerTo are a transition's states.
	KeyBreakerFrom = attribute.Key("resilient.breaker.from")
	KeyBreakerTo   = attribute.Key("resilient.breaker.to")
)

// durationBuckets are the conventions' advice for
// http.client.request.duration.
var durationBuckets = []float64{0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// breakerStates are the states MetricBreakerState reports for each breaker.
var breakerStates = [...]breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen, breaker.Isolated, breaker.Disabled}

// Metrics records the stack's metrics through the OpenTelemetry metric
// API, for programs that export OTel metrics rather than scrape promx.
// Pass Hooks to transport.Config.Hooks (joined with Tracing's with
// transport.JoinHooks), and hand the built Transport to Observe for the
// breaker states.
//
// A Metrics is safe for concurrent use and holds no goroutine. Attribute
// values are bounded by the hosts the client calls: the SDK's cardinality
// limit (2000 per instrument by default) caps a client pointed at many.
// Every hook allocates its attribute set; on the success path that is
// one histogram observation and one counter increment per call.
type Metrics struct {
	hostKey func(*http.Request) string

	duration        metric.Float64Histogram
	calls           metric.Int64Counter
	retries         metric.Int64Counter
	budgetExhausted metric.Int64Counter
	rejections      metric.Int64Counter
	pushbacks       metric.Int64Counter
	transitions     metric.Int64Counter

	transport atomic.Pointer[transport.Transport]
	reg       metric.Registration
}

// NewMetrics creates the instruments on cfg's meter. Close unregisters the
// breaker state callback.
func NewMetrics(cfg MetricsConfig) (*Metrics, error) {
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	m := &Metrics{hostKey: cfg.HostKey}
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{"+unitOf(name)+"}"))
		errs = append(errs, err)
		return c
	}
	var err error
	m.duration, err = meter.Float64Histogram(MetricRequestDuration,
		metric.WithDescription("Duration of HTTP client requests (each attempt sent)."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	m.calls = counter(MetricCalls, "Calls that left the resilience stack, by how they ended for their caller.")
	m.retries = counter(MetricRetries, "Retries decided, by the reason the failed attempt was retried.")
	m.budgetExhausted = counter(MetricBudgetExhausted, "Retries that the retry budget refused.")
	m.rejections = counter(MetricRejections, "Calls refused by the stack's own stages before sending.")
	m.pushbacks = counter(MetricPushbacks, "Pauses of a host asked for by the server (429/503 with Retry-After).")
	m.transitions = counter(MetricBreakerTransitions, "Circuit breaker state transitions.")
	state, err := meter.Int64ObservableGauge(MetricBreakerState,
		metric.WithDescription("1 for each breaker's current state, 0 for the others."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	m.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		t := m.transport.Load()
		if t == nil {
			return nil
		}
		for _, b := range t.Snapshot().Breakers {
			for _, st := range breakerStates {
				v := int64(0)
				if b.State == st {
					v = 1
				}
				o.ObserveInt64(state, v, metric.WithAttributes(KeyHost.String(b.Name), KeyBreakerState.String(st.String())))
			}
		}
		return nil
	}, state)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return m, nil
}

// unitOf returns the unit of a counter: what it counts.
func unitOf(name string) string {
	switch name {
	case MetricCalls:
		return "call"
	case MetricRetries, MetricBudgetExhausted:
		return "retry"
	case MetricRejections:
		return "call"
	case MetricPushbacks:
		return "pause"
	}
	return "transition"
}

// Observe makes m read t's Snapshot at each collection, for the breaker
// states; nil stops it. A later call replaces the Transport observed.
func (m *Metrics) Observe(t *transport.Transport) {
	m.transport.Store(t)
}

// Close unregisters the breaker state callback from the meter.
func (m *Metrics) Close() error {
	return m.reg.Unregister()
}

// Hooks returns the hooks that feed m's instruments: OnAttemptEnd,
// OnCallEnd, OnRetry, OnBudgetExhausted, OnRejected, OnPushback and
// OnBreakerStateChange (a breaker.Group of your own reports through its
// own GroupConfig.OnStateChange: set it to this hook).
func (m *Metrics) Hooks() transport.Hooks {
	return transport.Hooks{
		OnAttemptEnd:         m.attemptEnd,
		OnCallEnd:            m.callEnd,
		OnRetry:              m.retry,
		OnBudgetExhausted:    m.budget,
		OnRejected:           m.rejected,
		OnPushback:           m.pushback,
		OnBreakerStateChange: m.breakerChange,
	}
}

func (m *Metrics) host(req *http.Request) attribute.KeyValue {
	if m.hostKey != nil {
		return KeyHost.String(m.hostKey(req))
	}
	return KeyHost.String(req.URL.Host)
}

func (m *Metrics) attemptEnd(e transport.AttemptEnd) {
	req := e.Request
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, KeyMethod.String(req.Method), KeyServerAddress.String(req.URL.Hostname()),
		KeyURLScheme.String(req.URL.Scheme))
	if port := serverPort(req.URL.Scheme, req.URL.Port()); port != 0 {
		attrs = append(attrs, KeyServerPort.Int(port))
	}
	switch {
	case e.Err != nil:
		attrs = append(attrs, KeyErrorType.String(errorType(e.Err)))
	default:
		attrs = append(attrs, KeyStatusCode.Int(e.StatusCode))
		if e.StatusCode >= 400 {
			attrs = append(attrs, KeyErrorType.String(strconv.Itoa(e.StatusCode)))
		}
	}
	m.duration.Record(req.Context(), e.Duration.Seconds(), metric.WithAttributes(attrs...))
}

func (m *Metrics) callEnd(e transport.CallEnd) {
	m.calls.Add(e.Request.Context(), 1, metric.WithAttributes(m.host(e.Request), KeyCallOutcome.String(callOutcomes[callOutcome(e)])))
}

func (m *Metrics) retry(e transport.RetryEvent) {
	m.retries.Add(e.Request.Context(), 1, metric.WithAttributes(m.host(e.Request), KeyReason.String(e.Verdict.Reason.String())))
}

func (m *Metrics) budget(e transport.RetryEvent) {
	m.budgetExhausted.Add(e.Request.Context(), 1, metric.WithAttributes(m.host(e.Request)))
}

func (m *Metrics) rejected(r transport.Rejection) {
	m.rejections.Add(r.Request.Context(), 1, metric.WithAttributes(m.host(r.Request), KeyStage.String(r.Stage)))
}

func (m *Metrics) pushback(p transport.Pushback) {
	m.pushbacks.Add(context.Background(), 1, metric.WithAttributes(KeyHost.String(p.Host)))
}

func (m *Metrics) breakerChange(sc breaker.StateChange) {
	m.transitions.Add(context.Background(), 1, metric.WithAttributes(KeyHost.String(sc.Name),
		KeyBreakerFrom.String(sc.From.String()), KeyBreakerTo.String(sc.To.String())))
}
