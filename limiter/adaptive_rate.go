package limiter

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// AdaptiveRate is a rate limit that a server sets by throttling: the
// client-side rate limiter of the AWS SDKs' "adaptive" retry mode. It
// lets every call through until the server first throttles one (a 429, a
// 503 with Retry-After); then it cuts the rate to Beta × the send rate it
// measured, and grows it back along CUBIC's curve (RFC 9438)
//
//	rate(t) = Scale·(t − K)³ + Wmax,  K = ∛(Wmax·(1 − Beta)/Scale)
//
// where Wmax is the rate at the cut and t the time since: fast at first,
// flat around Wmax (the rate that was too much last time), then faster
// and faster, probing for more, until the next throttle. The rate stays
// within [MinRate, MaxRate], and below twice the measured send rate, so
// that a quiet spell does not let it grow far beyond what was tried.
//
//	a, err := limiter.NewAdaptiveRate(limiter.AdaptiveRateConfig{Name: host})
//	…
//	if err := a.Allow(); err != nil {
//		return err // errors.Is(err, limiter.ErrLimited); nothing was sent
//	}
//	resp, err := send()
//	if throttled(resp) { // 429, or 503 with Retry-After
//		a.Throttled()
//	} else {
//		a.Succeeded()
//	}
//
// Compared with pausing the destination for Retry-After ([Rate.Pause]),
// which stops every call for the pause and then lets them all go again, an
// AdaptiveRate settles just under a quota the server enforces: it keeps
// most of the quota's throughput and few calls are refused. Use it for a
// destination that throttles by rate (an API quota); keep the pause for
// one that asks for silence (maintenance, a restart).
//
// Where it departs from the AWS SDKs: a cut empties the token bucket (the
// server has just said that what was sent is too much, so no saved-up
// burst follows); throttles within Hold of a cut do not cut again (they
// answer calls sent before it, and would otherwise take the rate to the
// floor in one burst of 429s); and the first cut, if it comes before the
// first measurement window closes, starts from the rate seen so far
// rather than from zero. The send rate is measured from the reports
// (Throttled and Succeeded), one per call that was sent.
//
// Use one AdaptiveRate per destination (transport keeps one per host
// with LimitConfig.AdaptiveRate). The token bucket is an x/time/rate
// Limiter whose limit follows the curve (SetLimitAt). Allow
// costs an atomic load until the first throttle, and then x/time/rate's
// AllowN; it does not allocate (a rejection allocates its error).
// Throttled and Succeeded take a mutex and the bucket's.
//
// Create an AdaptiveRate with [NewAdaptiveRate]; the zero AdaptiveRate is
// not usable. It is safe for concurrent use, starts no goroutine and
// needs no Close.
type AdaptiveRate struct {
	cfg AdaptiveRateConfig // read-only, defaults filled

	// limited is false while no limit applies (no MaxRate, no throttle
	// yet): Allow and Wait then skip the bucket.
	limited atomic.Bool
	// started says whether base is set, measures whether a window has
	// closed (measured is valid). Require mu; here, beside limited, they
	// take no room of their own.
	started, measures bool
	// limit mirrors fill, as float64 bits, for lock-free reads.
	limit   atomic.Uint64
	pending atomic.Int64 // served reports not yet booked (see Succeeded)

	allowed, canceled, throttles atomic.Uint64

	// adaptiveLimit holds the bucket and the state of the curve: made by
	// the first throttle (or by NewAdaptiveRate, with a MaxRate), so that
	// a host never throttled, most of them in a client that meets new
	// hosts all the time, costs only its measurement. It is written once,
	// under mu, before limited is first set: whoever sees limited set, or
	// lastCut (through hasLimit) under mu, may use its fields.
	*adaptiveLimit

	mu sync.Mutex
	// Requires mu.
	fill   float64   // the bucket's rate; rate.Inf while unlimited
	base   time.Time // start of window 0: the first report
	window int64     // index of the current window
	count  float64   // reports in the current window
	// measured is the smoothed reports per second over past windows.
	measured float64
	// servedCount and servedMeasured are count and measured for the
	// reports that were not throttled.
	servedCount, servedMeasured float64
	// recent holds the send rates of the last windows, recentAt the next
	// slot: for the first cut (KeepServed). It is made when the first
	// window closes: a host met once costs no history.
	recent   *[recentWindows]float64
	recentAt int
}

// adaptiveLimit is the part of an [AdaptiveRate] that only a limit needs:
// its token bucket, its waiters, the curve it follows. See
// AdaptiveRate.adaptiveLimit for when it is made.
type adaptiveLimit struct {
	// lim is the token bucket. Growth moves its rate (SetLimitAt); a cut
	// of a tenth or more (and, while calls wait and KeepServed is off, a
	// rise of a tenth) replaces it with an empty one at the new rate, so
	// that the turns that waiters took at the old rate (its debt) are
	// void and they queue again, in their order (see turnWaiter).
	lim atomic.Pointer[rate.Limiter]

	// renewed, when set, is closed (and cleared) with the next new
	// bucket, to wake the waiters so that they take their turn again at
	// the new rate; the first waiter makes it.
	renewed atomic.Pointer[chan struct{}]
	waiting atomic.Int64 // calls in Wait that hold a reservation
	// wmu guards waiters (see turnWaiter) and orders the bucket's
	// replacement with the waiters' arrival.
	wmu     sync.Mutex
	waiters []*turnWaiter

	rejected, waited, cuts atomic.Uint64

	// Require AdaptiveRate.mu.
	wmax    float64   // the rate at the last cut
	k       float64   // seconds from the last cut back to wmax
	lastCut time.Time // zero: never throttled, or forgotten
	// lastThrottle is the time of the last call to Throttled.
	lastThrottle time.Time
	queued       float64 // the rate of the bucket when waiters last queued
}

// makeLimit makes a's adaptiveLimit, if it has none (the caller sets
// its bucket).
// Requires a.mu held, or a not yet shared.
func (a *AdaptiveRate) makeLimit() {
	if a.adaptiveLimit == nil {
		a.adaptiveLimit = new(adaptiveLimit)
	}
}

// cutMade reports whether the rate has been cut and not forgotten since.
// Requires a.mu held.
func (a *AdaptiveRate) cutMade() bool {
	return a.adaptiveLimit != nil && !a.lastCut.IsZero()
}

// NewAdaptiveRate returns an [AdaptiveRate] for c. A bad field gives an
// error wrapping [ErrInvalidConfig] that names it.
func NewAdaptiveRate(c AdaptiveRateConfig) (*AdaptiveRate, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &AdaptiveRate{cfg: c, fill: float64(c.MaxRate)}
	if c.MaxRate != rate.Inf {
		// Without a ceiling the bucket waits for the first cut: a host
		// never throttled (most of them, in a client that meets new
		// hosts all the time) costs no bucket.
		a.makeLimit()
		a.lim.Store(rate.NewLimiter(c.MaxRate, a.burstFor(a.fill)))
		a.limited.Store(true)
	}
	a.limit.Store(math.Float64bits(a.fill))
	return a, nil
}

// Allow reports whether a call may go now: nil if it may (and a token is
// taken), an error matching [ErrLimited] if the rate is spent. It never
// waits.
func (a *AdaptiveRate) Allow() error {
	if a.limited.Load() && !a.lim.Load().AllowN(a.cfg.now(), 1) {
		a.rejected.Add(1)
		return a.limitedError()
	}
	a.allowed.Add(1)
	return nil
}

// Wait waits until a call may go at the current rate, and takes the
// token. When the wait would end after ctx's deadline, it fails at once
// with an error that matches both [ErrLimited] and
// context.DeadlineExceeded. When ctx ends while Wait waits (or before),
// the error matches ctx.Err() (and the context's cause), not ErrLimited,
// and the token is given back.
//
// A cut while calls wait, or a rise of a tenth, makes them take their
// turn again at the new rate, in the order of their old turns (first come,
// first served), those whose new turn would pass their deadline failing at
// once: otherwise the calls queued at the old rate would go at it, for as
// long as the queue is, whatever the rate became. After a cut they would draw more throttles and cut the rate
// again and again, to the floor; as the rate grows, they would keep the
// send rate (which the next cut starts from) at the old one.
func (a *AdaptiveRate) Wait(ctx context.Context) error {
	if ctx.Err() != nil {
		a.canceled.Add(1)
		return waitError(ctx, a.cfg.Name, false, 0)
	}
	if !a.limited.Load() {
		a.allowed.Add(1)
		return nil
	}
	dl, hasDeadline := ctx.Deadline()
	var (
		w       *turnWaiter
		renewed chan struct{}
		d       time.Duration
	)
	for {
		lim := a.lim.Load()
		now := a.cfg.now()
		res := lim.ReserveN(now, 1) // always OK: burst ≥ 1
		d = res.DelayFrom(now)
		if d <= 0 {
			a.allowed.Add(1)
			return nil
		}
		if hasDeadline && time.Until(dl) < d {
			res.CancelAt(now)
			return a.refuse(d, dl)
		}
		w = &turnWaiter{res: res, turn: now.Add(d)}
		if hasDeadline {
			w.deadline = dl
		}
		var ok bool
		if renewed, ok = a.enqueue(w, lim); ok {
			break
		}
		res.CancelAt(now) // a new bucket came meanwhile: take a turn on it
	}
	a.waited.Add(1)
	a.waiting.Add(1)
	defer a.waiting.Add(-1)
	start := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	var armed uint64 // the turn taken at enqueue; a requeue since bumps w.gen (read under a.wmu only)
	for {
		select {
		case <-t.C:
		case <-renewed:
		case <-ctx.Done():
			a.wmu.Lock()
			res := w.res
			a.dequeueLocked(w)
			a.wmu.Unlock()
			res.CancelAt(a.cfg.now())
			a.canceled.Add(1)
			return waitError(ctx, a.cfg.Name, true, time.Since(start))
		}
		a.wmu.Lock()
		if w.gen == armed && w.refused == 0 {
			select {
			case <-t.C: // (drained above, or fired meanwhile: either way due)
			default:
			}
			// The turn held when the timer was set has come (a renewal
			// since would have bumped gen).
			if d := w.res.DelayFrom(a.cfg.now()); d > 0 {
				renewed = a.renewedChan()
				a.wmu.Unlock()
				t.Reset(d)
				continue
			}
			a.dequeueLocked(w)
			a.wmu.Unlock()
			a.allowed.Add(1)
			return nil
		}
		if w.refused > 0 {
			refused := w.refused
			a.dequeueLocked(w)
			a.wmu.Unlock()
			return a.refuse(refused, dl)
		}
		// A new turn, on a new bucket.
		armed = w.gen
		d := w.res.DelayFrom(a.cfg.now())
		renewed = a.renewedChan()
		a.wmu.Unlock()
		t.Reset(max(d, 0))
	}
}

// refuse counts and returns the refusal of a call whose turn (after wait)
// would come past its deadline dl.
func (a *AdaptiveRate) refuse(wait time.Duration, dl time.Time) error {
	a.rejected.Add(1)
	e := a.limitedError()
	e.deadline, e.wait, e.left = true, wait, max(time.Until(dl), 0)
	return e
}

// Throttled reports a call that the server throttled (a 429, a 503 with
// Retry-After): unless it came within Hold of the last cut, the rate is
// cut to Beta × the measured send rate (or the current rate, if lower;
// with KeepServed, not below the rate the server was measured serving),
// and grows back from there.
func (a *AdaptiveRate) Throttled() {
	now := a.cfg.now()
	a.throttles.Add(1)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.makeLimit()
	a.foldLocked(now)
	a.measure(now, false)
	a.lastThrottle = now
	if !a.lastCut.IsZero() && now.Sub(a.lastCut) < a.cfg.Hold {
		return // an answer to a call sent before the cut took effect
	}
	send := a.sendRate(now)
	if a.cfg.KeepServed && a.lastCut.IsZero() {
		// The first cut, from no limit: the smoothed rate may be full of
		// a quiet spell in which other stages held the calls back (an
		// open breaker through an outage), and cutting from it would
		// leave the rate far below what the callers send and the server
		// may serve. Cut from the busiest recent window instead; a quota
		// below that draws the next throttle, and the next cut, from the
		// rate this one set.
		send = max(send, a.busiestRecent(recentWindows))
	}
	w := min(send, a.fill)
	w = max(w, float64(a.cfg.MinRate))
	cut := a.cfg.Beta * w
	if a.cfg.KeepServed {
		cut = max(cut, min(a.servedRate(now), w))
	}
	a.wmax = w
	// K: the time the curve takes from the cut back to wmax.
	a.k = math.Cbrt((w - cut) / a.cfg.Scale)
	a.lastCut = now
	a.cuts.Add(1)
	r := a.clamp(cut)
	if lim := a.lim.Load(); lim != nil && a.limited.Load() && r >= a.fill*(1-smallCut) {
		// A small cut (the served rate kept, KeepServed): the waiters
		// keep their turns, a few percent early. Queued again at the new
		// rate, those at the back of a queue as long as their deadlines
		// would be refused, after waiting nearly all their time, for a
		// difference of a few milliseconds. The bucket is emptied all
		// the same.
		if tok := lim.TokensAt(now); tok >= 1 {
			lim.AllowN(now, int(tok))
		}
		a.setLimit(now, lim, r)
		return
	}
	// The new bucket starts empty: the server has just said that what
	// was sent is too much.
	a.renew(now, r)
}

// smallCut is the largest cut, as a share of the rate, after which the
// waiters keep their turns (see Throttled).
const smallCut = 0.1

// Forget undoes the throttles so far: the rate is back to MaxRate (no
// limit, by default), as before the first throttle, and calls waiting for
// their turn go at once. Use it when a throttle turns out to have meant
// something else than a rate (transport's pushback gate calls it when the
// server asked for silence, and the silence is over).
func (a *AdaptiveRate) Forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.cutMade() {
		return
	}
	a.releaseLocked()
}

// releaseLocked lifts the limit: the rate is back to MaxRate, as before
// the first throttle. Requires a.mu held, and a cut made.
func (a *AdaptiveRate) releaseLocked() {
	a.lastCut, a.wmax, a.k = time.Time{}, 0, 0
	lim := rate.NewLimiter(a.cfg.MaxRate, a.burstFor(float64(a.cfg.MaxRate)))
	a.replace(a.cfg.now(), lim) // the waiters go at once (or, under a MaxRate, in order)
	a.fill = float64(a.cfg.MaxRate)
	a.limit.Store(math.Float64bits(a.fill))
	a.limited.Store(a.cfg.MaxRate != rate.Inf)
	a.queued = a.fill
}

// Succeeded reports a call that the server did not throttle, whatever
// its outcome otherwise (an error, a 500): it counts in the measured send
// rate and, after a throttle, moves the rate along the curve.
//
// With KeepServed, while no limit applies (never throttled, or forgotten,
// and no MaxRate), it is one atomic add: the reports are counted, and
// every foldEvery-th one reads the clock and books them (the rates are
// measured to a few reports), so that a host that is never throttled
// costs neither a clock read nor a lock per call.
func (a *AdaptiveRate) Succeeded() {
	if a.cfg.KeepServed && !a.limited.Load() {
		if a.pending.Add(1)%foldEvery != 0 {
			return
		}
		now := a.cfg.now()
		a.mu.Lock()
		a.foldLocked(now)
		a.mu.Unlock()
		return
	}
	now := a.cfg.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.foldLocked(now)
	a.measure(now, true)
	if !a.cutMade() {
		return // never throttled: the rate stays at the ceiling
	}
	t := now.Sub(a.lastCut).Seconds()
	r := a.cfg.Scale*math.Pow(t-a.k, 3) + a.wmax
	quiet := now.Sub(a.lastThrottle) - releaseQuiet
	if a.cfg.KeepServed && t > a.k && quiet > 0 {
		// Past the rate of the last cut, and no throttle for a while:
		// the quota has moved or gone. Double each releaseDoubling, so
		// that a quota lifted costs a second or two, not the many
		// seconds the cubic needs at hundreds of calls per second.
		r = max(r, a.wmax*math.Exp2(quiet.Seconds()/releaseDoubling.Seconds()))
	}
	if a.measures {
		// Do not let the curve run far ahead of what the callers send:
		// growth is probing, and a rate nobody used proves nothing.
		sent := a.measured
		if a.cfg.KeepServed {
			// Not the smoothed rate alone: it still holds the windows
			// in which an open breaker or the gate held the calls back.
			sent = max(sent, a.busiestRecent(recentCutWindows))
		}
		r = min(r, 2*sent)
	}
	a.set(now, r)
}

// With KeepServed, past the rate of the last cut and releaseQuiet after
// the last throttle, the rate doubles each releaseDoubling.
const (
	releaseQuiet    = 4 * time.Second
	releaseDoubling = 2 * time.Second
)

// foldEvery is how many unlimited Succeeded reports are counted between
// two clock reads.
const foldEvery = 16

// foldLocked books the served reports counted by Succeeded's unlimited
// path at now. Requires a.mu held.
func (a *AdaptiveRate) foldLocked(now time.Time) {
	for k := a.pending.Swap(0); k > 0; k-- {
		a.measure(now, true)
	}
}

// measure counts one report at now in the send rate (and, if served, in
// the served rate), closing the windows that ended before it. Requires
// a.mu held.
func (a *AdaptiveRate) measure(now time.Time, served bool) {
	if !a.started {
		a.started, a.base = true, now
	}
	i := int64(now.Sub(a.base) / a.cfg.Window)
	if i > a.window {
		span := float64(i-a.window) * a.cfg.Window.Seconds()
		r, sr := a.count/span, a.servedCount/span
		if a.recent == nil {
			a.recent = new([recentWindows]float64)
		}
		a.recent[a.recentAt%recentWindows] = r
		a.recentAt++
		if a.measures {
			r = a.cfg.Smooth*r + (1-a.cfg.Smooth)*a.measured
			sr = a.cfg.Smooth*sr + (1-a.cfg.Smooth)*a.servedMeasured
		}
		a.measured, a.servedMeasured, a.measures = r, sr, true
		a.window, a.count, a.servedCount = i, 0, 0
	}
	a.count++
	if served {
		a.servedCount++
	}
}

// busiestRecent returns the highest send rate of the last n windows (16:
// about 8 s of them, with the default Window). Requires a.mu held.
func (a *AdaptiveRate) busiestRecent(n int) float64 {
	var send float64
	if a.recent == nil {
		return 0
	}
	for i := 1; i <= min(n, recentWindows, a.recentAt); i++ {
		send = max(send, a.recent[(a.recentAt-i)%recentWindows])
	}
	return send
}

// recentWindows is how many windows' send rates are kept for
// busiestRecent: all of them for the first cut, recentCutWindows for the
// cap on the curve (2 s).
const (
	recentWindows    = 16
	recentCutWindows = 4
)

// servedRate returns the measured rate of reports that were not
// throttled, as sendRate does for all of them. Requires a.mu held.
func (a *AdaptiveRate) servedRate(now time.Time) float64 {
	if a.measures {
		return a.servedMeasured
	}
	start := a.base.Add(time.Duration(a.window) * a.cfg.Window)
	span := max(now.Sub(start), a.cfg.Window/10)
	return a.servedCount / span.Seconds()
}

// sendRate returns the measured send rate at now. Before the first window
// closes, it is the rate of the current window so far, over at least a
// tenth of a window (so that the first few calls do not read as a
// torrent). Requires a.mu held.
func (a *AdaptiveRate) sendRate(now time.Time) float64 {
	if a.measures {
		return a.measured
	}
	start := a.base.Add(time.Duration(a.window) * a.cfg.Window)
	span := max(now.Sub(start), a.cfg.Window/10)
	return a.count / span.Seconds()
}

// set makes r, clamped to [MinRate, MaxRate], the bucket's rate. Requires
// a.mu held.
func (a *AdaptiveRate) set(now time.Time, r float64) {
	r = a.clamp(r)
	if r == a.fill {
		return
	}
	// With KeepServed (transport's gate), a rise keeps the waiters'
	// turns: there is no need to queue them again (and a queue that
	// reaches the deadlines had its back refused, late, each time).
	if !a.cfg.KeepServed && r >= a.queued*renewGrowth && a.waiting.Load() > 0 {
		a.renew(now, r)
		return
	}
	a.setLimit(now, a.lim.Load(), r)
}

// setLimit moves lim, the bucket, to rate r, keeping the turns taken on
// it. Requires a.mu held.
func (a *AdaptiveRate) setLimit(now time.Time, lim *rate.Limiter, r float64) {
	lim.SetLimitAt(now, rate.Limit(r))
	if a.cfg.Burst == 0 {
		if b := a.burstFor(r); b != lim.Burst() {
			lim.SetBurstAt(now, b)
		}
	}
	a.publish(r)
}

// renewGrowth is the rise of the rate, since waiters last queued, that
// makes them queue again: a tenth (their turns come a tenth later than
// they should).
const renewGrowth = 1.1

// renew replaces the bucket with an empty one at rate r, and wakes the
// waiters to queue again. Requires a.mu held.
func (a *AdaptiveRate) renew(now time.Time, r float64) {
	lim := rate.NewLimiter(rate.Limit(r), a.burstFor(r))
	lim.AllowN(now, lim.Burst())
	a.replace(now, lim)
	a.publish(r)
	a.queued = r
}

// renewedChan returns the channel that the next renewal closes, making it
// if no waiter has since the last one.
func (a *AdaptiveRate) renewedChan() chan struct{} {
	for {
		if ch := a.renewed.Load(); ch != nil {
			return *ch
		}
		ch := make(chan struct{})
		if a.renewed.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

// wake wakes the calls waiting for their turn, if any, to take it again
// at the new rate.
func (a *AdaptiveRate) wake() {
	if ch := a.renewed.Swap(nil); ch != nil {
		close(*ch)
	}
}

// clamp returns r within [MinRate, MaxRate].
func (a *AdaptiveRate) clamp(r float64) float64 {
	return min(max(r, float64(a.cfg.MinRate)), float64(a.cfg.MaxRate))
}

// publish records r as the rate, for Limit and Stats, and turns the limit
// on. Requires a.mu held, and the bucket at rate r.
func (a *AdaptiveRate) publish(r float64) {
	a.fill = r
	a.limit.Store(math.Float64bits(r))
	a.limited.Store(true) // after the bucket: a caller that sees it sees the limit
}

// burstFor returns the bucket size for rate r.
func (a *AdaptiveRate) burstFor(r float64) int {
	if a.cfg.Burst > 0 {
		return a.cfg.Burst
	}
	if r >= float64(rate.Inf) {
		return 1 // unused: no limit applies
	}
	return int(min(max(1, math.Ceil(r)), math.MaxInt32))
}

// Limit returns the current rate, in calls per second: rate.Inf while no
// limit applies (no MaxRate, and no throttle yet).
func (a *AdaptiveRate) Limit() rate.Limit {
	return rate.Limit(math.Float64frombits(a.limit.Load()))
}

// limitedError returns the rejection error at the current rate.
func (a *AdaptiveRate) limitedError() *adaptiveRateError {
	return &adaptiveRateError{name: a.cfg.Name, limit: a.Limit(), burst: a.lim.Load().Burst()}
}

// AdaptiveRateStats is the state of an [AdaptiveRate] and what it did
// since it was created. [AdaptiveRate.Stats] returns it.
type AdaptiveRateStats struct {
	// Limit is the current rate, in calls per second; rate.Inf while no
	// limit applies.
	Limit rate.Limit

	// Wmax is the rate at the last cut, which the curve climbs back to;
	// zero before the first throttle.
	Wmax float64

	// Measured is the measured send rate (calls reported per second,
	// smoothed); zero before the first window closes.
	Measured float64

	// LastCut is when the rate was last cut; zero before the first
	// throttle.
	LastCut time.Time

	// Allowed counts the calls let through, by Allow or Wait; Rejected
	// those refused, by Allow, or by Wait when the wait would pass the
	// context's deadline; Waited the calls to Wait that had to wait;
	// Canceled the calls to Wait whose context ended.
	Allowed, Rejected, Waited, Canceled uint64

	// Throttles counts the calls to Throttled; Cuts those that cut the
	// rate (the others came within Hold of a cut).
	Throttles, Cuts uint64
}

// Stats returns the state and the counts.
func (a *AdaptiveRate) Stats() AdaptiveRateStats {
	a.mu.Lock()
	s := AdaptiveRateStats{Limit: rate.Limit(a.fill)}
	if a.measures {
		s.Measured = a.measured
	}
	l := a.adaptiveLimit
	if l != nil {
		s.Wmax, s.LastCut = l.wmax, l.lastCut
	}
	a.mu.Unlock()
	if l != nil {
		// Without it nothing was ever rejected, held or cut.
		s.Rejected, s.Waited, s.Cuts = l.rejected.Load(), l.waited.Load(), l.cuts.Load()
	}
	s.Allowed, s.Canceled, s.Throttles = a.allowed.Load(), a.canceled.Load(), a.throttles.Load()
	return s
}
