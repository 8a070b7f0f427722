package retryablehttpx

import "errors"

// ErrInvalidConfig is wrapped by the error Configure returns for input it
// cannot use (a nil client); the message names what is wrong.
var ErrInvalidConfig = errors.New("retryablehttpx: invalid config")
