package transport

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// callContext is the one context of ours that a call's deadlines need:
// TotalTimeout makes it once per call and AttemptTimeout, below Retry,
// holds it for each attempt, so that its Done closes at whichever comes
// first of the parent's end, the call's deadline and the attempt's. Used
// alone, AttemptTimeout makes one per attempt (held from the start).
//
// Why not context.WithTimeout twice: each costs a context, a timer, a
// cancel function, a request copy, and (for the inner one) a children map
// in the outer; that was 11 allocations of a 13-allocation call. Here the
// request is copied once per call, and the channel and the timer are made
// only when someone asks for Done (net/http's Transport does; an
// in-process RoundTripper may not): until then Err reads the clock.
//
// While an attempt holds the context, its Err and Done are the attempt's:
// the attempt's deadline ends them with context.Canceled, as the
// cancellation of the attempt it is. Released, the context is the call's
// again: an ended attempt's channel is replaced by a fresh one (lazily),
// and the call's deadline alone applies, to the reading of the body
// included. Hold only where nothing above the attempt stage uses the
// context while the attempt runs: New's stack, where Hedge, which runs
// attempts side by side, gives each its own context (and those are not
// held).
//
// context.Cause of it is its Err unless the parent was canceled with a
// cause, which it then reports (context.Cause finds the parent's cause
// through Value).
type callContext struct {
	parent   context.Context
	deadline time.Time     // the sooner of the parent's and own; zero: none
	start    time.Time     // with its monotonic reading: the clock below is time.Since(start), one read where time.Now is two
	own      time.Duration // our total deadline, after start; 0 when the parent's is sooner, or none
	attemptD time.Duration // CallOptions.AttemptTimeout of this call; 0: the stage's
	holdable bool          // an attempt stage may hold it (New's stack)
	observed bool          // Value serves state (the observe stage fused above)
	kept     atomic.Bool   // Value serves state (BalanceCall just below keeps its memory there)
	state    callState

	mu         sync.Mutex
	done       chan struct{} // made by Done; nil again after a held attempt's end
	err        error         // non-nil once ended
	byAttempt  bool          // err is the held attempt's end, not the call's
	held       bool          // an attempt holds the context
	epoch      uint64        // attempts that held it
	attempt    time.Duration // the held attempt's deadline, after start
	timer      *time.Timer   // made at the first Done that needs it; reused
	watching   bool          // the parent's end ends c (Done was asked)
	stopParent func() bool   // stops that watch; nil once stopped
	afters     []afterEntry  // AfterFunc's functions, run at the end
	nextID     uint64
}

type afterEntry struct {
	id uint64
	f  func()
}

var _ context.Context = (*callContext)(nil)

// newCallContext returns the context of a call under parent that starts
// at start (a time.Now) and ends d later (0: no deadline of ours).
func newCallContext(parent context.Context, start time.Time, d time.Duration) *callContext {
	c := &callContext{parent: parent, start: start, own: d}
	if d > 0 {
		c.deadline = start.Add(d)
	}
	if pd, ok := parent.Deadline(); ok && (d <= 0 || !c.deadline.Before(pd)) {
		// The parent ends first: its own timer ends us.
		c.deadline, c.own = pd, 0
	}
	return c
}

// elapsed reads the clock: the time since the context's start.
func (c *callContext) elapsed() time.Duration { return time.Since(c.start) }

// Deadline returns the sooner of the parent's deadline and the call's. An
// attempt's deadline is not reported, as with the cancellation it is.
func (c *callContext) Deadline() (time.Time, bool) {
	return c.deadline, !c.deadline.IsZero()
}

// Value serves the call's state to the stages below an observed stack,
// or one whose BalanceCall keeps its memory here; every other key is the
// parent's.
func (c *callContext) Value(key any) any {
	if key == (callStateKey{}) && (c.observed || c.kept.Load()) {
		return &c.state
	}
	return c.parent.Value(key)
}

// keepState makes c serve the call's state (Value) to the stages below:
// BalanceCall, just below TotalTimeout, keeps the call's memory of the
// replicas it tried there, where a context of its own would cost a
// context and a request copy per call. The caller must have found no
// state above (Value), so that none is hidden: an observe stage's count
// of attempts stays its own.
func (c *callContext) keepState() { c.kept.Store(true) }

// Err implements context.Context.
func (c *callContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.done == nil {
		// No timer runs: read the clock.
		c.err, c.byAttempt = c.lapsedLocked(c.elapsed())
	}
	return c.err
}

// Done implements context.Context. Its first call makes the channel and
// arms the timer at the next deadline, and arranges that the parent's end
// ends c.
func (c *callContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	now := c.elapsed()
	if c.err == nil {
		c.err, c.byAttempt = c.lapsedLocked(now)
	}
	if c.err != nil {
		close(c.done)
		return c.done
	}
	c.armLocked(now)
	if !c.watching && c.parent.Done() != nil {
		c.watching = true
		c.stopParent = context.AfterFunc(c.parent, c.parentEnded)
	}
	return c.done
}

// String names the context as context's own types do.
func (c *callContext) String() string { return "transport.callContext" }

// lapsedLocked returns the error c has by now, if any: the parent's, the
// call's deadline, or (with byAttempt) the held attempt's. Requires mu held.
func (c *callContext) lapsedLocked(now time.Duration) (err error, byAttempt bool) {
	if err := c.parent.Err(); err != nil {
		return err, false
	}
	if c.own > 0 && now >= c.own {
		return context.DeadlineExceeded, false
	}
	if c.held && now >= c.attempt {
		return context.Canceled, true
	}
	return nil, false
}

// armLocked sets the timer to the next deadline, or stops it when there is
// none. Requires mu held, and a channel that someone waits on.
func (c *callContext) armLocked(now time.Duration) {
	next := c.own
	if c.held && (next == 0 || c.attempt < next) {
		next = c.attempt
	}
	switch {
	case next == 0:
		if c.timer != nil {
			c.timer.Stop()
		}
	case c.timer == nil:
		c.timer = time.AfterFunc(next-now, c.fire)
	default:
		c.timer.Reset(next - now)
	}
}

// fire is the timer's function. It judges by the clock, not by which
// setting of the timer fired, so a firing that raced a Reset is harmless.
func (c *callContext) fire() {
	c.mu.Lock()
	if c.err != nil || c.done == nil {
		c.mu.Unlock()
		return
	}
	now := c.elapsed()
	err, byAttempt := c.lapsedLocked(now)
	if err == nil {
		c.armLocked(now) // early: a Reset moved the deadline
		c.mu.Unlock()
		return
	}
	c.end(err, byAttempt)
}

// parentEnded ends c with its parent.
func (c *callContext) parentEnded() {
	c.mu.Lock()
	c.end(c.parent.Err(), false)
}

// end ends c with err: the call's end or, with byAttempt, the held
// attempt's. The call's end replaces an attempt's (the context is the
// call's from then on); a context already ended by the call keeps its
// error. It then unlocks mu and runs the functions given to AfterFunc,
// and at the call's end stops the timer and the watch on the parent.
// Requires mu held.
func (c *callContext) end(err error, byAttempt bool) {
	switch {
	case c.err == nil:
		c.err, c.byAttempt = err, byAttempt
		if c.done != nil {
			close(c.done)
		}
	case c.byAttempt && !byAttempt:
		c.err, c.byAttempt = err, false
	}
	afters := c.afters
	c.afters = nil
	var stop func() bool
	if !c.byAttempt {
		if c.timer != nil {
			c.timer.Stop()
		}
		stop, c.stopParent = c.stopParent, nil
	}
	c.mu.Unlock()
	for _, a := range afters {
		a.f()
	}
	if stop != nil {
		stop()
	}
}

// cancel ends the call: its response is done with, or never came. It may
// be called more than once.
func (c *callContext) cancel() {
	c.mu.Lock()
	c.end(context.Canceled, false)
}

// AfterFunc registers f to run when c ends (the attempt's end included,
// while one holds it). context.WithCancel and context.AfterFunc of a
// context derived from c use it, instead of a goroutine each.
func (c *callContext) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f() // as context.AfterFunc does for a context already ended
		return func() bool { return false }
	}
	c.nextID++
	id := c.nextID
	c.afters = append(c.afters, afterEntry{id: id, f: f})
	c.mu.Unlock()
	return func() bool { return c.stopAfter(id) }
}

func (c *callContext) stopAfter(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, a := range c.afters {
		if a.id == id {
			last := len(c.afters) - 1
			c.afters[i] = c.afters[last]
			c.afters[last] = afterEntry{}
			c.afters = c.afters[:last]
			return true
		}
	}
	return false
}

// hold makes c the context of an attempt that must have its response
// headers within d of now (c.elapsed()), and returns the attempt's epoch.
// It reports false, leaving c as it was, when c may not be held
// (TotalTimeout alone) or another attempt holds it.
func (c *callContext) hold(d, now time.Duration) (epoch uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holdable || c.held {
		return 0, false
	}
	c.reopenLocked()
	c.held = true
	c.epoch++
	c.attempt = now + d
	if c.done != nil && c.err == nil {
		c.armLocked(now)
	}
	return c.epoch, true
}

// release ends the held attempt at now and reports whether it was late:
// its deadline had passed, and its result with it. A late attempt's
// context is ended (if its timer had not done it yet), so that what the
// attempt left running stops; the caller then discards the result and
// calls reopen. An attempt in time leaves the call's deadline alone in
// force.
func (c *callContext) release(now time.Duration) (late bool) {
	c.mu.Lock()
	late = c.held && now >= c.attempt
	c.held = false
	switch {
	case late && c.err == nil:
		c.end(context.Canceled, true) // unlocks
		return true
	case !late && c.done != nil && c.err == nil:
		c.armLocked(now)
	}
	c.mu.Unlock()
	return late
}

// reopen makes c the call's context again after its attempt's end: a
// fresh channel (made when asked), the call's deadline alone. A context
// that the call's end ended stays ended.
func (c *callContext) reopen() {
	c.mu.Lock()
	c.reopenLocked()
	c.mu.Unlock()
}

// reopenLocked is reopen. Requires mu held.
func (c *callContext) reopenLocked() {
	if c.err != nil && c.byAttempt {
		c.err, c.byAttempt, c.done = nil, false, nil
		if c.timer != nil {
			c.timer.Stop()
		}
	}
}

// endEpoch ends c as an attempt's end would, when epoch is still the last
// attempt's and none holds c: a discarded response's body, closed while
// a read of it waits on c, so that the read ends. It reports whether it
// did; the caller then calls reopenEpoch once that read has returned.
func (c *callContext) endEpoch(epoch uint64) bool {
	c.mu.Lock()
	if c.epoch != epoch || c.held || c.err != nil || c.done == nil {
		c.mu.Unlock()
		return false
	}
	c.end(context.Canceled, true) // unlocks
	return true
}

// reopenEpoch reopens c after endEpoch(epoch), unless an attempt has
// held it since.
func (c *callContext) reopenEpoch(epoch uint64) {
	c.mu.Lock()
	if c.epoch == epoch && !c.held {
		c.reopenLocked()
	}
	c.mu.Unlock()
}

// attemptBody is the body of an attempt that held its call's context and
// met its deadline. Closed while a read waits (Retry discarding a body
// that stalled), it ends the context as the attempt's end would, so that
// the read ends, as closing an attempt's own context would end it; the
// read's return then makes the context the call's again.
type attemptBody struct {
	io.ReadCloser
	c     *callContext
	epoch uint64

	mu      sync.Mutex
	reading int  // reads in progress
	closed  bool // Close was called
	ended   bool // Close ended the context under a read
}

func (b *attemptBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return 0, http.ErrBodyReadAfterClose
	}
	b.reading++
	b.mu.Unlock()
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.reading--
	reopen := b.ended && b.reading == 0
	b.mu.Unlock()
	if reopen {
		b.c.reopenEpoch(b.epoch)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.reading > 0 && !b.ended {
		// Under b.mu, so that the read's return reopens after this ends.
		b.ended = b.c.endEpoch(b.epoch)
	}
	b.mu.Unlock()
	return b.ReadCloser.Close()
}

// callBody ends its call's context when the body is closed or read to its
// end: the context lives while the caller reads.
type callBody struct {
	io.ReadCloser
	c *callContext
}

func (b *callBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.c.cancel()
	}
	return n, err
}

func (b *callBody) Close() error {
	// Cancel first: it ends a read in progress (a stalled body being
	// drained), which a Close alone might wait for.
	b.c.cancel()
	return b.ReadCloser.Close()
}
