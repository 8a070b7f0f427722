package pool

import (
	"net"
	"net/http"
	"net/http/httptrace"
)

// Exported for the external tests.

var WithTrace = withTrace

func TraceKeyLearnt() bool { return traceKey != nil }

func DialerOf(p *Pool) *net.Dialer { return p.dialer }

// StatsOverhead does what RoundTrip adds to the transport's work for req:
// the traced copy, and the GotConn hook the transport then calls.
func StatsOverhead(p *Pool, req *http.Request) *http.Request {
	r2 := p.traced(req)
	if t := httptrace.ContextClientTrace(r2.Context()); t != nil {
		t.GotConn(httptrace.GotConnInfo{Reused: true, WasIdle: true, IdleTime: 1})
	}
	return r2
}
