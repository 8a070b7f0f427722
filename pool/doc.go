// Package pool builds and observes the connection pool at the base of an
// HTTP client: a tuned *http.Transport ([Pool]) that keeps enough
// connections alive for concurrent traffic, opens them ahead of time on
// request ([Pool.WarmUp]), and counts, per host, how often requests got a
// new connection and how often a reused one ([Pool.Stats]).
//
// Use it wherever a service client would otherwise use
// http.DefaultTransport or a bare &http.Transport{}: as the Transport of an
// http.Client, or as the base RoundTripper under the resilience middlewares
// of package transport.
//
//	p, err := pool.New(pool.Config{}) // the recommended defaults
//	client := &http.Client{Transport: p}
//
// It is the one HTTP-specific leaf of the module and imports only the
// standard library (HTTP/2 included: net/http's own).
//
// # The trap it avoids
//
// net/http keeps at most MaxIdleConnsPerHost idle connections per host,
// and the default, http.DefaultMaxIdleConnsPerHost, is 2. A client sending
// C concurrent requests to one host opens C connections; when they finish,
// 2 go back to the pool and C−2 are closed. The next burst dials C−2
// again, paying a TCP handshake (and a TLS one: one or two more round
// trips and the server's signature) per request, and every close leaves
// a socket in TIME_WAIT, which under sustained load exhausts ephemeral
// ports. Nothing fails: the client is just slower and the server busier.
// A Pool keeps 64 idle connections per host by default. The test
// TestConcurrentReuseVersusDefaultTransport shows the difference: over 5
// rounds of 16 concurrent requests, a Pool dials 16 connections and a
// stdlib default transport 72.
//
// # The defaults, and why
//
//	MaxIdleConnsPerHost    64    stdlib 2: see above; as many as the host sees concurrent requests
//	MaxConnsPerHost        none  concurrency is bounded above the pool, by the limiter and queue
//	MaxIdleConns           1024  stdlib 100: 16 hosts at the full per-host figure
//	IdleConnTimeout        90s   as stdlib: idle connections are reaped, so 64 costs little
//	DialTimeout            5s    stdlib 30s: two SYN retransmissions, then fail over
//	KeepAlive              30s   as stdlib: TCP probes find peers gone while idle
//	TLSHandshakeTimeout    5s    stdlib 10s: a handshake is one or two round trips
//	ResponseHeaderTimeout  none  per-attempt deadlines belong to the attempt-timeout stage
//	ExpectContinueTimeout  1s    as stdlib
//	HTTP/2                 on    offered in the TLS handshake (ALPN), used where the server accepts
//	Proxy                  from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)
//
// Each field of [Config] says what its zero value means, so the zero Config
// is [DefaultConfig]. The default timeouts bound connection set-up only;
// the deadline of a call or of one attempt is set through the request's
// context by the stages above.
//
// # Where it sits
//
// The pool is the base of the stack that package transport assembles (its
// documentation gives the order of the stages and why). The layers above
// must hand connections back: a response body read to its
// end and closed returns its connection to the pool; one closed early
// costs the connection. Package transport drains every response it
// discards for this reason.
//
// With HTTP/2 one connection per host carries every concurrent request, so
// the per-host idle limits matter little; over plain http:// and with
// DisableHTTP2 they are what the pool is about.
//
// # Warm-up
//
// [Pool.WarmUp] opens n connections to a host and leaves them idle, so
// that the first requests after start-up do not pay the handshakes
// (docs/pool.md has the first request's time, cold and warm). net/http
// can only pool a connection that carried a request, so
// WarmUp sends requests ("OPTIONS *", or HEAD for a path you name) and
// holds them at a barrier until each has its own connection; against an
// HTTP/2 server it opens one connection, which serves all.
//
// # Statistics
//
// [Pool.RoundTrip] counts, per host, each connection the transport hands a
// request: new, reused, and reused after sitting idle (with the idle
// time). The counts come from the transport itself, through the GotConn
// hook of net/http/httptrace, so they are exact: a reused connection is
// one that served a request before.
//
// Each host has one httptrace.ClientTrace, made once, whose GotConn
// closure holds that host's counters; RoundTrip looks the host up (one
// atomic load and a map read) and gives the transport a shallow copy of
// the request whose context carries that trace. The host is thus known
// from the request itself, not guessed from the connection's remote
// address, which would name the proxy, or one of several addresses of a
// host. The usual way, req.WithContext(httptrace.WithClientTrace(ctx, t)),
// costs two allocations; RoundTrip folds the request copy and its context
// into one. Hosts are keyed in canonical form ("api.example.com:443"), at
// most Config.MaxTrackedHosts of them (1024 by default), later ones summed
// under [OtherHosts], so the key set stays bounded.
//
// The statistics cost one allocation per request (that copy), a small
// share of a round trip's own (docs/pool.md has the figures), so they
// are on by default; Config.DisableStats turns them off, and then
// RoundTrip passes requests to the transport untouched.
//
// A ClientTrace of the caller's own in the request context keeps working:
// the pool's hooks are composed with it (a few more allocations for those
// requests). Requests sent through [Pool.Transport] directly are not
// counted.
package pool
