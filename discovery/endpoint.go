package discovery

import (
	"fmt"
	"net"
	"slices"
	"strconv"
)

// Endpoint is one replica of a service.
type Endpoint struct {
	// Addr is where to reach it, as host:port (a host name or an IP
	// address; IPv6 in brackets).
	Addr string
	// Weight is its share of the traffic relative to the other endpoints
	// of its set. Zero means 1; negative, or above MaxWeight, is an error.
	Weight int
	// Zone is the failure domain it runs in (a zone, a rack), if known.
	Zone string
	// Meta holds free-form labels (a version, a canary mark). It is
	// shared by every copy of the Endpoint: treat it as read-only.
	Meta map[string]string
}

// MaxWeight is the largest Endpoint.Weight a set may hold. It covers every
// DNS SRV weight (16 bits) and leaves room for ratios finer than any
// balancer honours, while keeping a set's total weight far from overflow:
// a typo such as weight=9223372036854775807 is refused, not obeyed.
const MaxWeight = 1_000_000

// String returns the endpoint's address.
func (e Endpoint) String() string { return e.Addr }

// EffectiveWeight is the endpoint's Weight, or 1 when it is zero.
func (e Endpoint) EffectiveWeight() int {
	if e.Weight == 0 {
		return 1
	}
	return e.Weight
}

// Validate checks a set of endpoints: at least one, each with a host:port
// address, a weight in [0, MaxWeight], and no address twice. Its errors wrap
// ErrInvalidEndpoints (ErrNoEndpoints for an empty set).
func Validate(eps []Endpoint) error {
	if len(eps) == 0 {
		return ErrNoEndpoints
	}
	seen := make(map[string]struct{}, len(eps))
	for i, e := range eps {
		if _, port, err := net.SplitHostPort(e.Addr); err != nil || port == "" {
			return fmt.Errorf("%w: endpoint %d: address %q is not host:port", ErrInvalidEndpoints, i, e.Addr)
		} else if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("%w: endpoint %d: address %q has no valid port", ErrInvalidEndpoints, i, e.Addr)
		}
		if e.Weight < 0 || e.Weight > MaxWeight {
			return fmt.Errorf("%w: endpoint %d (%s): weight %d is not in [0, %d]", ErrInvalidEndpoints, i, e.Addr, e.Weight, MaxWeight)
		}
		if _, dup := seen[e.Addr]; dup {
			return fmt.Errorf("%w: endpoint %d: address %q appears twice", ErrInvalidEndpoints, i, e.Addr)
		}
		seen[e.Addr] = struct{}{}
	}
	return nil
}

// Equal reports whether two sets hold the same endpoints in the same
// order (Meta compared by content).
func Equal(a, b []Endpoint) bool {
	return slices.EqualFunc(a, b, func(x, y Endpoint) bool {
		if x.Addr != y.Addr || x.Weight != y.Weight || x.Zone != y.Zone || len(x.Meta) != len(y.Meta) {
			return false
		}
		for k, v := range x.Meta {
			if w, ok := y.Meta[k]; !ok || w != v {
				return false
			}
		}
		return true
	})
}
