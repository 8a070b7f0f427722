package transport_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// balFor returns a round-robin balancer over addrs.
func balFor(t testing.TB, cfg balancer.Config, addrs ...string) *balancer.Balancer {
	t.Helper()
	b, err := balancer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	eps := make([]discovery.Endpoint, len(addrs))
	for i, a := range addrs {
		eps[i].Addr = a
	}
	if err := b.Update(eps); err != nil {
		t.Fatal(err)
	}
	return b
}

// balSeen records the URL host and Host header of every attempt.
type balSeen struct {
	mu    sync.Mutex
	urls  []string
	hosts []string
}

func (s *balSeen) record(req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.urls = append(s.urls, req.URL.Host)
	s.hosts = append(s.hosts, req.Host)
}

func TestBalanceRewritesTheURLAndKeepsTheLogicalHost(t *testing.T) {
	for _, rewriteHost := range []bool{false, true} {
		var s balSeen
		bal := balFor(t, balancer.Config{Policy: balancer.RoundRobin}, "10.0.0.1:80", "10.0.0.2:80")
		mw, err := transport.Balance(transport.BalanceConfig{Balancer: bal, Host: "users.internal", RewriteHost: rewriteHost})
		if err != nil {
			t.Fatal(err)
		}
		rt := transport.Chain(stubFunc(func(req *http.Request) (*http.Response, error) {
			s.record(req)
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		}), mw)
		for range 4 {
			req, _ := http.NewRequest("GET", "http://users.internal/v1/users", nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Request != req {
				t.Fatal("resp.Request is not the caller's request")
			}
			if req.URL.Host != "users.internal" || req.Host != "users.internal" {
				t.Fatalf("caller's request modified: %s, %q", req.URL.Host, req.Host)
			}
		}
		// Another host passes through untouched.
		req, _ := http.NewRequest("GET", "http://other.internal/", nil)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		wantURLs := "10.0.0.2:80 10.0.0.1:80 10.0.0.2:80 10.0.0.1:80 other.internal"
		if got := strings.Join(s.urls, " "); got != wantURLs {
			t.Fatalf("URL hosts %q, want %q", got, wantURLs)
		}
		want := "users.internal"
		if rewriteHost {
			want = ""
		}
		for _, h := range s.hosts[:4] {
			if h != want {
				t.Fatalf("RewriteHost %v: Host %q, want %q", rewriteHost, h, want)
			}
		}
	}
}

func TestBalanceWithoutEndpointsFailsNotSent(t *testing.T) {
	bal, err := balancer.New(balancer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := transport.Balance(transport.BalanceConfig{Balancer: bal})
	if err != nil {
		t.Fatal(err)
	}
	rt := transport.Chain(stubFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("a request was sent")
		return nil, nil
	}), mw)
	body := &balCloseCounter{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest("POST", "http://users.internal/", body)
	_, err = rt.RoundTrip(req)
	var be *transport.BalanceError
	if !errors.Is(err, balancer.ErrNoEndpoints) || !transport.NotSent(err) || !errors.As(err, &be) || be.Host != "users.internal" {
		t.Fatalf("error %v, want a not-sent BalanceError matching balancer.ErrNoEndpoints", err)
	}
	if body.closed != 1 {
		t.Fatalf("request body closed %d times, want 1", body.closed)
	}
	if _, err := transport.Balance(transport.BalanceConfig{}); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Fatalf("empty config: %v, want ErrInvalidConfig", err)
	}
	if _, err := transport.Balance(transport.BalanceConfig{Resolver: &discovery.Broadcast{}, Decay: -1}); !errors.Is(err, balancer.ErrInvalidConfig) {
		t.Fatalf("bad balancer config: %v, want balancer.ErrInvalidConfig", err)
	}
}

type balCloseCounter struct {
	io.Reader
	closed int
}

func (c *balCloseCounter) Close() error { c.closed++; return nil }

// An endpoint whose breaker is open does not fail the attempt: it goes to
// another endpoint at once.
func TestBalanceSkipsAnEndpointWithAnOpenBreaker(t *testing.T) {
	var s balSeen
	bal := balFor(t, balancer.Config{Policy: balancer.RoundRobin}, "a:1", "b:1", "c:1")
	mw, _ := transport.Balance(transport.BalanceConfig{Balancer: bal})
	rt := transport.Chain(stubFunc(func(req *http.Request) (*http.Response, error) {
		s.record(req)
		if req.URL.Host != "c:1" {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, transport.MarkNotSent(&breaker.OpenError{Key: req.URL.Host})
		}
		b, _ := io.ReadAll(req.Body)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(string(b))), Request: req}, nil
	}), transport.BalanceCall(), mw)
	req, _ := http.NewRequest("PUT", "http://svc/", strings.NewReader("payload"))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if string(got) != "payload" || len(s.urls) < 2 || s.urls[len(s.urls)-1] != "c:1" {
		t.Fatalf("body %q after attempts at %v; want the payload replayed to c:1", got, s.urls)
	}
	for _, st := range bal.Endpoints() {
		if st.InFlight != 0 || st.Failures != 0 {
			t.Fatalf("%+v: an open breaker counts neither way", st)
		}
	}
}

// A hedge goes to another endpoint than the attempt it hedges.
func TestBalanceHedgeGoesToAnotherEndpoint(t *testing.T) {
	bal := balFor(t, balancer.Config{}, "a:1", "b:1", "c:1")
	balance, _ := transport.Balance(transport.BalanceConfig{Balancer: bal})
	hedge, err := transport.Hedge(transport.HedgeConfig{Delay: time.Millisecond, Budget: backoff.Unlimited()})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		first := make(chan string, 1)
		release := make(chan struct{})
		var mu sync.Mutex
		var addrs []string
		rt := transport.Chain(stubFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			addrs = append(addrs, req.URL.Host)
			n := len(addrs)
			mu.Unlock()
			if n == 1 {
				first <- req.URL.Host
				select { // the first attempt hangs until the hedge has won
				case <-release:
				case <-req.Context().Done():
				}
				return nil, req.Context().Err()
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		}), transport.BalanceCall(), hedge, balance)
		req, _ := http.NewRequest("GET", "http://svc/", nil)
		resp, err := rt.RoundTrip(req)
		close(release)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("hedged call: %v", err)
		}
		resp.Body.Close()
		f := <-first
		mu.Lock()
		if len(addrs) != 2 || addrs[1] == f {
			t.Fatalf("attempts went to %v: the hedge went to the same endpoint", addrs)
		}
		mu.Unlock()
	}
}
