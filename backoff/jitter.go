package backoff

import "strconv"

// Jitter selects how a [Config] strategy randomises the exponential
// envelope v = min(Max, Base·Multiplier^attempt).
//
// The zero value is [FullJitter], the recommended default. r below is a
// draw from Config.Rand, uniform in [0, 1).
type Jitter uint8

const (
	// FullJitter waits U(0, v): r·v. It spreads competing clients the most
	// and does the least total work in the AWS simulations ("Exponential
	// Backoff And Jitter", AWS Architecture Blog, 2015). It is the zero
	// value and the default.
	FullJitter Jitter = iota

	// EqualJitter waits v/2 + U(0, v/2): it keeps at least half of the
	// exponential wait and randomises the rest.
	EqualJitter

	// DecorrelatedJitter waits U(Base, min(Max, Base·3^(attempt+1))).
	//
	// AWS's decorrelated jitter is stateful: sleep = min(cap, U(base,
	// prev·3)), with prev the previous sleep (initially base), so it needs
	// per-call state that a shared Strategy cannot hold. This is its
	// stateless envelope: after attempt+1 steps prev can be at most
	// base·3^attempt, so the wait before retry number attempt (0-based) is
	// drawn from U(base, min(cap, base·3^(attempt+1))). Backoff(0) is
	// therefore AWS's first sleep, U(Base, 3·Base). The growth factor is
	// always 3; Config.Multiplier is not used by this mode.
	DecorrelatedJitter

	// ProportionalJitter waits v·U(1−Spread, 1+Spread), then caps the
	// result at Max: the gRPC connection-backoff style (Spread 0.2 gives
	// v·U(0.8, 1.2)). Unlike gRPC, which may exceed its cap by the jitter,
	// the result never exceeds Max.
	ProportionalJitter

	// NoJitter waits exactly v. Use it only where the caller adds its own
	// randomness; synchronised retries from many clients arrive in waves.
	NoJitter

	numJitters // sentinel for validation; keep last
)

// String returns the constant's name, such as "FullJitter", or "Jitter(n)"
// for an unknown value.
func (j Jitter) String() string {
	switch j {
	case FullJitter:
		return "FullJitter"
	case EqualJitter:
		return "EqualJitter"
	case DecorrelatedJitter:
		return "DecorrelatedJitter"
	case ProportionalJitter:
		return "ProportionalJitter"
	case NoJitter:
		return "NoJitter"
	}
	return "Jitter(" + strconv.Itoa(int(j)) + ")"
}
