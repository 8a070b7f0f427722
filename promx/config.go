package promx

import (
	"math"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
)

// Config configures a [Metrics]. The zero Config gives the recommended
// defaults; each field says what its zero value means.
type Config struct {
	// Registerer is where New registers the Metrics. Nil means New
	// registers nothing: register the *Metrics, a prometheus.Collector,
	// yourself. This package never touches prometheus.DefaultRegisterer
	// on its own; pass it here if that is the registry you serve.
	Registerer prometheus.Registerer

	// Namespace is the prefix of every metric name. Empty means
	// "resilient" (resilient_calls_total...). It must be a valid metric
	// name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*): the alert rules in
	// docs/alerts assume the default.
	Namespace string

	// ConstLabels are added to every series, to tell several stacks
	// apart on one registry ({"client": "billing"}). Nil means none.
	// Names must be valid legacy label names and must not be one of the
	// variable labels (host, endpoint, outcome, code, reason, from, to,
	// stage, state, kind, le).
	ConstLabels prometheus.Labels

	// DurationBuckets are the upper bounds, in seconds, of the call
	// duration histogram, strictly increasing and finite. Nil means
	// DefaultDurationBuckets.
	DurationBuckets []float64

	// MaxHosts bounds the host label values that the hook metrics create,
	// so that a client pointed at many hosts cannot blow up the series
	// count: calls to hosts beyond the first MaxHosts are counted under
	// host="other" (the name package pool uses for the same overflow).
	// Zero means 256; negative is an error. Metrics read from the
	// Snapshot carry the stack's own keys, already bounded by the breaker
	// group's MaxKeys and the limiter's MaxHosts.
	MaxHosts int

	// MaxEndpoints bounds the endpoint label values, for a stack that
	// balances over the replicas of a service (transport.Config.Balance):
	// the per-endpoint series are exported for the first MaxEndpoints
	// endpoints of the balancer's set and left out for the others (the
	// endpoints_* gauges count the whole set), and ejections of endpoints
	// beyond the first MaxEndpoints seen count under endpoint="other".
	// Zero means 256; negative is an error.
	MaxEndpoints int
}

// DefaultDurationBuckets are the call duration histogram's buckets that a
// nil Config.DurationBuckets stands for: 5ms to 15s (the stack's default
// total timeout), about 2.5× apart.
var DefaultDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15}

// DefaultConfig holds the values that the zero Config stands for
// (Registerer and ConstLabels aside, which default to none).
var DefaultConfig = Config{
	Namespace:       "resilient",
	DurationBuckets: DefaultDurationBuckets,
	MaxHosts:        256,
	MaxEndpoints:    256,
}

// OtherHost is the host label of calls to hosts beyond Config.MaxHosts.
const OtherHost = "other"

// variableLabels are the label names that this package's metrics vary by;
// a const label must not reuse one.
var variableLabels = []string{"host", "endpoint", "outcome", "code", "reason", "from", "to", "stage", "state", "kind", "le"}

// withDefaults validates c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.Namespace == "" {
		c.Namespace = DefaultConfig.Namespace
	}
	if !model.LegacyValidation.IsValidMetricName(c.Namespace) {
		return c, errorf("Config.Namespace is %q, must match [a-zA-Z_:][a-zA-Z0-9_:]*", c.Namespace)
	}
	for name := range c.ConstLabels {
		if !model.LegacyValidation.IsValidLabelName(name) || strings.HasPrefix(name, "__") {
			return c, errorf("Config.ConstLabels has label name %q, must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __", name)
		}
		for _, v := range variableLabels {
			if name == v {
				return c, errorf("Config.ConstLabels has label name %q, which the metrics use as a variable label", name)
			}
		}
	}
	if c.DurationBuckets == nil {
		c.DurationBuckets = DefaultDurationBuckets
	}
	if len(c.DurationBuckets) == 0 {
		return c, errorf("Config.DurationBuckets is empty, want at least one bound (nil means the defaults)")
	}
	for i, b := range c.DurationBuckets {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return c, errorf("Config.DurationBuckets[%d] is %v, must be finite", i, b)
		}
		if i > 0 && b <= c.DurationBuckets[i-1] {
			return c, errorf("Config.DurationBuckets[%d] is %v, must be greater than the bound before it (%v)", i, b, c.DurationBuckets[i-1])
		}
	}
	c.DurationBuckets = append([]float64(nil), c.DurationBuckets...)
	if c.MaxHosts < 0 {
		return c, errorf("Config.MaxHosts is %d, must be >= 0 (0 means %d)", c.MaxHosts, DefaultConfig.MaxHosts)
	}
	if c.MaxHosts == 0 {
		c.MaxHosts = DefaultConfig.MaxHosts
	}
	if c.MaxEndpoints < 0 {
		return c, errorf("Config.MaxEndpoints is %d, must be >= 0 (0 means %d)", c.MaxEndpoints, DefaultConfig.MaxEndpoints)
	}
	if c.MaxEndpoints == 0 {
		c.MaxEndpoints = DefaultConfig.MaxEndpoints
	}
	return c, nil
}
