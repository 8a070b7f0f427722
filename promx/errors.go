package promx

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is wrapped by every error that [New] returns: a bad
// Config field, or a registry that refused the metrics. The wrapping
// error's message names the field and its value; test for the class with
// errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("promx: invalid config")

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
