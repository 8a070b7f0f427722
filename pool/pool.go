package pool

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
)

var _ http.RoundTripper = (*Pool)(nil)

// Pool is a tuned *http.Transport that records how often requests get a
// new connection and how often a reused one.
//
// Use it as the base of the transport stack: as http.Client.Transport, or
// as the base RoundTripper under the resilience middlewares (transport.Chain).
// [Pool.RoundTrip] hands each request to the transport with a trace that
// counts, per host, the connections it was given; [Pool.Stats] reads the
// counts. [Pool.WarmUp] opens connections ahead of traffic, and
// [Pool.Transport] returns the transport itself.
//
// Create a Pool with [New]; the zero Pool is not usable. A Pool is safe for
// concurrent use and starts no goroutine of its own (the transport's
// connections have theirs: call [Pool.CloseIdleConnections] when done with
// it, as with any *http.Transport).
type Pool struct {
	t      *http.Transport
	hosts  *hostTable  // nil when statistics are off
	dialer *net.Dialer // the default dialer; nil with Config.DialContext
}

// New returns a [Pool] for c. It fills the zero fields of c with the values
// of [DefaultConfig], then validates them: a negative count or duration, or
// MaxIdleConns below MaxIdleConnsPerHost, gives an error wrapping
// [ErrInvalidConfig] that names the field and its value.
func New(c Config) (*Pool, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	var dialer *net.Dialer
	dial := c.DialContext
	if dial == nil {
		dialer = &net.Dialer{Timeout: c.DialTimeout, KeepAlive: c.KeepAlive}
		dial = dialer.DialContext
	}
	proxy := c.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	var tlsConf *tls.Config
	if c.TLSClientConfig != nil {
		tlsConf = c.TLSClientConfig.Clone()
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(!c.DisableHTTP2)
	t := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dial,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   c.TLSHandshakeTimeout,
		MaxIdleConns:          c.MaxIdleConns,
		MaxIdleConnsPerHost:   c.MaxIdleConnsPerHost,
		MaxConnsPerHost:       c.MaxConnsPerHost,
		IdleConnTimeout:       c.IdleConnTimeout,
		ResponseHeaderTimeout: c.ResponseHeaderTimeout,
		ExpectContinueTimeout: c.ExpectContinueTimeout,
		ForceAttemptHTTP2:     !c.DisableHTTP2,
		Protocols:             protocols,
	}
	p := &Pool{t: t, dialer: dialer}
	if !c.DisableStats {
		p.hosts = newHostTable(c.MaxTrackedHosts)
	}
	return p, nil
}

// Transport returns the tuned transport itself, for callers who want it
// bare. Requests sent through it directly are not counted in Stats.
// Changing its fields after the Pool has served requests is subject to
// net/http's rules (most fields must not change once the transport is in
// use).
func (p *Pool) Transport() *http.Transport { return p.t }

// RoundTrip implements [http.RoundTripper]: it sends req through the
// transport, counting the connection it gets in [Pool.Stats].
//
// It does not modify req: the transport is given a shallow copy whose
// context carries the statistics' ClientTrace (the copy and its context
// are one allocation); the response's Request field is set back to req.
// A ClientTrace already in req's context is kept and called after the
// pool's, at the price of composing the two (a few allocations). With
// Config.DisableStats, req goes to the transport as it is.
func (p *Pool) RoundTrip(req *http.Request) (*http.Response, error) {
	r2 := p.traced(req)
	resp, err := p.t.RoundTrip(r2)
	if resp != nil && r2 != req {
		// resp.Request is r2, or a clone of it that net/http retried.
		resp.Request = req
	}
	return resp, err
}

// traced returns the request to give the transport: req itself when
// statistics are off, otherwise a copy that carries the host's trace.
func (p *Pool) traced(req *http.Request) *http.Request {
	if p.hosts == nil || req == nil || req.URL == nil {
		return req // the transport reports a nil URL
	}
	e := p.hosts.lookup(req.URL)
	if httptrace.ContextClientTrace(req.Context()) == nil {
		return withTrace(req, e.trace)
	}
	// WithClientTrace chains the caller's hooks into the trace it is
	// given, writing to it: give it a copy of the shared one.
	trace := *e.trace
	return req.WithContext(httptrace.WithClientTrace(req.Context(), &trace))
}

// Stats returns the connection statistics since the Pool was created. It
// returns the zero Stats when Config.DisableStats is set.
func (p *Pool) Stats() Stats {
	if p.hosts == nil {
		return Stats{}
	}
	return p.hosts.snapshot()
}

// CloseIdleConnections closes the connections that are idle in the pool,
// ending their goroutines; connections in use are not interrupted. It is
// the transport's CloseIdleConnections.
func (p *Pool) CloseIdleConnections() { p.t.CloseIdleConnections() }
