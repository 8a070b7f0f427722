package transport

import "net/http"

// Limiter is the Limit stage as a handle, for a stack composed with Chain
// that wants what New's gets: its middleware, and the state of each
// host's load control (Snapshot.Hosts). Every RoundTripper that its
// Middleware wraps shares the Limiter's hosts. Build it with NewLimiter;
// it is safe for concurrent use.
type Limiter struct {
	core *limitTransport // settings and hosts; nil when Off
}

// NewLimiter validates cfg and returns its Limiter (see Limit for what
// the stage does). With cfg.Off, its Middleware passes requests through
// and Hosts reports none.
func NewLimiter(cfg LimitConfig) (*Limiter, error) {
	if cfg.Off {
		return &Limiter{}, nil
	}
	s, err := newLimitSettings(cfg)
	if err != nil {
		return nil, err
	}
	core := &limitTransport{limitSettings: *s}
	core.hosts = core.newHostMap()
	return &Limiter{core: core}, nil
}

// Middleware returns the stage's middleware.
func (l *Limiter) Middleware() Middleware {
	if l.core == nil {
		return passThrough
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &limitTransport{limitSettings: l.core.limitSettings, next: next, hosts: l.core.hosts}
	}
}

// Hosts reports each host's load control, sorted by host, as
// Snapshot.Hosts does.
func (l *Limiter) Hosts() []HostLoad {
	if l.core == nil {
		return nil
	}
	return l.core.snapshot()
}
