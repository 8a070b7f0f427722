package faulttest

import (
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
)

// RoundTripper returns an http.RoundTripper that injects the Injector's
// faults in front of next (nil means http.DefaultTransport). See Phase for
// what each fault does.
//
// It keeps the RoundTripper contract: it never modifies the request, closes
// the request body whenever it does not forward the request, returns HTTP
// statuses as responses, never as errors, and is safe for concurrent use. A
// healthy request (no fault, no latency) allocates nothing beyond what next
// does. It forwards CloseIdleConnections to next when next has it.
func (in *Injector) RoundTripper(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &roundTripper{in: in, next: next}
}

type roundTripper struct {
	in   *Injector
	next http.RoundTripper
}

var _ http.RoundTripper = (*roundTripper)(nil)

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	d := rt.in.decide()
	ph := d.ph
	ctx := req.Context()
	if err := d.wait(ctx); err != nil {
		closeBody(req)
		return nil, err
	}

	switch d.fault {
	case faultRefuse:
		ph.stats.refused.Add(1)
		closeBody(req)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: remoteAddr(req), Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	case faultReset:
		ph.stats.reset.Add(1)
		closeBody(req)
		return nil, &net.OpError{Op: "read", Net: "tcp", Addr: remoteAddr(req), Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case faultHang:
		ph.stats.hung.Add(1)
		err := rt.in.hang(ctx)
		closeBody(req)
		return nil, err
	case faultStatus:
		ph.stats.status.Add(1)
		closeBody(req)
		return ph.response(req), nil
	}

	ph.stats.passed.Add(1)
	resp, err := rt.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	switch d.fault {
	case faultTruncate:
		if req.Method == http.MethodHead || !bodyAllowed(resp.StatusCode) {
			break
		}
		var cut bool
		if resp.Body, cut = truncate(resp.Body, resp.ContentLength); cut {
			ph.stats.truncated.Add(1)
		}
	case faultSlow:
		resp.Body = &slowBody{rc: resp.Body, ctx: ctx, chunk: ph.slowChunk, delay: ph.slowDelay}
		ph.stats.slowed.Add(1)
	}
	return resp, nil
}

// CloseIdleConnections closes next's idle connections, if next can.
func (rt *roundTripper) CloseIdleConnections() {
	if c, ok := rt.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// response builds the Status fault's response to req.
func (ph *phase) response(req *http.Request) *http.Response {
	h := make(http.Header, 3)
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	if ph.retryAfter != "" {
		h["Retry-After"] = []string{ph.retryAfter}
	}
	resp := &http.Response{
		Status:     ph.statusLine,
		StatusCode: ph.statusCode,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       http.NoBody,
		Request:    req,
	}
	if req.Method != http.MethodHead && bodyAllowed(ph.statusCode) {
		resp.Body = io.NopCloser(strings.NewReader(ph.statusBody))
		resp.ContentLength = int64(len(ph.statusBody))
	}
	return resp
}

// bodyAllowed reports whether a response with this status may have a body
// (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// closeBody closes the body of a request that is not forwarded.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// remoteAddr is the address a dial for req would use, for error messages;
// nil when the URL has no host.
func remoteAddr(req *http.Request) net.Addr {
	if req.URL == nil || req.URL.Host == "" {
		return nil
	}
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
	}
	return hostAddr(net.JoinHostPort(host, port))
}

// hostAddr is a net.Addr for an unresolved host:port.
type hostAddr string

func (a hostAddr) Network() string { return "tcp" }
func (a hostAddr) String() string  { return string(a) }
