package twirpx_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  twirpx.Config
		want string // in the message
	}{
		{"method key without a slash", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"MakeHat": {}}}, `Config.Methods["MakeHat"]: `},
		{"method key with two slashes", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"a/b/c": {}}}, `Config.Methods["a/b/c"]: `},
		{"empty method", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"Haberdasher/": {}}}, `"Haberdasher/"`},
		{"wildcard service", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"*/MakeHat": {}}}, `"*/MakeHat"`},
		{"partial wildcard", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"Haberdasher/Make*": {}}}, `"Haberdasher/Make*"`},
		{"negative timeout", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"S/M": {Timeout: -time.Second}}}, `Config.Methods["S/M"].Timeout: is -1s`},
		{"timeout past the total", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"S/M": {Timeout: time.Minute}}}, `Config.Methods["S/M"].Timeout: 1m0s exceeds Config.Transport.Timeout.Total 15s`},
		{"bad header", twirpx.Config{TimeoutHeader: "Bad Header"}, `Config.TimeoutHeader: "Bad Header"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := twirpx.New(tc.cfg)
			if c != nil || !errors.Is(err, twirpx.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, %v; want ErrInvalidConfig naming %s", c, err, tc.want)
			}
		})
	}
	// The stack's refusals match both packages' sentinels (and a core's,
	// where a core refused it), and name the field from twirpx's Config.
	for _, tc := range []struct {
		name string
		cfg  transport.Config
		path string
		core error
	}{
		{"the stack's own errors", transport.Config{Timeout: transport.TimeoutConfig{Total: -1}}, "Config.Transport.Timeout.Total: is -1ns", nil},
		{"a core's", transport.Config{Breaker: transport.BreakerConfig{FailureRatio: 2}},
			"Config.Transport.Breaker.FailureRatio: breaker: invalid config: FailureRatio 2", breaker.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := twirpx.New(twirpx.Config{Transport: tc.cfg})
			if !errors.Is(err, transport.ErrInvalidConfig) || !errors.Is(err, twirpx.ErrInvalidConfig) {
				t.Errorf("New = %v, want transport's and twirpx's ErrInvalidConfig", err)
			}
			if tc.core != nil && !errors.Is(err, tc.core) {
				t.Errorf("New = %v, want %v", err, tc.core)
			}
			if want := "twirpx: invalid config: " + tc.path; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("New = %v, want it to begin with %q", err, want)
			}
		})
	}
	t.Run("the pool twirpx builds", func(t *testing.T) {
		// twirpx builds the pool itself (transport.New never sees it):
		// its refusal used to match only pool's sentinel.
		_, err := twirpx.New(twirpx.Config{Transport: transport.Config{Pool: pool.Config{MaxIdleConnsPerHost: -1}}})
		if !errors.Is(err, twirpx.ErrInvalidConfig) || !errors.Is(err, pool.ErrInvalidConfig) || !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("New = %v, want twirpx's, transport's and pool's ErrInvalidConfig", err)
		}
		if want := "twirpx: invalid config: Config.Transport.Pool.MaxIdleConnsPerHost: pool: invalid config: "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("New = %v, want it to begin with %q", err, want)
		}
	})
}

func TestNewAcceptsGoodConfig(t *testing.T) {
	for _, cfg := range []twirpx.Config{
		{},
		{Methods: map[string]twirpx.MethodPolicy{"*": {Idempotent: true}, "S/*": {}, "S/M": {Timeout: 15 * time.Second}}},
		{Methods: map[string]twirpx.MethodPolicy{"S/M": {Timeout: time.Hour}}, Transport: transport.Config{Timeout: transport.TimeoutConfig{TotalOff: true}}},
		{TimeoutHeader: "X-Timeout", LimitPerMethod: true},
	} {
		c, err := twirpx.New(cfg)
		if err != nil {
			t.Fatalf("New(%+v): %v", cfg, err)
		}
		if c.HTTPClient() == nil || len(c.ClientOptions()) != 1 {
			t.Errorf("New(%+v) gives client %v with %d options, want a client and 1 option (no hooks)", cfg, c.HTTPClient(), len(c.ClientOptions()))
		}
		c.CloseIdleConnections()
	}
}

func TestDeadlineHandlerRejectsBadConfig(t *testing.T) {
	ok := http.NotFoundHandler()
	for _, tc := range []struct {
		name string
		next http.Handler
		cfg  twirpx.DeadlineConfig
	}{
		{"nil handler", nil, twirpx.DeadlineConfig{}},
		{"negative max", ok, twirpx.DeadlineConfig{Max: -time.Second}},
		{"bad header", ok, twirpx.DeadlineConfig{Header: "a:b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := twirpx.DeadlineHandler(tc.next, tc.cfg); h != nil || !errors.Is(err, twirpx.ErrInvalidConfig) {
				t.Errorf("DeadlineHandler = %v, %v; want ErrInvalidConfig", h, err)
			}
		})
	}
}

// idleCloser is a Base that counts CloseIdleConnections.
type idleCloser struct {
	http.RoundTripper
	closed int
}

func (b *idleCloser) CloseIdleConnections() { b.closed++ }

// The client's pool is the stack's own (Snapshot reports it), and a Base
// of the caller's still gets CloseIdleConnections.
func TestClientPoolAndBase(t *testing.T) {
	c, err := twirpx.New(twirpx.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Snapshot().Pool == nil {
		t.Error("Snapshot().Pool is nil: the stack's pool is not reported")
	}
	base := &idleCloser{RoundTripper: http.DefaultTransport}
	c, err = twirpx.New(twirpx.Config{Transport: transport.Config{Base: base}})
	if err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	if base.closed != 1 {
		t.Errorf("Base.CloseIdleConnections called %d times, want 1", base.closed)
	}
	if c.Snapshot().Pool != nil {
		t.Error("Snapshot().Pool is set for a Base of the caller's")
	}
}
