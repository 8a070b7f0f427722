package fleetsim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrInvalidConfig is wrapped by every error that a bad Config gives.
var ErrInvalidConfig = errors.New("fleetsim: invalid config")

// Config describes a fleet, its backend and its traffic. The zero Config
// is DefaultConfig; each field says what its zero value means.
type Config struct {
	// Clients is how many clients share the backend, each its own stack;
	// the offered load is spread evenly over them. Zero means 1,000.
	Clients int
	// Seed seeds every draw: arrivals, deadlines, service times, jitter.
	// Zero is a seed like any other.
	Seed uint64

	// Workers is how many requests the backend serves at once. Zero means
	// 100.
	Workers int
	// Service is the mean service time of a request; the times are
	// lognormal around it. Zero means 70ms, which with 100 workers gives a
	// capacity of about 1,430 requests a second.
	Service time.Duration
	// Spread is the σ of the service times' lognormal. Zero means 0.5
	// (the p99 is about 2.8 times the mean).
	Spread float64
	// Queue bounds the backend's FIFO queue: a request that finds it full
	// is answered 503 with Retry-After at once. Zero means one second of
	// work at full capacity (Workers × 1s / Service): a full queue is
	// within the callers' deadlines while the backend is healthy, and past
	// them when it serves at half speed or slower.
	Queue int
	// RetryAfter is what a full queue's 503 asks for, in whole seconds.
	// Zero means 1s.
	RetryAfter time.Duration

	// Load is the offered calls per second as a share of the backend's
	// capacity. Zero means 0.7.
	Load float64
	// DeadlineMin and DeadlineMax bound each call's deadline, drawn
	// uniformly. Zero means 1s and 2s.
	DeadlineMin, DeadlineMax time.Duration

	// Warmup is how long the fleet runs before the trigger strikes. Zero
	// means 10s.
	Warmup time.Duration
	// TriggerFor is how long the trigger lasts. Zero means 10s.
	TriggerFor time.Duration
	// After is how long the traffic goes on once the trigger is over:
	// recovery is measured within it. Zero means 30s.
	After time.Duration
}

// DefaultConfig holds the values that the zero Config stands for (Queue
// aside, which follows from Workers and Service).
var DefaultConfig = Config{
	Clients:     1000,
	Workers:     100,
	Service:     70 * time.Millisecond,
	Spread:      0.5,
	RetryAfter:  time.Second,
	Load:        0.7,
	DeadlineMin: time.Second,
	DeadlineMax: 2 * time.Second,
	Warmup:      10 * time.Second,
	TriggerFor:  10 * time.Second,
	After:       30 * time.Second,
}

// WithDefaults validates c and fills in its zero fields. Every error wraps
// ErrInvalidConfig and names the field.
func (c Config) WithDefaults() (Config, error) {
	d := DefaultConfig
	for _, f := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Service", &c.Service, d.Service},
		{"RetryAfter", &c.RetryAfter, d.RetryAfter},
		{"DeadlineMin", &c.DeadlineMin, d.DeadlineMin},
		{"DeadlineMax", &c.DeadlineMax, d.DeadlineMax},
		{"Warmup", &c.Warmup, d.Warmup},
		{"TriggerFor", &c.TriggerFor, d.TriggerFor},
		{"After", &c.After, d.After},
	} {
		if *f.v < 0 {
			return c, fmt.Errorf("%w: Config.%s is %v, must be >= 0 (0 means %v)", ErrInvalidConfig, f.name, *f.v, f.def)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"Clients", &c.Clients, d.Clients},
		{"Workers", &c.Workers, d.Workers},
		{"Queue", &c.Queue, 0},
	} {
		if *f.v < 0 {
			return c, fmt.Errorf("%w: Config.%s is %d, must be >= 0", ErrInvalidConfig, f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.Queue == 0 {
		c.Queue = int(math.Round(c.Capacity()))
	}
	if c.Spread < 0 || math.IsNaN(c.Spread) || math.IsInf(c.Spread, 0) {
		return c, fmt.Errorf("%w: Config.Spread is %v, must be a number >= 0 (0 means %v)", ErrInvalidConfig, c.Spread, d.Spread)
	}
	if c.Spread == 0 {
		c.Spread = d.Spread
	}
	if c.Load < 0 || c.Load > 10 || math.IsNaN(c.Load) {
		return c, fmt.Errorf("%w: Config.Load is %v, must be in [0, 10] (0 means %v)", ErrInvalidConfig, c.Load, d.Load)
	}
	if c.Load == 0 {
		c.Load = d.Load
	}
	if c.DeadlineMax < c.DeadlineMin {
		return c, fmt.Errorf("%w: Config.DeadlineMax (%v) is below DeadlineMin (%v)", ErrInvalidConfig, c.DeadlineMax, c.DeadlineMin)
	}
	if c.RetryAfter%time.Second != 0 {
		return c, fmt.Errorf("%w: Config.RetryAfter is %v, must be whole seconds (a Retry-After header's unit)", ErrInvalidConfig, c.RetryAfter)
	}
	if c.Warmup%time.Second != 0 || c.TriggerFor%time.Second != 0 || c.After%time.Second != 0 {
		return c, fmt.Errorf("%w: Config.Warmup, TriggerFor and After (%v, %v, %v) must be whole seconds (the per-second series' bins)",
			ErrInvalidConfig, c.Warmup, c.TriggerFor, c.After)
	}
	return c, nil
}

// Capacity is the backend's healthy throughput in requests per second.
func (c Config) Capacity() float64 { return float64(c.Workers) / c.Service.Seconds() }

// Rate is the offered calls per second, over the whole fleet.
func (c Config) Rate() float64 { return c.Load * c.Capacity() }

// Duration is how long calls arrive: warm-up, trigger and after.
func (c Config) Duration() time.Duration { return c.Warmup + c.TriggerFor + c.After }

// TriggerStart and TriggerEnd say when the trigger strikes and ends, from
// the start of the run.
func (c Config) TriggerStart() time.Duration { return c.Warmup }

// TriggerEnd is when the trigger ends, from the start of the run.
func (c Config) TriggerEnd() time.Duration { return c.Warmup + c.TriggerFor }
