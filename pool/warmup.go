package pool

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
)

// maxWarmUpBody is the most response body WarmUp reads to hand a
// connection back to the pool; a longer body costs the connection.
const maxWarmUpBody = 64 << 10

// WarmUp opens n connections to target ahead of traffic and leaves them
// idle in the pool, so that the first n concurrent requests to that host do
// not pay TCP and TLS handshakes. Call it at start-up, once per backend.
//
// target is a URL such as "https://api.example.com". WarmUp opens
// connections by sending requests, since net/http offers no other way to
// put a connection in its pool:
//
//   - with no path, "OPTIONS *", the HTTP request for the server itself
//     (RFC 9110, section 9.3.7): it reaches no application route, and Go's
//     http.Server answers it without calling the handler;
//   - with a path ("https://api.example.com/healthz"; a lone "/" counts),
//     a HEAD request for it. Name a cheap endpoint if the server
//     mishandles OPTIONS *.
//
// The status code does not matter (a 404 or 405 leaves a usable
// connection), but a response that closes the connection is an error.
//
// WarmUp first sends one request alone. If the server speaks HTTP/2, that
// one connection carries every concurrent request and WarmUp returns: one
// connection is all it leaves. Otherwise it sends n requests at once and
// holds each of them, once it has its connection and before it is written,
// until all n have theirs (the GotConn hook of net/http/httptrace), so n
// distinct connections are in use together: the first request's, reused,
// and n−1 new. When WarmUp returns nil they are idle in the pool. They are
// counted in Stats like any other.
//
// n is capped at what the transport would keep: MaxIdleConnsPerHost, and
// MaxConnsPerHost and MaxIdleConns when set (the latter counts idle
// connections to all hosts). n = 0 does nothing; negative n, or a target
// that is not an absolute http or https URL, is an error.
//
// WarmUp returns when every request has ended. On failure it returns an
// error wrapping the first one (a refused dial, a TLS error, ctx's
// error). The connections stay idle until IdleConnTimeout, so warm up
// shortly before the traffic comes.
func (p *Pool) WarmUp(ctx context.Context, target string, n int) error {
	if n < 0 {
		return fmt.Errorf("pool: WarmUp: n is %d, must be >= 0", n)
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("pool: WarmUp: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("pool: WarmUp: target %q is not an absolute http or https URL", target)
	}
	n = min(n, p.idleLimit())
	if n == 0 {
		return nil
	}
	fail := func(err error) error { return fmt.Errorf("pool: warm-up of %s: %w", u.Host, err) }
	if err := ctx.Err(); err != nil {
		return fail(context.Cause(ctx))
	}

	proto, err := p.warmOne(ctx, u)
	if err != nil {
		return fail(err)
	}
	if proto >= 2 || n == 1 {
		return nil
	}

	var (
		arrived  atomic.Int64
		all      = make(chan struct{}) // closed when all n have arrived
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	arrive := func() {
		if arrived.Add(1) == int64(n) {
			close(all)
		}
	}
	for range n {
		wg.Go(func() {
			// A request arrives when it gets its connection or, failing
			// that, when it ends; it arrives once, though net/http may
			// hand it a second connection after the first failed.
			arrival := sync.OnceFunc(arrive)
			trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) {
				arrival()
				select {
				case <-all:
				case <-ctx.Done():
				}
			}}
			_, err := p.warmOne(httptrace.WithClientTrace(ctx, trace), u)
			arrival()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return fail(firstErr)
	}
	return nil
}

// idleLimit returns the most idle connections per host the transport keeps.
func (p *Pool) idleLimit() int {
	limit := p.t.MaxIdleConnsPerHost
	if limit == 0 {
		limit = http.DefaultMaxIdleConnsPerHost
	}
	if m := p.t.MaxConnsPerHost; m > 0 {
		limit = min(limit, m)
	}
	if m := p.t.MaxIdleConns; m > 0 {
		limit = min(limit, m)
	}
	return max(limit, 0)
}

// warmOne sends one warm-up request to u and returns the response's
// major protocol version once the connection is back in the pool.
func (p *Pool) warmOne(ctx context.Context, u *url.URL) (int, error) {
	method, target := http.MethodHead, *u
	target.Fragment, target.RawFragment = "", ""
	if u.Opaque == "" && u.Path == "" && u.RawPath == "" {
		method, target.Opaque, target.RawQuery = http.MethodOptions, "*", ""
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, err
	}
	req.URL = &target
	resp, err := p.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	// Reading the body to its end hands the connection back to the pool
	// before Read returns io.EOF (net/http guarantees it for HTTP/1).
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxWarmUpBody+1))
	resp.Body.Close()
	switch {
	case err != nil:
		return 0, fmt.Errorf("reading the %s response: %w", method, err)
	case n > maxWarmUpBody:
		return 0, fmt.Errorf("the %s response's body is over %d bytes: the connection was closed", method, maxWarmUpBody)
	case resp.Close:
		return 0, fmt.Errorf("the server closes the connection after the %s response (%s)", method, resp.Status)
	}
	return resp.ProtoMajor, nil
}
