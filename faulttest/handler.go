package faulttest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Handler returns an http.Handler that injects the Injector's faults in
// front of next, for real servers (httptest.NewServer and the like): a Reset
// is a real TCP RST, a Truncate a real short body. See Phase for what each
// fault does on the server side.
//
// It is safe for concurrent use. A healthy request (no fault, no latency)
// allocates nothing beyond what next does. Call Injector.Close before closing
// the server, to release requests held by a Hang; NewServer does that for you.
func (in *Injector) Handler(next http.Handler) http.Handler {
	return &handler{in: in, next: next}
}

type handler struct {
	in   *Injector
	next http.Handler
}

var _ http.Handler = (*handler)(nil)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := h.in.decide()
	ph := d.ph
	ctx := r.Context()
	if d.wait(ctx) != nil {
		return // the client is gone
	}

	switch d.fault {
	case faultRefuse:
		ph.stats.refused.Add(1)
		abort(w, true)
		return
	case faultReset:
		ph.stats.reset.Add(1)
		abort(w, true)
		return
	case faultHang:
		ph.stats.hung.Add(1)
		if h.in.hang(ctx) == ErrClosed {
			abort(w, false)
		}
		return
	case faultStatus:
		ph.stats.status.Add(1)
		if ph.retryAfter != "" {
			w.Header().Set("Retry-After", ph.retryAfter)
		}
		http.Error(w, ph.statusBody[:len(ph.statusBody)-1], ph.statusCode)
		return
	}

	ph.stats.passed.Add(1)
	switch d.fault {
	case faultTruncate:
		rec := &recorder{w: w}
		h.next.ServeHTTP(rec, r)
		if rec.flushTruncated(r) {
			ph.stats.truncated.Add(1)
		}
	case faultSlow:
		ph.stats.slowed.Add(1)
		sw := &slowWriter{ResponseWriter: w, ctx: ctx, chunk: ph.slowChunk, delay: ph.slowDelay}
		h.next.ServeHTTP(sw, r)
		if sw.timer != nil {
			sw.timer.Stop()
		}
	default:
		h.next.ServeHTTP(w, r)
	}
}

// abort ends the connection without a response: hijacked and closed, with a
// TCP RST when rst is set. When w cannot be hijacked it panics with
// http.ErrAbortHandler, which net/http's server handles as an abort.
func abort(w http.ResponseWriter, rst bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if rst {
		if tc, ok := rawConn(conn).(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close now sends RST, not FIN
		}
	}
	_ = conn.Close()
}

// rawConn unwraps connections such as *tls.Conn down to the network one.
func rawConn(c net.Conn) net.Conn {
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return c
		}
		c = u.NetConn()
	}
}

// recorder buffers a response's body (headers go to the real writer's map)
// so that its length is known before anything is sent.
type recorder struct {
	w    http.ResponseWriter
	code int // 0 until WriteHeader or Write
	buf  bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.w.Header() }

func (rec *recorder) WriteHeader(code int) {
	switch {
	case rec.code != 0:
		// superfluous, as net/http would ignore it
	case code >= 100 && code < 200 && code != http.StatusSwitchingProtocols:
		rec.w.WriteHeader(code) // informational: sent at once
	default:
		rec.code = code
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return rec.buf.Write(p)
}

// Flush does nothing: the whole body is held until the handler returns.
func (rec *recorder) Flush() {}

// flushTruncated sends the recorded response with a Content-Length for the
// full body but only half the body, and reports whether it did. A response
// without a body to cut (HEAD, 1xx, 204, 304, an empty body) is sent whole.
func (rec *recorder) flushTruncated(r *http.Request) bool {
	code := rec.code
	if code == 0 {
		code = http.StatusOK
	}
	body := rec.buf.Bytes()
	if r.Method == http.MethodHead || !bodyAllowed(code) || len(body) == 0 {
		rec.w.WriteHeader(code)
		_, _ = rec.w.Write(body)
		return false
	}
	h := rec.w.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Transfer-Encoding")
	rec.w.WriteHeader(code)
	_, _ = rec.w.Write(body[:len(body)/2])
	return true
}

// slowWriter writes a body in pieces of at most chunk bytes, each written
// and flushed delay after the previous one, honouring ctx. Unwrap gives
// http.ResponseController (and so Hijack, deadlines…) the real writer.
type slowWriter struct {
	http.ResponseWriter
	ctx   context.Context
	chunk int
	delay time.Duration
	timer *time.Timer // created by the first wait
}

func (s *slowWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := waitTimer(s.ctx, &s.timer, s.delay); err != nil {
			return n, err
		}
		k := min(len(p), s.chunk)
		m, err := s.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		s.Flush()
		p = p[k:]
	}
	return n, nil
}

// Flush flushes the underlying writer, if it can.
func (s *slowWriter) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

// Unwrap returns the underlying writer, for http.ResponseController.
func (s *slowWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
