package pool

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Config describes a [Pool]: the tuning of its *http.Transport. [New]
// builds one.
//
// Every zero field means its default, so the zero Config is
// [DefaultConfig] (with Proxy, DialContext and TLSClientConfig left to
// their nil defaults). A Config is a plain value: copy it, change it, and
// pass it to New. Negative counts and durations are errors.
type Config struct {
	// MaxIdleConnsPerHost is the most idle (keep-alive) connections kept
	// per host. Zero means 64, or MaxIdleConns if that is set and
	// smaller. Negative is an error.
	//
	// It is the field that matters: net/http's default is 2
	// (http.DefaultMaxIdleConnsPerHost), so a client sending C > 2
	// concurrent requests to one host closes C−2 connections after every
	// burst and dials them again for the next, paying a TCP (and TLS)
	// handshake per request and leaving a TIME_WAIT socket per close. The
	// pool should keep as many idle connections as the host sees
	// concurrent requests; 64 covers the concurrency that a per-host
	// limiter typically allows, and an idle connection costs little (two
	// goroutines and two 4 KiB buffers) while IdleConnTimeout reaps the
	// surplus.
	MaxIdleConnsPerHost int

	// MaxConnsPerHost caps the connections per host, dialling, active and
	// idle together; a request past the cap waits inside the transport
	// for a connection. Zero means no limit. Negative is an error.
	//
	// Leave it at zero: bounding concurrency belongs to the limiter and
	// queue layers above the pool, which reject or queue with a deadline,
	// count the wait, and tell the caller; a transport-level cap queues
	// invisibly, for as long as the request's context allows.
	MaxConnsPerHost int

	// MaxIdleConns is the most idle connections kept across all hosts.
	// Zero means 1024 (16 hosts at the full per-host default), or
	// MaxIdleConnsPerHost if that is larger. Negative is an error, and so
	// is a value less than a MaxIdleConnsPerHost set alongside it: the
	// per-host figure could never be reached.
	MaxIdleConns int

	// IdleConnTimeout closes a connection that has been idle this long,
	// which bounds what a generous MaxIdleConnsPerHost costs once a burst
	// is over. Zero means 90s (as http.DefaultTransport): long enough to
	// span the gaps in steady traffic. Negative is an error. Servers and
	// load balancers close idle connections on timers of their own;
	// net/http notices and dials again.
	IdleConnTimeout time.Duration

	// DialTimeout bounds the TCP connect of the default dialer. Zero means
	// 5s: room for two SYN retransmissions (at 1s and 3s) on a lossy
	// network, short enough to fail over well within a total deadline
	// (http.DefaultTransport waits 30s). Negative is an error. It is
	// ignored when DialContext is set.
	DialTimeout time.Duration

	// KeepAlive is the TCP keep-alive probe interval of the default
	// dialer, which finds peers that vanished while a connection sat
	// idle. Zero means 30s (as http.DefaultTransport). Negative is an
	// error; to turn probes off, supply a DialContext. It is ignored when
	// DialContext is set.
	KeepAlive time.Duration

	// TLSHandshakeTimeout bounds the TLS handshake. Zero means 5s (a
	// handshake is one or two round trips and a signature;
	// http.DefaultTransport allows 10s). Negative is an error.
	TLSHandshakeTimeout time.Duration

	// ResponseHeaderTimeout bounds the wait for the response headers
	// after the request is written. Zero means none (as net/http), and
	// that is the recommended setting: a per-attempt deadline belongs to
	// the attempt-timeout stage above the pool, which covers the whole
	// attempt, body included, and is set per call through the context.
	// Negative is an error.
	ResponseHeaderTimeout time.Duration

	// ExpectContinueTimeout is how long a request with "Expect:
	// 100-continue" waits for the server's first response headers before
	// sending its body. Zero means 1s (as http.DefaultTransport).
	// Negative is an error.
	ExpectContinueTimeout time.Duration

	// TLSClientConfig is the TLS configuration for https. Nil means the
	// crypto/tls defaults (system roots, server name from the URL). A
	// supplied config is cloned, so the transport's ALPN setup never
	// writes to the caller's value.
	TLSClientConfig *tls.Config

	// DisableHTTP2 turns HTTP/2 off. By default the transport offers
	// HTTP/2 in the TLS handshake (ALPN) and uses it where the server
	// accepts; plain http:// stays HTTP/1.1.
	DisableHTTP2 bool

	// Proxy returns the proxy for a request, or nil for none. Nil means
	// http.ProxyFromEnvironment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). To
	// ignore the environment, pass a func that returns nil, nil.
	Proxy func(*http.Request) (*url.URL, error)

	// DialContext opens the TCP connections. Nil means a net.Dialer with
	// DialTimeout and KeepAlive. Supply one to count or fake dials in
	// tests, or to pin addresses.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// DisableStats turns connection statistics off; [Pool.Stats] then
	// reports nothing and [Pool.RoundTrip] passes requests straight to the
	// transport. Statistics are on by default: they cost one allocation
	// per request (see the package documentation).
	DisableStats bool

	// MaxTrackedHosts bounds the hosts that [Pool.Stats] reports by name;
	// later hosts are counted together under [OtherHosts]. Zero means
	// 1024. Negative is an error.
	MaxTrackedHosts int
}

// DefaultConfig returns the configuration that the zero [Config] stands for,
// a fresh copy on each call: change its fields and pass it to [New].
func DefaultConfig() Config {
	return Config{
		MaxIdleConnsPerHost:   64,
		MaxConnsPerHost:       0,
		MaxIdleConns:          1024,
		IdleConnTimeout:       90 * time.Second,
		DialTimeout:           5 * time.Second,
		KeepAlive:             30 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 0,
		ExpectContinueTimeout: time.Second,
		MaxTrackedHosts:       1024,
	}
}

// withDefaults validates c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"MaxIdleConnsPerHost", c.MaxIdleConnsPerHost},
		{"MaxConnsPerHost", c.MaxConnsPerHost},
		{"MaxIdleConns", c.MaxIdleConns},
		{"MaxTrackedHosts", c.MaxTrackedHosts},
	} {
		if f.v < 0 {
			return c, invalid("%s is %d, must be >= 0", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"IdleConnTimeout", c.IdleConnTimeout},
		{"DialTimeout", c.DialTimeout},
		{"KeepAlive", c.KeepAlive},
		{"TLSHandshakeTimeout", c.TLSHandshakeTimeout},
		{"ResponseHeaderTimeout", c.ResponseHeaderTimeout},
		{"ExpectContinueTimeout", c.ExpectContinueTimeout},
	} {
		if f.v < 0 {
			return c, invalid("%s is %v, must be >= 0", f.name, f.v)
		}
	}
	if c.MaxIdleConns != 0 && c.MaxIdleConnsPerHost > c.MaxIdleConns {
		return c, invalid("MaxIdleConns %d is less than MaxIdleConnsPerHost %d", c.MaxIdleConns, c.MaxIdleConnsPerHost)
	}
	d := DefaultConfig()
	switch {
	case c.MaxIdleConnsPerHost == 0 && c.MaxIdleConns == 0:
		c.MaxIdleConnsPerHost, c.MaxIdleConns = d.MaxIdleConnsPerHost, d.MaxIdleConns
	case c.MaxIdleConnsPerHost == 0:
		c.MaxIdleConnsPerHost = min(d.MaxIdleConnsPerHost, c.MaxIdleConns)
	case c.MaxIdleConns == 0:
		c.MaxIdleConns = max(d.MaxIdleConns, c.MaxIdleConnsPerHost)
	}
	c.MaxTrackedHosts = orDefault(c.MaxTrackedHosts, d.MaxTrackedHosts)
	c.IdleConnTimeout = orDefault(c.IdleConnTimeout, d.IdleConnTimeout)
	c.DialTimeout = orDefault(c.DialTimeout, d.DialTimeout)
	c.KeepAlive = orDefault(c.KeepAlive, d.KeepAlive)
	c.TLSHandshakeTimeout = orDefault(c.TLSHandshakeTimeout, d.TLSHandshakeTimeout)
	c.ExpectContinueTimeout = orDefault(c.ExpectContinueTimeout, d.ExpectContinueTimeout)
	return c, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
