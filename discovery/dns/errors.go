package dns

import (
	"fmt"

	"github.com/resilient-go/resilient/discovery"
)

// ErrInvalidConfig is wrapped by every error New returns for a bad
// Config; the message names the field. It wraps discovery.ErrInvalidConfig,
// so a check written for either matches.
var ErrInvalidConfig = fmt.Errorf("dns: %w", discovery.ErrInvalidConfig)
