package retryablehttpx

import (
	"fmt"

	"github.com/resilient-go/resilient/transport"
)

// ErrInvalidConfig is wrapped by the error Configure returns for input it
// cannot use (a nil client); the message names what is wrong. It wraps
// transport.ErrInvalidConfig, so a check written for either matches.
var ErrInvalidConfig = fmt.Errorf("retryablehttpx: %w", transport.ErrInvalidConfig)
