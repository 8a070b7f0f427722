package pool_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/pool"
)

func funcPtr(f any) uintptr { return reflect.ValueOf(f).Pointer() }

func TestNewDefaults(t *testing.T) {
	for _, c := range []pool.Config{{}, pool.DefaultConfig()} {
		p := newPool(t, c)
		tr := p.Transport()
		d := pool.DefaultConfig()
		checks := []struct {
			field     string
			got, want any
		}{
			{"MaxIdleConnsPerHost", tr.MaxIdleConnsPerHost, 64},
			{"MaxConnsPerHost", tr.MaxConnsPerHost, 0},
			{"MaxIdleConns", tr.MaxIdleConns, 1024},
			{"IdleConnTimeout", tr.IdleConnTimeout, 90 * time.Second},
			{"TLSHandshakeTimeout", tr.TLSHandshakeTimeout, 5 * time.Second},
			{"ResponseHeaderTimeout", tr.ResponseHeaderTimeout, time.Duration(0)},
			{"ExpectContinueTimeout", tr.ExpectContinueTimeout, time.Second},
			{"ForceAttemptHTTP2", tr.ForceAttemptHTTP2, true},
			{"Protocols.HTTP1", tr.Protocols != nil && tr.Protocols.HTTP1(), true},
			{"Protocols.HTTP2", tr.Protocols != nil && tr.Protocols.HTTP2(), true},
			{"TLSClientConfig", tr.TLSClientConfig == nil, true},
			{"Proxy", funcPtr(tr.Proxy), funcPtr(http.ProxyFromEnvironment)},
			{"DialContext", tr.DialContext != nil, true},
			{"dialer Timeout", pool.DialerOf(p).Timeout, 5 * time.Second},
			{"dialer KeepAlive", pool.DialerOf(p).KeepAlive, 30 * time.Second},
			// DefaultConfig spells out the same values.
			{"DefaultConfig.MaxIdleConnsPerHost", d.MaxIdleConnsPerHost, tr.MaxIdleConnsPerHost},
			{"DefaultConfig.MaxIdleConns", d.MaxIdleConns, tr.MaxIdleConns},
			{"DefaultConfig.IdleConnTimeout", d.IdleConnTimeout, tr.IdleConnTimeout},
			{"DefaultConfig.DialTimeout", d.DialTimeout, pool.DialerOf(p).Timeout},
			{"DefaultConfig.KeepAlive", d.KeepAlive, pool.DialerOf(p).KeepAlive},
			{"DefaultConfig.TLSHandshakeTimeout", d.TLSHandshakeTimeout, tr.TLSHandshakeTimeout},
			{"DefaultConfig.ExpectContinueTimeout", d.ExpectContinueTimeout, tr.ExpectContinueTimeout},
			{"DefaultConfig.MaxTrackedHosts", d.MaxTrackedHosts, 1024},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
			}
		}
	}
}

func TestNewHonoursEachField(t *testing.T) {
	srv := newServer(t, "", nil)
	var dials, proxied atomic.Int64
	userTLS := &tls.Config{ServerName: "api.test", MinVersion: tls.VersionTLS13}
	c := pool.Config{
		MaxIdleConnsPerHost:   7,
		MaxConnsPerHost:       9,
		MaxIdleConns:          11,
		IdleConnTimeout:       13 * time.Second,
		DialTimeout:           17 * time.Second, // ignored: DialContext is set
		KeepAlive:             19 * time.Second, // ignored: DialContext is set
		TLSHandshakeTimeout:   23 * time.Second,
		ResponseHeaderTimeout: 29 * time.Second,
		ExpectContinueTimeout: 31 * time.Second,
		TLSClientConfig:       userTLS,
		DisableHTTP2:          true,
		Proxy: func(*http.Request) (*url.URL, error) {
			proxied.Add(1)
			return nil, nil
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	p := newPool(t, c)
	tr := p.Transport()
	checks := []struct {
		field     string
		got, want any
	}{
		{"MaxIdleConnsPerHost", tr.MaxIdleConnsPerHost, 7},
		{"MaxConnsPerHost", tr.MaxConnsPerHost, 9},
		{"MaxIdleConns", tr.MaxIdleConns, 11},
		{"IdleConnTimeout", tr.IdleConnTimeout, 13 * time.Second},
		{"TLSHandshakeTimeout", tr.TLSHandshakeTimeout, 23 * time.Second},
		{"ResponseHeaderTimeout", tr.ResponseHeaderTimeout, 29 * time.Second},
		{"ExpectContinueTimeout", tr.ExpectContinueTimeout, 31 * time.Second},
		{"ForceAttemptHTTP2", tr.ForceAttemptHTTP2, false},
		{"Protocols.HTTP1", tr.Protocols.HTTP1(), true},
		{"Protocols.HTTP2", tr.Protocols.HTTP2(), false},
		{"TLSClientConfig cloned", tr.TLSClientConfig != userTLS, true},
		{"TLSClientConfig.ServerName", tr.TLSClientConfig.ServerName, "api.test"},
		{"TLSClientConfig.MinVersion", tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS13)},
		{"default dialer", pool.DialerOf(p) == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	for range 3 {
		get(t, p, srv.URL)
	}
	if got := dials.Load(); got != 1 {
		t.Errorf("Config.DialContext called %d times for 3 sequential requests, want 1", got)
	}
	if got := proxied.Load(); got == 0 {
		t.Error("Config.Proxy never called")
	}

	// The default dialer takes DialTimeout and KeepAlive.
	p = newPool(t, pool.Config{DialTimeout: 3 * time.Second, KeepAlive: 4 * time.Second})
	if d := pool.DialerOf(p); d.Timeout != 3*time.Second || d.KeepAlive != 4*time.Second {
		t.Errorf("dialer Timeout %v, KeepAlive %v, want 3s, 4s", d.Timeout, d.KeepAlive)
	}
}

// The transport writes ALPN protocols into its TLS config: never into the
// caller's.
func TestNewDoesNotTouchCallersTLSConfig(t *testing.T) {
	srv := newServer(t, "h2", nil)
	userTLS := srv.clientTLS()
	before := append([]string(nil), userTLS.NextProtos...)
	p := newPool(t, pool.Config{TLSClientConfig: userTLS})
	if resp := get(t, p, srv.URL); resp.ProtoMajor != 2 {
		t.Fatalf("ProtoMajor %d, want 2", resp.ProtoMajor)
	}
	if !reflect.DeepEqual(userTLS.NextProtos, before) {
		t.Errorf("caller's NextProtos changed from %q to %q", before, userTLS.NextProtos)
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		c     pool.Config
		field string
	}{
		{pool.Config{MaxIdleConnsPerHost: -1}, "MaxIdleConnsPerHost"},
		{pool.Config{MaxConnsPerHost: -1}, "MaxConnsPerHost"},
		{pool.Config{MaxIdleConns: -1}, "MaxIdleConns"},
		{pool.Config{MaxTrackedHosts: -1}, "MaxTrackedHosts"},
		{pool.Config{IdleConnTimeout: -time.Second}, "IdleConnTimeout"},
		{pool.Config{DialTimeout: -time.Second}, "DialTimeout"},
		{pool.Config{KeepAlive: -time.Second}, "KeepAlive"},
		{pool.Config{TLSHandshakeTimeout: -time.Second}, "TLSHandshakeTimeout"},
		{pool.Config{ResponseHeaderTimeout: -time.Second}, "ResponseHeaderTimeout"},
		{pool.Config{ExpectContinueTimeout: -time.Second}, "ExpectContinueTimeout"},
		{pool.Config{MaxIdleConns: 10, MaxIdleConnsPerHost: 20}, "MaxIdleConns"},
	}
	for _, tt := range tests {
		p, err := pool.New(tt.c)
		if err == nil {
			p.CloseIdleConnections()
			t.Errorf("New(%+v) succeeded, want an error naming %s", tt.c, tt.field)
			continue
		}
		if !errors.Is(err, pool.ErrInvalidConfig) {
			t.Errorf("New(%+v): error %q does not wrap ErrInvalidConfig", tt.c, err)
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("New(%+v): error %q does not name %s", tt.c, err, tt.field)
		}
		if p != nil {
			t.Errorf("New(%+v) returned a Pool with an error", tt.c)
		}
	}
	// A zero idle limit follows the other one when the default would
	// contradict it.
	for _, tt := range []struct {
		c                pool.Config
		perHost, maxIdle int
	}{
		{pool.DefaultConfig(), 64, 1024},
		{pool.Config{MaxIdleConns: 64}, 64, 64},
		{pool.Config{MaxIdleConns: 10}, 10, 10},
		{pool.Config{MaxIdleConnsPerHost: 2000}, 2000, 2000},
		{pool.Config{MaxIdleConnsPerHost: 8}, 8, 1024},
		{pool.Config{MaxIdleConnsPerHost: 1, MaxIdleConns: 1, MaxConnsPerHost: 1}, 1, 1},
	} {
		p, err := pool.New(tt.c)
		if err != nil {
			t.Errorf("New(%+v) = %v, want no error", tt.c, err)
			continue
		}
		tr := p.Transport()
		if tr.MaxIdleConnsPerHost != tt.perHost || tr.MaxIdleConns != tt.maxIdle {
			t.Errorf("New(%+v): MaxIdleConnsPerHost %d, MaxIdleConns %d; want %d, %d",
				tt.c, tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tt.perHost, tt.maxIdle)
		}
		p.CloseIdleConnections()
	}
}
