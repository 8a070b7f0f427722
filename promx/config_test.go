package promx_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/promx"
)

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  promx.Config
		want string // in the message
	}{
		{"namespace with a dash", promx.Config{Namespace: "my-app"}, "Namespace"},
		{"namespace starting with a digit", promx.Config{Namespace: "1app"}, "Namespace"},
		{"const label with a dash", promx.Config{ConstLabels: prometheus.Labels{"my-client": "a"}}, "my-client"},
		{"reserved const label", promx.Config{ConstLabels: prometheus.Labels{"__name__": "a"}}, "__name__"},
		{"const label shadowing host", promx.Config{ConstLabels: prometheus.Labels{"host": "a"}}, `"host"`},
		{"empty buckets", promx.Config{DurationBuckets: []float64{}}, "DurationBuckets"},
		{"unsorted buckets", promx.Config{DurationBuckets: []float64{0.1, 0.05}}, "DurationBuckets[1]"},
		{"repeated bucket", promx.Config{DurationBuckets: []float64{0.1, 0.1}}, "DurationBuckets[1]"},
		{"NaN bucket", promx.Config{DurationBuckets: []float64{math.NaN()}}, "DurationBuckets[0]"},
		{"infinite bucket", promx.Config{DurationBuckets: []float64{1, math.Inf(1)}}, "DurationBuckets[1]"},
		{"negative MaxHosts", promx.Config{MaxHosts: -1}, "MaxHosts"},
		{"negative MaxEndpoints", promx.Config{MaxEndpoints: -1}, "MaxEndpoints"},
		{"const label shadowing endpoint", promx.Config{ConstLabels: prometheus.Labels{"endpoint": "a"}}, `"endpoint"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := promx.New(tc.cfg)
			if m != nil || !errors.Is(err, promx.ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want nil and ErrInvalidConfig", m, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
		})
	}
}

func TestZeroConfigIsValid(t *testing.T) {
	m, err := promx.New(promx.Config{})
	if err != nil || m == nil {
		t.Fatalf("New(Config{}) = %v, %v", m, err)
	}
	// Nothing was registered anywhere: the caller registers it.
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(m); err != nil {
		t.Fatalf("Register: %v", err)
	}
}

// Two stacks on one registry, told apart by a const label; a second
// Metrics with the same labels is refused with a clear error.
func TestRegisterSeveralStacks(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	for _, client := range []string{"billing", "search"} {
		if _, err := promx.New(promx.Config{Registerer: reg, ConstLabels: prometheus.Labels{"client": client}}); err != nil {
			t.Fatalf("client %s: %v", client, err)
		}
	}
	_, err := promx.New(promx.Config{Registerer: reg, ConstLabels: prometheus.Labels{"client": "billing"}})
	var are prometheus.AlreadyRegisteredError
	if !errors.Is(err, promx.ErrInvalidConfig) || !errors.As(err, &are) {
		t.Fatalf("duplicate registration: %v; want ErrInvalidConfig and an AlreadyRegisteredError", err)
	}
	if _, err := promx.New(promx.Config{Registerer: reg}); !errors.Is(err, promx.ErrInvalidConfig) {
		t.Fatalf("registration without the const label: %v; want ErrInvalidConfig", err)
	}
}
