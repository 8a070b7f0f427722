package transport

import (
	"context"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// HedgeConfig configures Hedge. The zero value gives the recommended
// defaults: one hedge, sent when the first attempt has been outstanding for
// longer than the 95th percentile of recent calls' latency, under a retry
// budget of its own. Each field says what its zero value means.
type HedgeConfig struct {
	// Delay is how long an attempt may be outstanding before the next
	// hedge is sent. Zero means an adaptive delay: the Percentile of
	// recent calls' latency. Negative is an error, and so is setting both
	// Delay and Percentile.
	Delay time.Duration

	// Percentile, used when Delay is zero, sends a hedge once the call has
	// been outstanding for longer than this fraction of recent successful
	// calls: 0.95 hedges about the slowest 5 %. Zero means 0.95; otherwise
	// it must be in (0, 1).
	//
	// The latencies are those of the last 128 successful hedgeable calls
	// through this RoundTripper, measured from the start of the call to
	// the winning response's headers. A hedged call took longer than the
	// delay, so it counts as slower than the delay whichever attempt won:
	// the delay settles at the Percentile of the backend's own latency,
	// not lower. The delay is recomputed every 16 calls. There is one
	// window per RoundTripper, shared by every host it serves: give
	// backends whose latencies differ widely a Hedge each.
	Percentile float64

	// MinDelay is the floor of the adaptive delay, and the delay used until
	// 16 calls have succeeded. It keeps a backend that answers in
	// microseconds from being hedged on scheduler noise. Zero means 10ms;
	// negative is an error. It is ignored when Delay is set.
	MinDelay time.Duration

	// MaxHedges is the most extra attempts one call may send, one every
	// delay. Zero means 1. Negative, or more than 10, is an error: gRPC
	// caps a hedged call at 5 attempts in all, and the load a hedge adds
	// grows with every one.
	MaxHedges int

	// Budget caps hedges: each one withdraws a token with TryRetry, and is
	// not sent when it refuses. Every successful call deposits with
	// Success, unless NoDeposit is set. Nil means a budget of this
	// middleware's own, built from backoff.DefaultBudgetConfig, or, in
	// New with Retry on, the retry budget. Share one
	// *backoff.Budget with Retry to make hedges and retries draw on the
	// same allowance, and set NoDeposit so that a successful call is
	// credited once (Retry credits it).
	Budget *backoff.Budget

	// NoDeposit stops Hedge from crediting the Budget for successful
	// calls: set it when another stage (Retry, sharing the Budget) does.
	// New leaves it as it is; when Budget is nil, New's hedge draws on
	// the retry budget without depositing, whatever NoDeposit says.
	NoDeposit bool

	// Classifier judges each attempt. The first attempt whose Outcome is
	// Success wins; any other result is a failure. Nil means, in New,
	// Config.Classifier, and otherwise DefaultClassifier.
	Classifier Classifier

	// OnHedge, if set, is called on the caller's goroutine each time a
	// hedge has been sent: attempt is its number (2 for the first hedge)
	// and delay the wait that preceded it. req is the caller's request; do
	// not modify it. It must be safe for concurrent use and return quickly.
	OnHedge func(req *http.Request, attempt int, delay time.Duration)
}

// DefaultHedgeConfig returns the values that the zero HedgeConfig stands
// for (Budget and Classifier aside: the budget is built per middleware), a
// fresh copy each time.
func DefaultHedgeConfig() HedgeConfig {
	return HedgeConfig{
		Percentile: defaultHedgePercentile,
		MinDelay:   defaultHedgeMinDelay,
		MaxHedges:  defaultMaxHedges,
	}
}

// HedgeConfig's defaults.
const (
	defaultHedgePercentile = 0.95
	defaultHedgeMinDelay   = 10 * time.Millisecond
	defaultMaxHedges       = 1
)

const (
	// maxHedgesLimit bounds HedgeConfig.MaxHedges.
	maxHedgesLimit = 10
	// hedgeWindow is how many recent latencies the adaptive delay is
	// computed from.
	hedgeWindow = 128
	// hedgeRecompute is how often, in successful calls, the adaptive
	// delay is recomputed; it is also the warm-up before the first
	// computation.
	hedgeRecompute = 16
	// hedgeDrainWait bounds the drain of a failed attempt's body while
	// other attempts are in flight. The caller's goroutine drains it, and
	// a winner may be waiting: a hedged call is about latency, so the
	// bound is shorter than drainWait, and a connection lost now and
	// then the price.
	hedgeDrainWait = 10 * time.Millisecond
)

// withDefaults validates c and fills in its zero fields.
func (c HedgeConfig) withDefaults() (HedgeConfig, error) {
	switch {
	case c.Delay < 0:
		return c, fieldError("HedgeConfig.Delay", "is %v, must be >= 0 (0 means a percentile of recent latency)", c.Delay)
	case c.Delay > 0 && c.Percentile != 0:
		return c, fieldError("HedgeConfig.Delay", "is %v and Percentile is %v: set one of them, not both", c.Delay, c.Percentile)
	case c.Percentile != 0 && !(c.Percentile > 0 && c.Percentile < 1):
		return c, fieldError("HedgeConfig.Percentile", "is %v, must be in (0, 1) (0 means %v)", c.Percentile, defaultHedgePercentile)
	case c.MinDelay < 0:
		return c, fieldError("HedgeConfig.MinDelay", "is %v, must be >= 0 (0 means %v)", c.MinDelay, defaultHedgeMinDelay)
	case c.MaxHedges < 0 || c.MaxHedges > maxHedgesLimit:
		return c, fieldError("HedgeConfig.MaxHedges", "is %d, must be in [0, %d] (0 means %d)", c.MaxHedges, maxHedgesLimit, defaultMaxHedges)
	}
	if c.Delay == 0 && c.Percentile == 0 {
		c.Percentile = defaultHedgePercentile
	}
	if c.MinDelay == 0 {
		c.MinDelay = defaultHedgeMinDelay
	}
	if c.MaxHedges == 0 {
		c.MaxHedges = defaultMaxHedges
	}
	b, err := budgetOrDefault(c.Budget)
	if err != nil {
		return c, err
	}
	c.Budget = b
	if c.Classifier == nil {
		c.Classifier = DefaultClassifier()
	}
	return c, nil
}

// Hedge returns a middleware that hedges slow idempotent requests, the
// tail-at-scale technique (Dean and Barroso, 2013; gRPC's hedging policy,
// gRFC A6): when the first attempt has not answered after a delay, a second
// one is sent, and so on up to MaxHedges extra attempts; the first good
// response wins. A rare slow attempt then costs the delay plus one normal
// attempt instead of its own tail latency, for a few percent more load.
//
// The rules:
//   - Only requests that may be sent twice are hedged: IsIdempotent(req),
//     with a body only when GetBody is set (every hedge gets its own body
//     from it), and never a protocol upgrade. Any other request goes
//     straight to the next RoundTripper, at the cost of those checks.
//   - Every hedge withdraws a token from the Budget and is not sent when
//     it refuses, so hedging cannot multiply the load on a struggling
//     backend; every successful call deposits.
//   - The first attempt whose Classifier Outcome is Success wins. The
//     others are cancelled (each attempt runs under a context of its own,
//     a child of the caller's), and their responses, if any come, are
//     drained (up to 64 KiB) and closed. A failed attempt does not end the
//     call while another is still in flight: its response is drained and
//     closed at once, before its context is cancelled, so that its
//     connection can be reused; a body that has not ended within 10ms is
//     cut short by cancelling its attempt, so that a stalled body never
//     holds the call.
//   - Hedge is not a retry loop: when every attempt sent has failed, the
//     last result is returned at once, and no hedge is sent because an
//     attempt failed. In particular, a first attempt that fails before the
//     delay is returned as it is, without waiting. Place Retry outside
//     Hedge to repeat failed calls.
//   - When the caller's context ends first, every attempt is cancelled and
//     the context's error is returned at once, without waiting for the
//     attempts to return.
//
// The winning response is returned as the layer below gave it, its body
// included, but for its Request, which is the caller's request. Its
// attempt's context stays alive until the caller closes the body or reads
// it to its end, so a streamed body is not cut off. Close it, as always:
// that releases the attempt.
//
// The caller's request is never modified. The first attempt is a shallow
// copy of it (req.WithContext) that shares its body; hedges are clones
// (req.Clone) with a fresh body from GetBody.
//
// A hedgeable call costs, even when no hedge is sent, what waiting for
// either a response or a delay costs: a cancellable context and a request
// copy for the attempt, a goroutine to run it, a channel and a timer, and a
// body wrapper when the response has a body. The adaptive delay is kept in
// atomics, with no lock on any path.
//
// In the recommended stack, Hedge sits inside Retry and above Breaker,
// Limit and AttemptTimeout, so that every hedge is admitted, limited and
// timed like any other attempt:
//
//	transport.Chain(base, retry, hedge, breaker, limit, attemptTimeout)
func Hedge(cfg HedgeConfig) (Middleware, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		t := &hedgeTransport{cfg: c, next: next}
		if c.Delay == 0 {
			t.latency = newLatencyWindow(c.Percentile, c.MinDelay)
		}
		return t
	}, nil
}

type hedgeTransport struct {
	cfg     HedgeConfig
	next    http.RoundTripper
	latency *latencyWindow // nil when cfg.Delay is fixed
}

var _ http.RoundTripper = (*hedgeTransport)(nil)

// RoundTrip implements http.RoundTripper.
func (t *hedgeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !hedgeable(req) {
		return t.next.RoundTrip(req)
	}
	return t.hedge(req)
}

// hedgeable reports whether req may be sent more than once at a time.
func hedgeable(req *http.Request) bool {
	if !IsIdempotent(req) {
		return false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	// Two upgraded connections cannot both be handed to the caller, and
	// the winner's body wrapper would hide its io.Writer.
	_, upgrade := req.Header["Upgrade"]
	return !upgrade
}

// hedgeCall is the state of one hedged call, shared by the caller and the
// goroutines of its attempts.
//
// It is made afresh for each call rather than recycled: its channel and
// timer would otherwise carry one testing/synctest bubble's fake clock into
// another bubble, or out of it, which the runtime refuses.
type hedgeCall struct {
	t *hedgeTransport

	// ready tells the caller, while it waits, that attempt i's result is
	// in results[i], or that the hedge delay has passed (hedgeTick). Its
	// capacity is the number of attempts plus one tick, so a send never
	// blocks.
	ready chan int

	mu sync.Mutex
	// closed is set once the caller has stopped waiting: an attempt that
	// ends later discards its own response, and the timer sends no tick.
	// Requires mu held.
	closed bool

	// results[i] is attempt i's result, written before i is sent on ready.
	results [maxHedgesLimit + 1]hedgeResult
	// cancels[i] cancels attempt i's context; only the caller uses it.
	cancels [maxHedgesLimit + 1]context.CancelFunc
}

// hedgeTick, sent on hedgeCall.ready, says that the hedge delay has passed.
const hedgeTick = -1

type hedgeResult struct {
	resp *http.Response
	err  error
}

// start sends attempt i, r, whose context cancel cancels.
func (c *hedgeCall) start(i int, r *http.Request, cancel context.CancelFunc) {
	c.cancels[i] = cancel
	go c.run(i, r)
}

// run sends attempt i and hands its result to the caller, or, when the
// caller has stopped waiting, discards it.
func (c *hedgeCall) run(i int, r *http.Request) {
	resp, err := c.t.next.RoundTrip(r)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		drainAndClose(resp)
		return
	}
	c.results[i] = hedgeResult{resp: resp, err: err}
	c.ready <- i
	c.mu.Unlock()
}

// tick is the hedge timer's function.
func (c *hedgeCall) tick() {
	c.mu.Lock()
	if !c.closed {
		c.ready <- hedgeTick
	}
	c.mu.Unlock()
}

// hedge runs one hedged call.
func (t *hedgeTransport) hedge(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	delay := t.cfg.Delay
	var start time.Time
	if t.latency != nil {
		delay = t.latency.delay()
		start = time.Now()
	}

	c := &hedgeCall{t: t, ready: make(chan int, t.cfg.MaxHedges+2)}
	actx, cancel := context.WithCancel(ctx)
	c.start(0, req.WithContext(actx), cancel)
	timer := time.AfterFunc(delay, c.tick)

	sent, inFlight := 1, 1
	var last hedgeResult
	winner := -1
wait:
	for {
		select {
		case i := <-c.ready:
			if i == hedgeTick {
				if !t.sendHedge(c, req, sent) {
					continue // no more hedges for this call
				}
				sent++
				inFlight++
				if sent <= t.cfg.MaxHedges {
					timer.Reset(delay)
				}
				if t.cfg.OnHedge != nil {
					t.cfg.OnHedge(req, sent, delay)
				}
				continue
			}
			inFlight--
			r := c.results[i]
			if t.cfg.Classifier.Classify(req, r.resp, r.err).Outcome == Success {
				last, winner = r, i
				if !t.cfg.NoDeposit {
					t.cfg.Budget.Success()
				}
				if t.latency != nil {
					t.latency.record(time.Since(start))
				}
				break wait
			}
			if inFlight == 0 {
				// Every attempt sent has failed: this is no retry loop.
				last, winner = r, i
				break wait
			}
			// Others are still in flight: discard this one now, while
			// its connection can still be reused, but without waiting
			// on a body that stalls: past hedgeDrainWait, the attempt
			// is cancelled, which ends the read.
			discard(r.resp, hedgeDrainWait, c.cancels[i])
			c.cancels[i]()

		case <-ctx.Done():
			c.finish(timer, sent, -1)
			return nil, ctx.Err()
		}
	}

	c.finish(timer, sent, winner)
	release := c.cancels[winner]
	resp, err := withRequest(last.resp, req), last.err
	if err != nil || resp == nil || resp.Body == nil || resp.Body == http.NoBody {
		release()
		return resp, err
	}
	// The caller reads the body under the winner's context: release it
	// when the body is closed or read to its end.
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// sendHedge sends attempt number sent+1 as a hedge of req, when MaxHedges
// and the budget allow it and its body can be had. It reports whether it
// was sent.
func (t *hedgeTransport) sendHedge(c *hedgeCall, req *http.Request, sent int) bool {
	if sent > t.cfg.MaxHedges || !t.cfg.Budget.TryRetry() {
		return false
	}
	actx, cancel := context.WithCancel(req.Context())
	r := req.Clone(actx)
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return false
		}
		r.Body = body
	}
	c.start(sent, r, cancel)
	return true
}

// finish ends the caller's wait: it stops the timer, cancels every attempt
// but the winner (-1 for none) and discards the results already in;
// attempts that end later discard their own.
func (c *hedgeCall) finish(timer *time.Timer, sent, winner int) {
	timer.Stop()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	for i := range sent {
		if i != winner {
			c.cancels[i]()
		}
	}
	for len(c.ready) > 0 {
		if i := <-c.ready; i != hedgeTick {
			drainAndClose(c.results[i].resp)
		}
	}
}

// latencyWindow keeps the latencies of recent successful calls and the
// hedge delay derived from them, in atomics: recording a sample is two
// atomic writes, and every hedgeRecompute samples one caller selects the
// percentile from a copy of the window, on its stack.
type latencyWindow struct {
	percentile float64
	floor      int64 // MinDelay, in nanoseconds

	current atomic.Int64 // the delay, in nanoseconds; read by every call
	_       [56]byte     // keep it off the cache line written by record
	n       atomic.Uint64
	samples [hedgeWindow]atomic.Int64
}

func newLatencyWindow(percentile float64, floor time.Duration) *latencyWindow {
	w := &latencyWindow{percentile: percentile, floor: int64(floor)}
	w.current.Store(int64(floor))
	return w
}

// delay returns the hedge delay now in force.
func (w *latencyWindow) delay() time.Duration {
	return time.Duration(w.current.Load())
}

// record adds the latency of a successful call.
func (w *latencyWindow) record(d time.Duration) {
	n := w.n.Add(1)
	w.samples[(n-1)%hedgeWindow].Store(int64(d))
	if n%hedgeRecompute == 0 {
		w.recompute(int(min(n, hedgeWindow)))
	}
}

// recompute sets the delay to the percentile of the first k samples (the
// whole window once it is full), by the nearest-rank method, but no less
// than the floor. Samples written meanwhile by other calls may or may not
// be seen; either is fine.
func (w *latencyWindow) recompute(k int) {
	var buf [hedgeWindow]int64
	s := buf[:k]
	for i := range s {
		s[i] = w.samples[i].Load()
	}
	rank := max(int(math.Ceil(w.percentile*float64(k)))-1, 0)
	w.current.Store(max(selectKth(s, rank), w.floor))
}

// selectKth returns the k-th smallest element of s (from 0), reordering s
// (Hoare's selection with the middle element as pivot: linear on average,
// and on sorted input).
func selectKth(s []int64, k int) int64 {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for s[i] < p {
				i++
			}
			for s[j] > p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k] // s[j+1:i] all equal the pivot
		}
	}
	return s[k]
}
