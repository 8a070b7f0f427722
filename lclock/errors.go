package lclock

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is wrapped by every error that a constructor of this
// package returns for a bad configuration; the wrapping message names the
// field and its value. Test for it with errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("lclock: invalid config")

// ErrAhead is returned by Witness when the received time is further ahead
// of this clock than the configuration allows ([Config.MaxOffset] for an
// [HLC], [LamportConfig.MaxJump] for a [Lamport] clock). The received time
// is not adopted, the rejection is counted ([Stats.Rejected]), and the
// receive is still recorded as a local event: the stamp returned with the
// error is valid, it is just not ordered after the sender's.
var ErrAhead = errors.New("lclock: received time too far ahead")

// ErrMalformed is returned by [ParseLamport], [ParseHLC] and
// [Clock.ParseStamp] for text that is not a stamp of the expected kind:
// empty, too long, with a sign, a space or another stray byte, or out of
// range.
var ErrMalformed = errors.New("lclock: malformed stamp")

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
