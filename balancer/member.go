package balancer

import (
	"math"
	"sync/atomic"

	"github.com/resilient-go/resilient/discovery"
)

// member is one endpoint's state. It outlives the sets that hold it: a
// new set keeps the member of every address it shares with the old one,
// so in-flight counts, latencies and ejections carry over, and a pick of
// a removed endpoint still reports to it. Times are nanoseconds since the
// Balancer's epoch.
type member struct {
	b  *Balancer
	ep atomic.Pointer[discovery.Endpoint]

	inflight  atomic.Int64
	successes atomic.Uint64
	failures  atomic.Uint64
	ignored   atomic.Uint64

	// ew packs the peak-sensitive latency average (a float32 of
	// nanoseconds, high half) and the tick of its last update (low half,
	// see tick), so that an observation is one compare-and-swap.
	ew atomic.Uint64

	consecutive atomic.Int32

	// The failure-ratio window: it started at winStart, when the totals
	// were winOK and winFail.
	winStart       atomic.Int64
	winOK, winFail atomic.Uint64
	ejectedUntil   atomic.Int64 // 0: not ejected
	unhealthy      atomic.Bool  // set by active health checks
	timesEjected   atomic.Int32
	quietSince     atomic.Int64 // when the last ejection began or ended
	inSet, counted bool         // guarded by b.mu: member of the current set; counted in b.down
	ejectedCounted bool         // guarded by b.mu: counted in b.ejected
	_              [64]byte     // keep hot members of neighbours off each other's cache lines
}

// tickShift sets the clock of the latency average: ticks of 2^20 ns
// (about 1ms), fine enough against a Decay of seconds, in 32 bits that
// wrap after 52 days (an average idle that long has decayed to nothing,
// and its next observation replaces it).
const tickShift = 20

func tick(now int64) uint32 { return uint32(now >> tickShift) }

// unpack splits an ew word.
func unpack(w uint64) (ew float64, stamp uint32) {
	return float64(math.Float32frombits(uint32(w >> 32))), uint32(w)
}

// elapsed returns the time since stamp, in ns (0 if the clock went back).
func elapsed(now int64, stamp uint32) float64 {
	d := int32(tick(now) - stamp)
	if d <= 0 {
		return 0
	}
	return float64(int64(d) << tickShift)
}

// latency returns the average decayed to now.
func (m *member) latency(now int64, tau float64) float64 {
	ew, stamp := unpack(m.ew.Load())
	if ew != 0 && tick(now) != stamp {
		ew = decayed(ew, now, stamp, tau)
	}
	return ew
}

// decayed returns ew, stamped stamp, decayed to now. It is out of line:
// picks within the tick of the last observation (a busy endpoint's) skip
// it.
func decayed(ew float64, now int64, stamp uint32, tau float64) float64 {
	if d := elapsed(now, stamp); d > 0 {
		ew *= decay(d / tau)
	}
	return ew
}

// penalty is the cost of an endpoint with requests outstanding and no
// latency measured yet: high, so that a new endpoint is not flooded
// before its first answer (Finagle's Penalty), yet ordered by load.
const penalty = float64(math.MaxInt64 >> 16)

// ewmaCost is PeakEWMA's cost of sending one more request to an endpoint
// with out requests outstanding and the latency word w (see member.ew),
// at now.
func ewmaCost(out int64, w uint64, now int64, tau, invWeight float64) float64 {
	if current(w, now) {
		return costOf(out, w, invWeight)
	}
	ew, stamp := unpack(w)
	ew = decayed(ew, now, stamp, tau)
	if ew == 0 { // decayed to nothing: as if never measured
		return costOf(out, 0, invWeight)
	}
	return ew * float64(out+1) * invWeight
}

// current reports whether the latency word w needs no decay at now: it
// holds no latency, or was stamped in now's tick.
func current(w uint64, now int64) bool {
	return w>>32 == 0 || uint32(w) == tick(now)
}

// costOf is ewmaCost of a current latency word (see current).
func costOf(out int64, w uint64, invWeight float64) float64 {
	ew, _ := unpack(w)
	if ew == 0 {
		if out == 0 {
			return 0
		}
		return penalty + float64(out)
	}
	return ew * float64(out+1) * invWeight
}

// observe folds one latency into the average: a latency above the
// average replaces it at once (the peak), a lower one is averaged in
// with weight 1-exp(-Δt/tau).
func (m *member) observe(rtt float64, now int64, tau float64) {
	for {
		old := m.ew.Load()
		ew, stamp := unpack(old)
		next := rtt
		if rtt < ew {
			w := decay(elapsed(now, stamp) / tau)
			next = ew*w + rtt*(1-w)
		}
		if m.ew.CompareAndSwap(old, uint64(math.Float32bits(float32(next)))<<32|uint64(tick(now))) {
			return
		}
	}
}

// available reports whether m may be picked at now, returning an
// ejected member whose time is up.
func (m *member) available(now int64) bool {
	if until := m.ejectedUntil.Load(); until != 0 {
		if now < until {
			return false
		}
		m.b.restore(m, now)
	}
	return !m.unhealthy.Load()
}

// decay returns exp(-x) for x ≥ 0, by its Taylor series where x is small
// (the usual case: an endpoint observed milliseconds ago, against a decay
// of seconds), within 2e-7 of it there.
func decay(x float64) float64 {
	if x < 0.01 {
		return 1 - x + x*x/2
	}
	return math.Exp(-x)
}
