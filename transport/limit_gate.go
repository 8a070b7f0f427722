package transport

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/internal/ctxwait"
	"github.com/resilient-go/resilient/limiter"
)

// pushbackGate is one host's answer to a Retry-After: it tells a server
// that enforces a quota (answers some requests 429 and serves the rest)
// from one that asks for silence (answers everything 429 or 503 until a
// time), and treats each as it asks.
//
// On the first 429/503 with Retry-After R, the gate closes: nothing more
// goes to the host until R/10 has passed, then one request, the probe.
// If the probe is served, the server was enforcing a quota: the gate opens
// again (and the host's adaptive rate is cut, so the next requests go at
// about the rate the quota serves). If the probe is throttled too, the
// server wants silence: nothing until its Retry-After has passed, then one
// probe again, and so on; unless the server served one of the requests in
// flight after it shut the gate, a quota's sign: then the probe's throttle
// was bad luck (those requests took the tokens that came back), and it is
// tried once more after R/10. A server that asks everyone to stay
// away therefore gets one request per Retry-After, and a quota costs a
// pause of a tenth of its Retry-After per cut.
//
// Requests held by a closed gate wait (cancellable, at most maxWaiters of
// them) when the gate expects to let them go before their deadline: the
// probe is due before it, and the latest pause is no longer than the time
// they have left; otherwise, or when the limit says FailFast, they fail at
// once with an error matching limiter.ErrLimited. When a pause ends, the
// request that has waited longest is the probe, and the others wait for
// its answer: which request is sent does not depend on which of the
// waiters, woken together, runs first (fair, and repeatable under a
// seed). When the gate opens, the requests it held go spread over a slow
// start (a random share of the pause, at most 1 s, at most half their
// time left), not as a burst; each draws its share, from LimitConfig.Rand,
// when it starts waiting, so that the draws come in the order the
// requests came.
//
// The open gate costs one atomic load per request; the rest takes a
// mutex, and only while the host pushes back. A host that never pushes
// back pays for its gate no allocation of its own: the gate lives in the
// host's hostLimit, and its channel is made when a request first waits.
type pushbackGate struct {
	closed atomic.Bool // mirrors shut, for the lock-free fast path

	mu       sync.Mutex
	shut     bool          // requires mu
	until    time.Time     // no request before then; requires mu
	probing  bool          // the probe is in flight; requires mu
	strikes  int           // throttled probes since the gate shut; requires mu
	served   bool          // a request was served since the gate shut; requires mu
	pause    time.Duration // the latest pause, for the wait rule; requires mu
	issued   uint64        // tickets issued to waiters; requires mu
	queue    []uint64      // the waiters' tickets, oldest first; requires mu
	changed  chan struct{} // closed at the next change; made by the first waiter since the last; requires mu
	maxPause time.Duration
	rand     func() float64 // LimitConfig.Rand: the slow start's draws
	// rate, when set, is the host's adaptive rate, where the requests
	// the gate lets go queue next: its Backlog(ahead) is the wait for a
	// turn there after ahead more calls. (The rate, not a method value
	// of it, which would cost a new host an allocation.)
	rate *limiter.AdaptiveRate
}

// gateMaxWaiters bounds the requests a closed gate holds per host.
const gateMaxWaiters = 512

// gateProbeShare is the share of the Retry-After after which a closed
// gate sends its first probe.
const gateProbeShare = 10

// gateMaxSlowStart bounds the extra hold of a request let go when the gate
// opens.
const gateMaxSlowStart = time.Second

// init sets up a gate in place (it lives in its host's hostLimit).
func (g *pushbackGate) init(maxPause time.Duration, rate *limiter.AdaptiveRate, rand func() float64) {
	g.maxPause, g.rate, g.rand = maxPause, rate, rand
}

// admit lets req through the gate, or holds it, or refuses it. probe is
// true when the request is the gate's probe: its outcome must be reported
// with done (or abandon, when it is not sent after all).
func (g *pushbackGate) admit(ctx context.Context, host string, failFast bool) (probe bool, err error) {
	if !g.closed.Load() {
		return false, nil
	}
	var (
		timer   *time.Timer
		waiting bool    // holds a ticket in g.queue
		ticket  uint64  // this request's place in g.queue, once waiting
		share   float64 // of the slow start: drawn on entering the wait
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	g.mu.Lock()
	for {
		now := time.Now()
		if !g.shut {
			pause := g.pause
			if waiting {
				g.leave(ticket)
			}
			g.mu.Unlock()
			if waiting {
				// Held while the gate was shut: go over the slow start.
				if d := ctxwait.SlowStart(ctx, share, pause, gateMaxSlowStart); d > 0 {
					if !ctxwait.Sleep(ctx, &timer, d) {
						return false, g.waitError(ctx, host)
					}
				}
			}
			return false, nil
		}
		// The probe is due: it is the oldest waiter's, or, with none
		// waiting, this request's.
		if !g.probing && !now.Before(g.until) && (waiting && g.queue[0] == ticket || !waiting && len(g.queue) == 0) {
			g.probing = true
			if waiting {
				g.leave(ticket)
			}
			g.mu.Unlock()
			return true, nil
		}
		// Held: by the pause, by the probe in flight, or by older
		// waiters, one of which takes the probe.
		d := max(g.until.Sub(now), 0)
		if !g.holdable(ctx, d, failFast, !waiting) || (!waiting && len(g.queue) >= gateMaxWaiters) {
			if waiting {
				g.leave(ticket)
			}
			until := g.until
			g.mu.Unlock()
			return false, fmt.Errorf("%w: %s paused by server pushback until %s", limiter.ErrLimited, host, until.Format(time.RFC3339Nano))
		}
		if !waiting {
			waiting = true
			ticket = g.issued
			g.issued++
			g.queue = append(g.queue, ticket) // tickets rise: the queue stays sorted
			share = ctxwait.Share(g.rand)
		}
		if g.changed == nil {
			g.changed = make(chan struct{})
		}
		changed, probing := g.changed, g.probing
		g.mu.Unlock()
		var expire <-chan time.Time
		if !probing && d > 0 {
			expire = ctxwait.After(&timer, d)
		}
		select {
		case <-changed:
		case <-expire:
		case <-ctx.Done():
			g.mu.Lock()
			g.leave(ticket)
			g.mu.Unlock()
			return false, g.waitError(ctx, host)
		}
		g.mu.Lock()
	}
}

// leave removes ticket t from the waiters. When t was the oldest and the
// probe is free, the next oldest may take it now: the waiters look again.
// Requires g.mu held.
func (g *pushbackGate) leave(t uint64) {
	i, ok := slices.BinarySearch(g.queue, t)
	if !ok {
		return
	}
	g.queue = slices.Delete(g.queue, i, i+1)
	if i == 0 && g.shut && !g.probing && len(g.queue) > 0 {
		g.wake()
	}
}

// holdable reports whether a request may wait d for the gate: it has a
// deadline, the wait ends before it, and, for a request entering the
// wait, the latest pause fits in it (one already held is kept while the
// next probe comes before its deadline). Requires g.mu held.
func (g *pushbackGate) holdable(ctx context.Context, d time.Duration, failFast, entering bool) bool {
	if failFast {
		return false
	}
	dl, ok := ctx.Deadline()
	if !ok {
		return false
	}
	left := time.Until(dl)
	if g.rate != nil {
		// Let go, it queues at the host's rate behind the calls already
		// there (and, entering, those held here): a request whose turn
		// would come too late (less the margin the rate keeps for the
		// call itself) fails now, not after waiting for the gate and
		// then for nothing. A held request is judged as if first of
		// those held: it may be.
		ahead := 0
		if entering {
			ahead = len(g.queue)
		}
		d += g.rate.Backlog(ahead)
		left -= min(left/5, maxCallMargin)
	}
	return d < left && (!entering || g.pause <= left)
}

// throttled reports a 429/503 with Retry-After ra to a request that was
// not the probe. It closes an open gate (the probe after ra/10) and says
// so; on a closed gate it is an answer to a request sent before it
// closed, and changes nothing.
func (g *pushbackGate) throttled(ra time.Duration) (closed bool, until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return false, g.until
	}
	ra = min(ra, g.maxPause)
	g.shut, g.probing, g.strikes, g.served, g.pause = true, false, 0, false, ra/gateProbeShare
	g.until = time.Now().Add(g.pause)
	g.closed.Store(true)
	g.wake()
	return true, g.until
}

// done reports the probe's answer: throttled (with Retry-After ra) keeps
// the gate shut until ra has passed; anything else opens it. quota is
// true when the probe was served at the first try: the throttle that
// shut the gate came from a quota, which the adaptive rate should now
// follow. (Served after the server asked for silence, it says only that
// the silence is over.)
func (g *pushbackGate) done(throttled bool, ra time.Duration) (quota bool, until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
	if throttled {
		ra = min(max(ra, time.Millisecond), g.maxPause)
		g.strikes++
		if g.strikes == 1 && g.served {
			// The server served a request in flight after it throttled
			// us: a quota, and the probe's throttle bad luck (those
			// requests took the tokens that came back). Probe once more,
			// as soon.
			ra /= gateProbeShare
		}
		g.pause, g.until = ra, time.Now().Add(ra)
		g.wake()
		return false, g.until
	}
	quota = g.strikes == 0
	g.shut = false
	g.closed.Store(false)
	g.wake()
	return quota, time.Time{}
}

// servedWhileShut reports a request sent before the gate shut that the
// server served after it: a sign of a quota rather than of silence.
func (g *pushbackGate) servedWhileShut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		g.served = true
	}
}

// abandon reports a probe that was not sent after all: another request
// may take its place.
func (g *pushbackGate) abandon() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
	g.wake()
}

// wake lets the waiters look again. Requires g.mu held.
func (g *pushbackGate) wake() {
	if g.changed != nil {
		close(g.changed)
		g.changed = nil // the next waiter makes another
	}
}

// waitError is the error of a hold that ctx ended: it matches ctx's error
// and limiter.ErrLimited.
func (g *pushbackGate) waitError(ctx context.Context, host string) error {
	return fmt.Errorf("%w: %s paused by server pushback: gave up waiting: %w", limiter.ErrLimited, host, context.Cause(ctx))
}
