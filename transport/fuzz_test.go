package transport_test

import (
	"errors"
	"github.com/resilient-go/resilient/internal/fuzzbytes"
	"math"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// The interesting values of this package's fields, for the fuzz
// decoder (internal/fuzzbytes).
var fuzzInts = []int{0, 1, -1, 2, 3, 5, 10, 11, 20, 64, 100, 101, 1000, 1001, 1 << 20, 1<<20 + 1, 1 << 30, 1<<30 + 1, math.MaxInt32, math.MaxInt, math.MinInt}
var fuzzDurations = []time.Duration{0, 1, -1, time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, time.Minute, time.Hour, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MaxInt64/2 + 1}
var fuzzFloats = []float64{0, 1, -1, 0.5, 0.1, 0.95, 0.999, 2, 1.1, 1e-300, 100, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}

// fuzzConfig decodes a transport.Config: every numeric field of every
// stage and core that New validates, and whether each optional stage is
// on. Funcs, hooks and shared instances stay nil, but for a Backoff and a
// Budget built from decoded configs (skipped when their own constructor
// refuses: those are not New's errors) and a static Resolver.
func fuzzConfig(f *fuzzbytes.Decoder) (transport.Config, bool) {
	var c transport.Config
	c.Base = okStub
	if f.Bool() {
		c.Base = nil // New builds a pool
		c.Pool = pool.Config{
			MaxIdleConnsPerHost: f.Int(), MaxConnsPerHost: f.Int(), MaxIdleConns: f.Int(),
			IdleConnTimeout: f.Duration(), DialTimeout: f.Duration(), KeepAlive: f.Duration(),
			TLSHandshakeTimeout: f.Duration(), ResponseHeaderTimeout: f.Duration(), ExpectContinueTimeout: f.Duration(),
			DisableHTTP2: f.Bool(), DisableStats: f.Bool(), MaxTrackedHosts: f.Int(),
		}
	}
	c.Timeout.Total, c.Timeout.TotalOff = f.Duration(), f.Off()
	c.Timeout.Attempt, c.Timeout.AttemptOff = f.Duration(), f.Off()
	retryOff := f.Off()
	c.Retry = transport.RetryConfig{Off: retryOff, MaxAttempts: f.Int(), MaxRetryAfter: f.Duration()}
	if f.Bool() {
		b, err := backoff.New(backoff.Config{Base: f.Duration(), Max: f.Duration(), Multiplier: f.Float(), Jitter: backoff.Jitter(f.Byte()), Spread: f.Float()})
		if err != nil {
			return c, false
		}
		c.Retry.Backoff = b
	}
	if f.Bool() {
		c.Retry.Backoff = backoff.Constant(f.Duration())
	}
	if f.Bool() {
		b, err := backoff.NewBudget(backoff.BudgetConfig{Ratio: f.Float(), MaxTokens: f.Float(), MinPerSecond: f.Float(), NoFloor: f.Bool()})
		if err != nil {
			return c, false
		}
		c.Retry.Budget = b
	}
	if f.Bool() {
		c.Hedge = &transport.HedgeConfig{Delay: f.Duration(), Percentile: f.Float(), MinDelay: f.Duration(), MaxHedges: f.Int()}
	}
	if f.Bool() {
		c.Coalesce = &transport.CoalesceConfig{MaxBody: int64(f.Int())}
	}
	if f.Bool() {
		o := balancer.OutlierConfig{
			Disable: f.Bool(), ConsecutiveFailures: f.Int(), FailureRatio: f.Float(), MinRequests: f.Int(),
			Interval: f.Duration(), BaseEjection: f.Duration(), MaxEjection: f.Duration(), MaxEjectionPercent: f.Int(),
		}
		r, err := discovery.NewStatic(discovery.Endpoint{Addr: "a.test:80", Weight: f.Int()}, discovery.Endpoint{Addr: "b.test:80", Weight: f.Int()})
		if err != nil {
			return c, false
		}
		c.Balance = &transport.BalanceConfig{
			Resolver: r,
			Policy:   balancer.Policy(f.Byte()), Decay: f.Duration(), Outlier: o, PanicThreshold: f.Float(), DisablePanic: f.Bool(),
		}
	}
	breakerOff := f.Off()
	w := breaker.Window{Kind: breaker.WindowKind(f.Byte() % 3), Period: f.Duration(), Buckets: f.Int(), Size: f.Int()}
	c.Breaker = transport.BreakerConfig{Off: breakerOff, FailFast: f.Bool(), ObserveBody: f.Bool(),
		MaxKeys: f.Int(), IdleAfter: f.Duration(),
		FailureRatio: f.Float(), MinThroughput: f.Int(), SlowCallDuration: f.Duration(), SlowCallRatio: f.Float(),
		ConsecutiveFailures: f.Int(), Window: w, BreakDuration: f.Duration(), HalfOpenProbes: f.Int(), HalfOpenSuccesses: f.Int(),
	}
	limitOff := f.Off()
	c.Limit = transport.LimitConfig{Off: limitOff, FailFast: f.Bool(), PushbackOff: f.Off(), MaxPause: f.Duration(), MaxHosts: f.Int()}
	if f.Bool() {
		c.Limit.Concurrency = &transport.ConcurrencyConfig{
			Algorithm: limiter.Algorithm(f.Byte() % 4), Limit: f.Int(), MinLimit: f.Int(), MaxLimit: f.Int(), BackoffRatio: f.Float(),
			Interval: f.Duration(), Percentile: f.Float(), Buffer: f.Float(), MinRTTInterval: f.Duration(), MinRTTSamples: f.Int(), MinRTTLimit: f.Int(),
			AIMDTimeout: f.Duration(),
		}
		if f.Bool() {
			c.Limit.Queue = &queue.Config{Limit: f.Int(), MaxDepth: f.Int(), NoQueue: f.Bool(), MaxWait: f.Duration(), Target: f.Duration(), Interval: f.Duration(), Policy: queue.Policy(f.Byte() % 3)}
		}
	}
	if f.Bool() {
		c.Limit.Throttle = &limiter.ThrottleConfig{K: f.Float(), Window: f.Duration(), Buckets: f.Int()}
	}
	if f.Bool() {
		c.Limit.AdaptiveRate = &limiter.AdaptiveRateConfig{
			MaxRate: rate.Limit(f.Float()), MinRate: rate.Limit(f.Float()), Burst: f.Int(), Beta: f.Float(), Scale: f.Float(),
			Window: f.Duration(), Smooth: f.Float(), Hold: f.Duration(),
		}
	}
	return c, true
}

// Limits of the fuzzed config: New answers in microseconds (10ms leaves
// room for a loaded machine and the race detector) and allocates a few
// kilobytes (4 MiB leaves room for a pool's transport and a breaker's
// buckets).
const (
	fuzzMaxTime  = 10 * time.Millisecond
	fuzzMaxAlloc = 4 << 20
)

// fuzzHang is how long FuzzNew waits for New before calling it hung (a
// config that made it loop for ever).
const fuzzHang = 2 * time.Second

type newResult struct {
	tr      *transport.Transport
	err     error
	elapsed time.Duration
	alloc   uint64
}

// measureNew runs New on a goroutine of its own, so that a New that never
// returns fails the test instead of hanging it; ok is false then (and the
// goroutine is left behind: the test has failed).
func measureNew(cfg transport.Config) (newResult, bool) {
	done := make(chan newResult, 1)
	go func() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		tr, err := transport.New(cfg)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		done <- newResult{tr, err, elapsed, after.TotalAlloc - before.TotalAlloc}
	}()
	select {
	case r := <-done:
		return r, true
	case <-time.After(fuzzHang):
		return newResult{}, false
	}
}

// FuzzNew builds a Transport from configs decoded from random bytes (see
// checkNew). Its seeds are the zero config, the configs of issue 18, and
// a stream per special value; TestNewSpecialValues tries each special in
// each field, which is too many seeds for a short fuzzing run.
func FuzzNew(f *testing.F) {
	for _, seed := range fuzzNewSeeds() {
		f.Add(seed)
	}
	f.Fuzz(checkNew)
}

// TestNewSpecialValues runs checkNew on every field in turn set to each of
// the values that break configs, every stage on.
func TestNewSpecialValues(t *testing.T) {
	for _, data := range fieldSeeds() {
		checkNew(t, data)
		if t.Failed() {
			t.Fatalf("input %v", data)
		}
	}
}

// checkNew decodes a config from data and builds it: New never panics,
// answers within fuzzMaxTime, allocates under fuzzMaxAlloc, and every
// refusal matches ErrInvalidConfig. A config it accepts serves a call
// (over a stub, without the network).
func checkNew(t *testing.T, data []byte) {
	cfg, ok := fuzzConfig(fuzzbytes.New(data, fuzzInts, fuzzDurations, fuzzFloats))
	if !ok {
		return
	}
	var (
		tr      *transport.Transport
		err     error
		elapsed time.Duration
		alloc   uint64
	)
	// The best of three runs, when the first is over a limit: a GC or
	// a descheduling must not fail the test, a slow config does.
	for try := range 3 {
		r, ok := measureNew(cfg)
		if !ok {
			t.Fatalf("New has not returned after %v", fuzzHang)
		}
		tr, err = r.tr, r.err
		if try == 0 || r.elapsed < elapsed {
			elapsed = r.elapsed
		}
		if try == 0 || r.alloc < alloc {
			alloc = r.alloc
		}
		if elapsed <= fuzzMaxTime && alloc <= fuzzMaxAlloc {
			break
		}
	}
	if elapsed > fuzzMaxTime {
		t.Errorf("New took %v (limit %v), err %v", elapsed, fuzzMaxTime, err)
	}
	if alloc > fuzzMaxAlloc {
		t.Errorf("New allocated %d bytes (limit %d), err %v", alloc, fuzzMaxAlloc, err)
	}
	if err != nil {
		if tr != nil || !errors.Is(err, transport.ErrInvalidConfig) || err.Error() == "" {
			t.Fatalf("New = %v, %v; a refusal must be a nil Transport and an error matching ErrInvalidConfig", tr, err)
		}
		return
	}
	if cfg.Base == nil {
		tr.CloseIdleConnections()
		return // no call over the network
	}
	resp, err := tr.RoundTrip(httptest.NewRequest("GET", "http://a.test/", nil))
	if err == nil {
		resp.Body.Close()
	}
	_ = tr.Snapshot()
}

// fuzzNewSeeds are FuzzNew's seed corpus, run by every go test: the zero
// config; the configs of issue 18 that hung New or overflowed a check;
// and, for each special value, a stream that sets every field to it with
// every stage on (an odd selector 2k+1 is both "on" and the k-th special
// of each type).
func fuzzNewSeeds() [][]byte {
	const (
		zero, on, off = 0, 1, 255
		intMax        = 2 * 19 // math.MaxInt in fuzzInts
		int3          = 2 * 4  // 3 in fuzzInts
		second        = 2 * 6  // time.Second in fuzzDurations
		dMax          = 2 * 12 // math.MaxInt64
		dHalfPlus     = 2 * 15 // math.MaxInt64/2 + 1
	)
	seeds := [][]byte{
		{},
		repeat(on, 400), // every stage on, defaults everywhere
		// Base, Timeout.Total, Timeout.TotalOff, Timeout.Attempt,
		// Timeout.AttemptOff, Retry.Off, Retry.MaxAttempts…
		{zero, zero, zero, zero, zero, zero, intMax},
		{zero, zero, off, zero, zero, zero, intMax},
		// …, Retry.MaxRetryAfter, backoff.New?, Constant?, its duration.
		{zero, dMax, zero, second, zero, zero, int3, zero, zero, on, dMax},
		{zero, dMax, zero, dHalfPlus, zero, off},
	}
	for k := range 21 {
		seeds = append(seeds, repeat(byte(2*k+1), 400))
	}
	return seeds
}

// fieldSeeds returns, for every field in turn, the config with every
// stage on and that field alone set to each of the values that break
// configs. A byte of 1 turns a stage on (odd), leaves a Disable… field
// false (not 255) and selects each type's first special value, zero: a
// stream of ones is every stage on with its defaults. Selectors 2k pick
// the k-th special value of the field's type: -1, 101, 1001, 1<<20+1,
// 1<<30+1, MaxInt32, MaxInt and MinInt counts; -1, MaxInt64, MinInt64
// and MaxInt64/2+1 durations; -1, 1e300, MaxFloat64, NaN and ±Inf floats.
func fieldSeeds() [][]byte {
	specials := []byte{4, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40}
	var seeds [][]byte
	for _, base := range []byte{0, 1} { // Base: a stub, or a pool of ours
		ones := repeat(1, 400)
		ones[0] = base
		f := fuzzbytes.New(ones, fuzzInts, fuzzDurations, fuzzFloats)
		fuzzConfig(f)
		n := len(ones) - f.Left() // the bytes a config reads
		for i := 1; i < n; i++ {
			for _, v := range specials {
				s := append([]byte(nil), ones[:n]...)
				s[i] = v
				seeds = append(seeds, s)
			}
		}
	}
	return seeds
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
