package scenario

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// callKey keys the per-call attempt counter in a call's context; every
// library under test passes the caller's context values down to its
// attempts, so the counter below it can tell whose attempt it sees.
type callKey struct{}

type callCounter struct{ attempts atomic.Int32 }

func withCallCounter(ctx context.Context, c *callCounter) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// counter is the RoundTripper below the library under test: it counts
// every attempt, by call, and every response body it hands up, and
// whether that body was closed.
type counter struct {
	next *http.Transport

	attempts atomic.Int64 // attempts sent
	// sent counts the attempts sent while each phase lasted (by the
	// client's clock, from start); nil until the traffic starts.
	sent    []atomic.Int64
	sc      *Scenario
	start   time.Time
	orphans atomic.Int64 // attempts whose context carried no call counter
	bodies  atomic.Int64 // response bodies handed up
	closed  atomic.Int64 // of those, closed
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.attempts.Add(1)
	if c.sent != nil {
		c.sent[c.sc.phaseAt(min(time.Since(c.start), c.sc.Duration()))].Add(1)
	}
	if cc, ok := req.Context().Value(callKey{}).(*callCounter); ok {
		cc.attempts.Add(1)
	} else {
		c.orphans.Add(1)
	}
	resp, err := c.next.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		c.bodies.Add(1)
		resp.Body = &countedBody{ReadCloser: resp.Body, c: c}
	}
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// pool through the library.
func (c *counter) CloseIdleConnections() { c.next.CloseIdleConnections() }

type countedBody struct {
	io.ReadCloser
	c    *counter
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.c.closed.Add(1) })
	return b.ReadCloser.Close()
}

// newPool is the connection pool every client sends over:
// http.DefaultTransport's, with room for enough idle connections that the
// load does not churn them (its default keeps 2 per host).
func newPool() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no global cap
	t.MaxIdleConnsPerHost = 1024
	return t
}
