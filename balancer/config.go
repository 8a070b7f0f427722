package balancer

import (
	"fmt"
	"strconv"
	"time"
)

// Policy is how a Balancer chooses among the available endpoints.
type Policy uint8

const (
	// PeakEWMA (the default) draws two endpoints at random and takes the
	// cheaper, the cost being the endpoint's peak-sensitive moving average
	// of latency times its outstanding requests plus one, divided by its
	// weight (Finagle's and Linkerd's balancer). A slow or overloaded
	// replica gets little traffic; a new one gets some at once.
	PeakEWMA Policy = iota
	// LeastOutstanding draws two endpoints at random and takes the one
	// with fewer outstanding requests per unit of weight.
	LeastOutstanding
	// RoundRobin takes the endpoints in turn, each as often as its weight
	// says (smooth weighted round robin: heavy endpoints are spread out,
	// not sent bursts).
	RoundRobin
)

var policyNames = [...]string{PeakEWMA: "peak_ewma", LeastOutstanding: "least_outstanding", RoundRobin: "round_robin"}

// String returns the policy's snake_case name.
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "policy(" + strconv.Itoa(int(p)) + ")"
}

// Config configures a Balancer. The zero Config gives the recommended
// defaults (DefaultConfig); each field says what its zero value means.
type Config struct {
	// Policy chooses among the available endpoints. Zero means PeakEWMA.
	Policy Policy

	// Decay is the time constant of the latency average: an observation
	// weighs exp(-Δt/Decay) less after Δt, and an idle endpoint's cost
	// decays towards zero on the same scale, so that a replica that was
	// slow is tried again. Zero means 10s (Finagle's default); negative
	// is an error.
	Decay time.Duration

	// Outlier configures passive outlier ejection. Its zero value means
	// Envoy-like defaults (see OutlierConfig).
	Outlier OutlierConfig

	// PanicThreshold is the fraction of the set that must be available
	// (neither ejected nor failing active health checks) for the
	// unavailable ones to be skipped: below it, every endpoint is used, as
	// in Envoy's healthy panic threshold, so that a mass ejection or a
	// broken health check spreads the load instead of crushing the few
	// left. Zero means 0.5; it must be in [0, 1]. Set DisablePanic to
	// fail picks with ErrNoAvailable instead when no endpoint is
	// available.
	PanicThreshold float64
	DisablePanic   bool

	// Hooks observe ejections and returns.
	Hooks Hooks
}

// OutlierConfig configures passive outlier ejection: an endpoint whose
// calls fail is taken out of the rotation for a while. An ejection lasts
// BaseEjection times the number of times the endpoint was ejected, capped
// at MaxEjection, plus up to 10 % of jitter so that endpoints ejected
// together do not return together. The count of ejections drops by one
// for each Interval an endpoint goes without one. Each field says what
// its zero value means.
type OutlierConfig struct {
	// Disable turns passive ejection off.
	Disable bool

	// ConsecutiveFailures ejects an endpoint after this many failures in a
	// row. Zero means 5 (Envoy's consecutive_5xx); -1 turns the rule off;
	// other negative values are errors.
	ConsecutiveFailures int

	// FailureRatio ejects an endpoint whose failures reach this fraction
	// of its calls over an Interval, once it had MinRequests calls in it.
	// Zero means 0.5; it must be in (0, 1], or -1 to turn the rule off.
	FailureRatio float64
	// MinRequests is the fewest calls an Interval needs for FailureRatio
	// to apply. Zero means 20; negative is an error.
	MinRequests int
	// Interval is the length of the FailureRatio window. Zero means 10s;
	// negative is an error.
	Interval time.Duration

	// BaseEjection is the first ejection's length. Zero means 30s;
	// negative is an error.
	BaseEjection time.Duration
	// MaxEjection caps an ejection's length (before jitter). Zero means
	// 5m; it must not be below BaseEjection.
	MaxEjection time.Duration

	// MaxEjectionPercent caps the share of the set ejected at once (at
	// least one endpoint may always be ejected). Zero means 50; it must
	// be in (0, 100].
	MaxEjectionPercent int
}

// Hooks observe a Balancer. Each field is optional; hooks run outside the
// Balancer's locks, on the goroutine that reported the outcome (or made
// the pick) that caused them.
type Hooks struct {
	// OnEject is called when an endpoint is ejected.
	OnEject func(Ejection)
	// OnReturn is called when an ejected endpoint comes back.
	OnReturn func(addr string)
}

// Reason says why an endpoint was ejected.
type Reason uint8

const (
	// ReasonConsecutive: OutlierConfig.ConsecutiveFailures in a row.
	ReasonConsecutive Reason = iota + 1
	// ReasonFailureRatio: OutlierConfig.FailureRatio over an Interval.
	ReasonFailureRatio
)

// String returns the reason's snake_case name.
func (r Reason) String() string {
	switch r {
	case ReasonConsecutive:
		return "consecutive_failures"
	case ReasonFailureRatio:
		return "failure_ratio"
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Ejection describes one ejection.
type Ejection struct {
	// Addr is the endpoint's address.
	Addr string
	// Reason says which rule ejected it.
	Reason Reason
	// Duration is how long it lasts, jitter included; Until is its end.
	Duration time.Duration
	Until    time.Time
	// Times is the number of times the endpoint has been ejected, this one
	// included (less the decay of quiet intervals).
	Times int
}

// DefaultConfig returns the values the zero Config stands for.
func DefaultConfig() Config {
	return Config{
		Policy:         PeakEWMA,
		Decay:          10 * time.Second,
		PanicThreshold: 0.5,
		Outlier: OutlierConfig{
			ConsecutiveFailures: 5,
			FailureRatio:        0.5,
			MinRequests:         20,
			Interval:            10 * time.Second,
			BaseEjection:        30 * time.Second,
			MaxEjection:         5 * time.Minute,
			MaxEjectionPercent:  50,
		},
	}
}

func (cfg Config) withDefaults() (Config, error) {
	c := cfg
	d := DefaultConfig()
	o := &c.Outlier
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: Config."+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.Policy > RoundRobin:
		return bad("Policy is %v", c.Policy)
	case c.Decay < 0:
		return bad("Decay is %v, must be >= 0", c.Decay)
	case !(c.PanicThreshold >= 0 && c.PanicThreshold <= 1): // NaN too
		return bad("PanicThreshold is %v, must be in [0, 1]", c.PanicThreshold)
	case o.ConsecutiveFailures < -1:
		return bad("Outlier.ConsecutiveFailures is %d, must be >= 0 or -1 (off)", o.ConsecutiveFailures)
	case o.FailureRatio != -1 && !(o.FailureRatio >= 0 && o.FailureRatio <= 1): // NaN too
		return bad("Outlier.FailureRatio is %v, must be in (0, 1] or -1 (off)", o.FailureRatio)
	case o.MinRequests < 0:
		return bad("Outlier.MinRequests is %d, must be >= 0", o.MinRequests)
	case o.Interval < 0:
		return bad("Outlier.Interval is %v, must be >= 0", o.Interval)
	case o.BaseEjection < 0:
		return bad("Outlier.BaseEjection is %v, must be >= 0", o.BaseEjection)
	case o.MaxEjection < 0:
		return bad("Outlier.MaxEjection is %v, must be >= 0", o.MaxEjection)
	case o.MaxEjectionPercent < 0 || o.MaxEjectionPercent > 100:
		return bad("Outlier.MaxEjectionPercent is %d, must be in (0, 100]", o.MaxEjectionPercent)
	}
	if c.Decay == 0 {
		c.Decay = d.Decay
	}
	if c.PanicThreshold == 0 {
		c.PanicThreshold = d.PanicThreshold
	}
	def := d.Outlier
	if o.ConsecutiveFailures == 0 {
		o.ConsecutiveFailures = def.ConsecutiveFailures
	}
	if o.FailureRatio == 0 {
		o.FailureRatio = def.FailureRatio
	}
	if o.MinRequests == 0 {
		o.MinRequests = def.MinRequests
	}
	if o.Interval == 0 {
		o.Interval = def.Interval
	}
	if o.BaseEjection == 0 {
		o.BaseEjection = def.BaseEjection
	}
	if o.MaxEjection == 0 {
		o.MaxEjection = max(def.MaxEjection, o.BaseEjection)
	}
	if o.MaxEjectionPercent == 0 {
		o.MaxEjectionPercent = def.MaxEjectionPercent
	}
	if o.MaxEjection < o.BaseEjection {
		return bad("Outlier.MaxEjection %v is below BaseEjection %v", o.MaxEjection, o.BaseEjection)
	}
	return c, nil
}
