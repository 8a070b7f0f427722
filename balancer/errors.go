package balancer

import "errors"

// ErrInvalidConfig is wrapped by every error New returns for a bad
// configuration; the message names the field.
var ErrInvalidConfig = errors.New("balancer: invalid config")

// ErrNoEndpoints means the Balancer has no endpoint set yet (or was given
// none): there is nowhere to send the call.
var ErrNoEndpoints = errors.New("balancer: no endpoints")

// ErrNoAvailable means every endpoint is ejected or unhealthy and
// Config.DisablePanic forbids using them anyway.
var ErrNoAvailable = errors.New("balancer: no available endpoint")
