package balancer_test

import (
	"errors"
	"github.com/resilient-go/resilient/internal/fuzzbytes"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

// The interesting values of this package's fields, for the fuzz
// decoder (internal/fuzzbytes).
var fuzzInts = []int{0, 1, -1, 2, 3, 5, 20, 50, 100, 101, discovery.MaxWeight, discovery.MaxWeight + 1, discovery.MaxWeight - 1, 1 << 30, math.MaxInt32, math.MaxInt, math.MinInt, math.MaxInt / 3}
var fuzzDurations = []time.Duration{0, 1, -1, time.Millisecond, time.Second, 10 * time.Second, time.Minute, time.Hour, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MaxInt64/2 + 1}
var fuzzFloats = []float64{0, 1, -1, 0.5, 0.1, 0.999, 2, 1e-300, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}

func fuzzBalancerConfig(f *fuzzbytes.Decoder) balancer.Config {
	return balancer.Config{
		Policy: balancer.Policy(f.Byte() % 5), Decay: f.Duration(), PanicThreshold: f.Float(), DisablePanic: f.Bool(),
		Outlier: balancer.OutlierConfig{
			Disable: f.Bool(), ConsecutiveFailures: f.Int(), FailureRatio: f.Float(), MinRequests: f.Int(),
			Interval: f.Duration(), BaseEjection: f.Duration(), MaxEjection: f.Duration(), MaxEjectionPercent: f.Int(),
		},
	}
}

// fuzzSet decodes up to 8 endpoints: distinct addresses but for a
// duplicate or a bad one now and then, weights from the specials.
func fuzzSet(f *fuzzbytes.Decoder) []discovery.Endpoint {
	eps := make([]discovery.Endpoint, f.Byte()%9)
	for i := range eps {
		addr := "e" + strconv.Itoa(i) + ":1"
		switch f.Byte() {
		case 1:
			addr = "e0:1"
		case 2:
			addr = "no-port"
		}
		eps[i] = discovery.Endpoint{Addr: addr, Weight: f.Int()}
	}
	return eps
}

// FuzzConfig builds a Balancer from a decoded config, gives it decoded
// endpoint sets and drives picks, outcomes, health verdicts and set
// changes at decoded times: nothing panics; New and Update answer within
// fuzzbytes.MaxTime and fuzzbytes.MaxAlloc; New refuses with ErrInvalidConfig (NaN
// included), Update with discovery's errors, and a pick fails only with
// ErrNoEndpoints or ErrNoAvailable.
func FuzzConfig(f *testing.F) {
	f.Add([]byte{})
	for k := range 18 {
		f.Add(repeat(byte(2*k+1), 200))
		f.Add(append([]byte{4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8}, repeat(byte(2*k), 200)...))
	}
	f.Fuzz(checkBalancer)
}

// checkBalancer is FuzzConfig's body (see there).
func checkBalancer(t *testing.T, data []byte) {
	{
		in := fuzzbytes.New(data, fuzzInts, fuzzDurations, fuzzFloats)
		cfg := fuzzBalancerConfig(in)
		var (
			b   *balancer.Balancer
			err error
		)
		fuzzbytes.Within(t, "New", func() { b, err = balancer.New(cfg) })
		if err != nil {
			if b != nil || !errors.Is(err, balancer.ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want nil and ErrInvalidConfig", b, err)
			}
			return
		}
		if math.IsNaN(cfg.PanicThreshold) || math.IsNaN(cfg.Outlier.FailureRatio) {
			t.Fatalf("New accepted NaN: %+v", cfg)
		}
		base := time.Now()
		var picks []balancer.Pick
		for range 64 {
			now := base.Add(in.Duration())
			switch in.Byte() % 6 {
			case 0:
				set := fuzzSet(in)
				fuzzbytes.Within(t, "Update", func() { err = b.Update(set) })
				if err != nil && !errors.Is(err, discovery.ErrInvalidEndpoints) && !errors.Is(err, discovery.ErrNoEndpoints) {
					t.Fatalf("Update = %v, want discovery's errors", err)
				}
			case 1:
				if len(picks) > 0 {
					picks[0].Done(now, balancer.Outcome(in.Byte()%4))
					picks = picks[1:]
				}
			case 2:
				b.SetHealthy("e"+strconv.Itoa(int(in.Byte()%9))+":1", in.Bool())
			case 3:
				_ = b.EndpointsAt(now)
			default:
				p, err := b.Pick(now, nil)
				switch {
				case err == nil:
					picks = append(picks, p)
				case !errors.Is(err, balancer.ErrNoEndpoints) && !errors.Is(err, balancer.ErrNoAvailable):
					t.Fatalf("Pick = %v", err)
				}
			}
		}
		for _, p := range picks {
			p.Done(base, balancer.Failure)
		}
	}
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
