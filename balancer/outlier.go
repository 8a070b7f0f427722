package balancer

import (
	"math"
	"math/rand/v2"
	"time"
)

// eject takes m out of the rotation for a while, within the cap on
// ejected endpoints.
func (b *Balancer) eject(m *member, t int64, reason Reason) {
	o := &b.cfg.Outlier
	b.mu.Lock()
	if !m.inSet || m.ejectedUntil.Load() > t {
		b.mu.Unlock()
		return
	}
	// Return the members whose time is up, so that they do not count
	// against the cap.
	var returned []string
	for _, x := range b.members {
		if x.ejectedUntil.Load() != 0 && x.ejectedUntil.Load() <= t && b.restoreLocked(x) {
			returned = append(returned, x.ep.Load().Addr)
		}
	}
	if m.ejectedUntil.Load() != 0 && b.restoreLocked(m) {
		returned = append(returned, m.ep.Load().Addr)
	}
	limit := max(1, len(b.members)*o.MaxEjectionPercent/100)
	if b.ejected >= limit {
		b.mu.Unlock()
		b.notifyReturns(returned)
		return
	}
	times := m.timesEjected.Add(1)
	d := ejection(o.BaseEjection, int64(times), o.MaxEjection)
	if d > 0 {
		// Saturating: the jitter of an ejection near MaxInt64 must not
		// wrap it negative (over at once).
		d += min(time.Duration(rand.Int64N(int64(d)/10+1)), math.MaxInt64-d)
	}
	until := t + min(int64(d), math.MaxInt64-max(t, 0))
	m.ejectedUntil.Store(until)
	m.quietSince.Store(t)
	m.consecutive.Store(0)
	m.ejectedCounted = true
	b.ejected++
	b.recount(m)
	ev := Ejection{Addr: m.ep.Load().Addr, Reason: reason, Duration: d, Until: b.epoch.Add(time.Duration(until)), Times: int(times)}
	b.mu.Unlock()
	b.notifyReturns(returned)
	if h := b.cfg.Hooks.OnEject; h != nil {
		h(ev)
	}
}

// ejection is the length of the n-th ejection, base·n capped at maxD,
// without overflow.
func ejection(base time.Duration, n int64, maxD time.Duration) time.Duration {
	if base > 0 && n > int64(maxD/base) {
		return maxD
	}
	return min(base*time.Duration(n), maxD)
}

// restore returns m, ejected until a time that has passed, to the
// rotation.
func (b *Balancer) restore(m *member, now int64) {
	b.mu.Lock()
	until := m.ejectedUntil.Load()
	ok := until != 0 && until <= now && b.restoreLocked(m)
	var addr string
	if ok {
		addr = m.ep.Load().Addr
	}
	b.mu.Unlock()
	if ok {
		b.notifyReturns([]string{addr})
	}
}

// restoreLocked clears m's ejection and reports whether it was one.
// Requires b.mu.
func (b *Balancer) restoreLocked(m *member) bool {
	until := m.ejectedUntil.Swap(0)
	if until == 0 {
		return false
	}
	m.quietSince.Store(until)
	m.consecutive.Store(0)
	if m.ejectedCounted {
		m.ejectedCounted = false
		b.ejected--
		b.recount(m)
	}
	return true
}

func (b *Balancer) notifyReturns(addrs []string) {
	if h := b.cfg.Hooks.OnReturn; h != nil {
		for _, a := range addrs {
			h(a)
		}
	}
}

// endWindow closes m's failure-ratio window when it is over: one caller
// wins the swap and judges it.
func (b *Balancer) endWindow(m *member, t int64) {
	o := &b.cfg.Outlier
	start := m.winStart.Load()
	if t-start < int64(o.Interval) || !m.winStart.CompareAndSwap(start, t) {
		return
	}
	ok, fail := m.successes.Load(), m.failures.Load()
	dOK, dFail := ok-m.winOK.Swap(ok), fail-m.winFail.Swap(fail)
	if !o.Disable && o.FailureRatio > 0 && dOK+dFail >= uint64(o.MinRequests) && dOK+dFail > 0 &&
		float64(dFail) >= o.FailureRatio*float64(dOK+dFail) {
		b.eject(m, t, ReasonFailureRatio)
		return
	}
	// An interval without an ejection forgives one past ejection.
	if m.ejectedUntil.Load() == 0 && m.quietSince.Load() <= start {
		for {
			n := m.timesEjected.Load()
			if n == 0 || m.timesEjected.CompareAndSwap(n, n-1) {
				break
			}
		}
	}
}
