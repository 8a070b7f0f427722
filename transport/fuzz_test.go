package transport_test

import (
	"encoding/binary"
	"errors"
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

// fuzzBytes decodes values from a fuzzer's byte stream. Each value starts
// with a selector byte: small selectors pick the values that break
// configurations (zero, ±1, the bounds each field documents and one past
// them, MaxInt, NaN, ±Inf), larger ones take the next bytes as a raw
// value. An exhausted stream reads as zeros, so a short input is the zero
// (default) config with a few fields set.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], f.b)
	f.b = f.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// bool turns an optional stage or knob on: an odd byte.
func (f *fuzzBytes) bool() bool { return f.byte()&1 == 1 }

// off reads a Disable… field: true only for 255, so that a seed of odd
// bytes turns every stage on.
func (f *fuzzBytes) off() bool { return f.byte() == 255 }

var fuzzInts = []int{0, 1, -1, 2, 3, 5, 10, 11, 20, 64, 100, 101, 1000, 1001, 1 << 20, 1<<20 + 1, 1 << 30, 1<<30 + 1, math.MaxInt32, math.MaxInt, math.MinInt}

func (f *fuzzBytes) int() int {
	s := int(f.byte())
	switch {
	case s < 2*len(fuzzInts):
		return fuzzInts[s/2]
	case s < 224:
		return s - 2*len(fuzzInts) // small counts
	default:
		return int(f.u64())
	}
}

var fuzzDurations = []time.Duration{0, 1, -1, time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, time.Minute, time.Hour, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MaxInt64/2 + 1}

func (f *fuzzBytes) duration() time.Duration {
	s := int(f.byte())
	switch {
	case s < 2*len(fuzzDurations):
		return fuzzDurations[s/2]
	case s < 224:
		return time.Duration(s) * time.Millisecond
	default:
		return time.Duration(f.u64())
	}
}

var fuzzFloats = []float64{0, 1, -1, 0.5, 0.1, 0.95, 0.999, 2, 1.1, 1e-300, 100, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}

func (f *fuzzBytes) float() float64 {
	s := int(f.byte())
	switch {
	case s < 2*len(fuzzFloats):
		return fuzzFloats[s/2]
	case s < 224:
		return float64(s) / 100
	default:
		return math.Float64frombits(f.u64())
	}
}

// fuzzConfig decodes a transport.Config: every numeric field of every
// stage and core that New validates, and whether each optional stage is
// on. Funcs, hooks and shared instances stay nil, but for a Backoff and a
// Budget built from decoded configs (skipped when their own constructor
// refuses: those are not New's errors) and a static Resolver.
func fuzzConfig(f *fuzzBytes) (transport.Config, bool) {
	var c transport.Config
	c.Base = okStub
	if f.bool() {
		c.Base = nil // New builds a pool
		c.Pool = pool.Config{
			MaxIdleConnsPerHost: f.int(), MaxConnsPerHost: f.int(), MaxIdleConns: f.int(),
			IdleConnTimeout: f.duration(), DialTimeout: f.duration(), KeepAlive: f.duration(),
			TLSHandshakeTimeout: f.duration(), ResponseHeaderTimeout: f.duration(), ExpectContinueTimeout: f.duration(),
			DisableHTTP2: f.bool(), DisableStats: f.bool(), MaxTrackedHosts: f.int(),
		}
	}
	c.TotalTimeout, c.DisableTotalTimeout = f.duration(), f.off()
	c.AttemptTimeout, c.DisableAttemptTimeout = f.duration(), f.off()
	c.DisableRetry = f.off()
	c.Retry = transport.RetryConfig{MaxAttempts: f.int(), MaxRetryAfter: f.duration()}
	if f.bool() {
		b, err := backoff.New(backoff.Config{Base: f.duration(), Max: f.duration(), Multiplier: f.float(), Jitter: backoff.Jitter(f.byte()), Spread: f.float()})
		if err != nil {
			return c, false
		}
		c.Retry.Backoff = b
	}
	if f.bool() {
		c.Retry.Backoff = backoff.Constant(f.duration())
	}
	if f.bool() {
		b, err := backoff.NewBudget(backoff.BudgetConfig{Ratio: f.float(), MaxTokens: f.float(), MinPerSecond: f.float(), NoFloor: f.bool()})
		if err != nil {
			return c, false
		}
		c.Retry.Budget = b
	}
	if f.bool() {
		c.Hedge = &transport.HedgeConfig{Delay: f.duration(), Percentile: f.float(), MinDelay: f.duration(), MaxHedges: f.int()}
	}
	if f.bool() {
		c.Coalesce = &transport.CoalesceConfig{MaxBody: int64(f.int())}
	}
	if f.bool() {
		o := balancer.OutlierConfig{
			Disable: f.bool(), ConsecutiveFailures: f.int(), FailureRatio: f.float(), MinRequests: f.int(),
			Interval: f.duration(), BaseEjection: f.duration(), MaxEjection: f.duration(), MaxEjectionPercent: f.int(),
		}
		r, err := discovery.NewStatic(discovery.Endpoint{Addr: "a.test:80", Weight: f.int()}, discovery.Endpoint{Addr: "b.test:80", Weight: f.int()})
		if err != nil {
			return c, false
		}
		c.Balance = &transport.BalanceConfig{
			Resolver:  r,
			Balancing: balancer.Config{Policy: balancer.Policy(f.byte()), Decay: f.duration(), Outlier: o, PanicThreshold: f.float(), DisablePanic: f.bool()},
		}
	}
	c.DisableBreaker = f.off()
	w := breaker.Window{Kind: breaker.WindowKind(f.byte() % 3), Period: f.duration(), Buckets: f.int(), Size: f.int()}
	c.Breaker = transport.BreakerConfig{FailFast: f.bool(), ObserveBody: f.bool(), Group: breaker.GroupConfig{
		MaxKeys: f.int(), IdleAfter: f.duration(),
		Breaker: breaker.Config{
			FailureRatio: f.float(), MinThroughput: f.int(), SlowCallDuration: f.duration(), SlowCallRatio: f.float(),
			ConsecutiveFailures: f.int(), Window: w, BreakDuration: f.duration(), HalfOpenProbes: f.int(), HalfOpenSuccesses: f.int(),
		},
	}}
	c.DisableLimit = f.off()
	c.Limit = transport.LimitConfig{FailFast: f.bool(), DisablePushback: f.off(), MaxPause: f.duration(), MaxHosts: f.int()}
	if f.bool() {
		c.Limit.Concurrency = &limiter.ConcurrencyConfig{
			Algorithm: limiter.Algorithm(f.byte() % 4), Limit: f.int(), MinLimit: f.int(), MaxLimit: f.int(), BackoffRatio: f.float(),
			Gradient: limiter.GradientConfig{Interval: f.duration(), Percentile: f.float(), Buffer: f.float(), MinRTTInterval: f.duration(), MinRTTSamples: f.int(), MinRTTLimit: f.int()},
			AIMD:     limiter.AIMDConfig{Timeout: f.duration()},
		}
		if f.bool() {
			c.Limit.Queue = &queue.Config{Limit: f.int(), MaxDepth: f.int(), NoQueue: f.bool(), MaxWait: f.duration(), Target: f.duration(), Interval: f.duration(), Policy: queue.Policy(f.byte() % 3)}
		}
	}
	if f.bool() {
		c.Limit.Throttle = &limiter.ThrottleConfig{K: f.float(), Window: f.duration(), Buckets: f.int()}
	}
	if f.bool() {
		c.Limit.AdaptiveRate = &limiter.AdaptiveRateConfig{
			MaxRate: rate.Limit(f.float()), MinRate: rate.Limit(f.float()), Burst: f.int(), Beta: f.float(), Scale: f.float(),
			Window: f.duration(), Smooth: f.float(), Hold: f.duration(),
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
	cfg, ok := fuzzConfig(&fuzzBytes{data})
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
		// Base, TotalTimeout, DisableTotalTimeout, AttemptTimeout,
		// DisableAttemptTimeout, DisableRetry, Retry.MaxAttempts…
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
		f := &fuzzBytes{ones}
		fuzzConfig(f)
		n := len(ones) - len(f.b) // the bytes a config reads
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
