package breaker

import (
	"strconv"
	"time"
)

// State is the state of a [Breaker].
//
// [Closed], [Open] and [HalfOpen] are the automatic states, moved between
// by the outcomes of calls and by time. [Isolated] and [Disabled] are set
// by an operator ([Breaker.Isolate], [Breaker.Disable]) and kept until
// another manual call; [Breaker.Reset] returns to automatic mode.
type State uint8

const (
	// Closed admits every call and counts outcomes; it trips to Open when
	// the failure or slow-call ratio, or the run of consecutive failures,
	// reaches its threshold. It is the zero value and the initial state.
	Closed State = iota

	// Open rejects every call with an [*OpenError] until its break
	// duration has passed, then moves to HalfOpen.
	Open

	// HalfOpen admits a bounded number of probe calls: enough successes
	// close the breaker, any failure opens it again.
	HalfOpen

	// Isolated is forced open by an operator: it rejects every call and
	// never moves by itself.
	Isolated

	// Disabled is forced closed by an operator: it admits every call and
	// never trips, but still counts outcomes, so a [Snapshot] shows the
	// error rate.
	Disabled
)

// String returns "closed", "open", "half-open", "isolated", "disabled", or
// "state(n)" for an unknown value.
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	case Isolated:
		return "isolated"
	case Disabled:
		return "disabled"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Outcome is how one call counts toward the health of what it called.
// transport.Outcome is this type, so the HTTP layer's classification feeds
// a Permit as it is.
type Outcome uint8

const (
	// Success: the call went well. It counts as a call (and as slow if it
	// took at least [Config.SlowCallDuration]).
	Success Outcome = iota

	// Failure: the call failed. It counts as a call and a failure.
	Failure

	// Ignored: the call says nothing about the destination, typically
	// because the caller cancelled it or a limiter of our own rejected it.
	// It counts neither way; it still frees a half-open probe slot.
	Ignored
)

// String returns "success", "failure", "ignored", or "outcome(n)" for an
// unknown value.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Ignored:
		return "ignored"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// StateChange describes one transition; [Config.OnStateChange] receives it.
type StateChange struct {
	// Name is the breaker's name (the key in a [Group]).
	Name string

	// From and To are the states before and after. They are equal for a
	// [Breaker.Reset] of a closed breaker (which still empties the window
	// and starts a new generation).
	From, To State

	// Generation is the generation that the transition started. Every
	// transition increments it by one, so it orders notifications that
	// arrive out of order from different goroutines.
	Generation uint64

	// At is when the transition happened. For Open → HalfOpen it is the
	// OpenUntil of the open state: the transition is due then, whether a
	// timer or a call makes it.
	At time.Time

	// Snapshot is the breaker's state just after the transition, with
	// State and Generation those of this change.
	Snapshot Snapshot
}

// Snapshot is a point-in-time view of a [Breaker], for metrics, logs and
// health pages. [Breaker.Snapshot] returns one.
//
// The window counts are summed from striped counters while calls may be
// recording: each is accurate, but they are not one atomic cut (Failures
// may be read a few calls later than Calls, for instance).
type Snapshot struct {
	// Name is the breaker's name (the key in a [Group]).
	Name string

	// State is the current state and Generation the number of
	// transitions so far (0 for a new breaker).
	State      State
	Generation uint64

	// Calls, Failures and Slow count the calls, failed calls and slow
	// calls in the current window (the last Window.Period, or the last
	// Window.Size calls). Ignored calls and rejected calls are not
	// counted. The window (and ConsecutiveFailures) is emptied whenever
	// the breaker starts admitting again: when it closes after half-open,
	// on Reset, and on Disable of a breaker that was not closed. While
	// open, half-open or isolated it keeps the counts that tripped it.
	Calls, Failures, Slow uint64

	// ConsecutiveFailures is the current run of failures without a
	// success in between.
	ConsecutiveFailures uint64

	// Trips is the number of times the breaker has opened (from closed or
	// half-open) in its lifetime.
	Trips uint64

	// Rejected is the number of calls rejected by Allow (or by Wait,
	// which then failed them) in the breaker's lifetime.
	Rejected uint64

	// Waiting is the number of calls waiting in Wait now, and Waited the
	// number of calls that have waited in the breaker's lifetime (however
	// their wait ended).
	Waiting int64
	Waited  uint64

	// OpenUntil is when an open breaker moves to half-open. It is zero
	// unless State is Open.
	OpenUntil time.Time
}
