package transport_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// echoBackend answers like net/http: resp.Request is the request it was
// sent. Its answer depends on the path: /ok answers 200; /retried a 503
// the first time, then 200; /hedged leaves the first attempt hanging
// until it is cancelled and answers the hedge with 200.
type echoBackend struct {
	mu   sync.Mutex
	seen map[string]int
}

func (b *echoBackend) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	b.mu.Lock()
	if b.seen == nil {
		b.seen = map[string]int{}
	}
	b.seen[req.URL.Path]++
	n := b.seen[req.URL.Path]
	b.mu.Unlock()
	status := http.StatusOK
	switch {
	case req.URL.Path == "/retried" && n == 1:
		status = http.StatusServiceUnavailable
	case req.URL.Path == "/hedged" && n == 1:
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{},
		Body:       io.NopCloser(strings.NewReader("body")),
		Request:    req,
	}, nil
}

// Through New with every stage on, resp.Request is the caller's own
// *http.Request, whatever stage made the attempt: a success, a retried
// success, a hedged win; a GET that Coalesce shares, a GET it may not
// share (no-cache), a PUT.
func TestResponseRequestIsTheCallersThroughEveryStage(t *testing.T) {
	for _, path := range []string{"/ok", "/retried", "/hedged"} {
		for _, kind := range []string{"GET", "GET no-cache", "PUT"} {
			t.Run(path+" "+kind, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					bal, err := balancer.New(balancer.Config{})
					mustNoErr(t, err)
					mustNoErr(t, bal.Update([]discovery.Endpoint{{Addr: "10.0.0.1:80"}, {Addr: "10.0.0.2:80"}}))
					tr, err := transport.New(transport.Config{
						Base:     &echoBackend{},
						Retry:    transport.RetryConfig{Backoff: backoff.Constant(time.Millisecond)},
						Hedge:    &transport.HedgeConfig{Delay: 10 * time.Millisecond},
						Coalesce: &transport.CoalesceConfig{},
						Balance:  &transport.BalanceConfig{Balancer: bal},
					})
					mustNoErr(t, err)
					var req *http.Request
					if kind == "PUT" {
						req, err = http.NewRequest("PUT", "http://svc.test"+path, bytes.NewReader([]byte("put")))
					} else {
						req, err = http.NewRequest("GET", "http://svc.test"+path, nil)
					}
					mustNoErr(t, err)
					if kind == "GET no-cache" {
						req.Header.Set("Cache-Control", "no-cache")
					}
					resp, err := tr.RoundTrip(req)
					mustNoErr(t, err)
					defer resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("status %d, want 200", resp.StatusCode)
					}
					if resp.Request != req {
						t.Fatalf("resp.Request is %p (%s %s), want the caller's request %p", resp.Request, resp.Request.Method, resp.Request.URL, req)
					}
				})
			})
		}
	}
}

// Each stage, used alone, returns the caller's request as resp.Request.
func TestResponseRequestIsTheCallersForEachStage(t *testing.T) {
	bal, err := balancer.New(balancer.Config{})
	mustNoErr(t, err)
	mustNoErr(t, bal.Update([]discovery.Endpoint{{Addr: "10.0.0.1:80"}}))
	must := func(mw transport.Middleware, err error) transport.Middleware {
		t.Helper()
		mustNoErr(t, err)
		return mw
	}
	for _, tc := range []struct {
		name string
		path string
		mws  []transport.Middleware
	}{
		{"Retry", "/ok", []transport.Middleware{must(transport.Retry(transport.RetryConfig{}))}},
		{"Retry retried", "/retried", []transport.Middleware{must(transport.Retry(transport.RetryConfig{Backoff: backoff.Constant(0)}))}},
		{"Hedge", "/ok", []transport.Middleware{must(transport.Hedge(transport.HedgeConfig{}))}},
		{"Hedge hedged", "/hedged", []transport.Middleware{must(transport.Hedge(transport.HedgeConfig{Delay: time.Millisecond}))}},
		{"AttemptTimeout", "/ok", []transport.Middleware{must(transport.AttemptTimeout(time.Second))}},
		{"TotalTimeout", "/ok", []transport.Middleware{must(transport.TotalTimeout(time.Second))}},
		{"Balance", "/ok", []transport.Middleware{must(transport.Balance(transport.BalanceConfig{Balancer: bal}))}},
		{"BalanceCall", "/ok", []transport.Middleware{transport.BalanceCall(), must(transport.Balance(transport.BalanceConfig{Balancer: bal}))}},
		{"Coalesce", "/ok", []transport.Middleware{must(transport.Coalesce(transport.CoalesceConfig{}))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://svc.test"+tc.path, nil)
			mustNoErr(t, err)
			resp, err := transport.Chain(&echoBackend{}, tc.mws...).RoundTrip(req)
			mustNoErr(t, err)
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Request != req {
				t.Fatalf("status %d, resp.Request %p, want 200 and the caller's request %p", resp.StatusCode, resp.Request, req)
			}
		})
	}
}
