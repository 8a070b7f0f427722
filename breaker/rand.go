package breaker

import (
	"math/rand/v2"

	"github.com/resilient-go/resilient/internal/ctxwait"
)

// The random draws. Each comes from Config.Rand when it is set, so that a
// seeded source repeats a run, and from math/rand/v2 otherwise, whose
// per-thread generator is cheapest: the success path draws on every call,
// so a nil Rand costs it a load of a read-only field and one predictable
// branch, nothing more.

// rand32 returns 32 random bits. The success path has it inlined by
// hand (see Breaker.success).
func (b *Breaker) rand32() uint32 {
	if s := b.set; s.rand != nil {
		return s.seeded32()
	}
	return rand.Uint32()
}

// seeded32 returns 32 bits drawn from Config.Rand: rand32's path for a
// supplied source, kept out of line so that the success path's nil
// check stays small.
//
//go:noinline
func (s *settings) seeded32() uint32 {
	return uint32(s.float() * (1 << 32))
}

// float returns a number uniform in [0, 1): Config.Rand's, clamped into
// [0, 1), or math/rand/v2's (the clamp is ctxwait's, shared with
// transport's pushback gate).
func (s *settings) float() float64 { return ctxwait.Share(s.rand) }
