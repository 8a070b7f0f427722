package pool

import "errors"

// ErrInvalidConfig is wrapped by every error that [New] returns for a bad
// [Config]. The wrapping error's message names the offending field and its
// value; test for the class with errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("pool: invalid config")
