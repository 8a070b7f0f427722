package fleet

import "errors"

// ErrInvalidConfig is wrapped by every error that [New] returns for a bad
// configuration. The wrapping error's message names the offending field
// and its value; test for the class with errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("fleet: invalid config")

// ErrClosed is returned by [Limiter.Allow] after [Limiter.Close].
var ErrClosed = errors.New("fleet: limiter closed")

// ErrUnavailable is the class of a rejection made because Redis could not
// be asked (down, slow, partitioned, or its breaker open) and the limiter
// is configured to fail closed ([FailClosed]). Such a rejection also
// matches limiter.ErrLimited: nothing was sent.
var ErrUnavailable = errors.New("fleet: redis unavailable")

// ErrPaused is the class of a rejection made because a server asked the
// fleet to back off (a 429 or 503 with Retry-After seen by any replica,
// shared through Redis; see [Limiter.Pause]). Such a rejection also matches
// limiter.ErrLimited.
var ErrPaused = errors.New("fleet: paused by server pushback")
