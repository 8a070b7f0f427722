package faulttest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Default values of the Phase fields whose zero value means "default".
const (
	DefaultStatusCode = http.StatusServiceUnavailable // Phase.StatusCode
	DefaultSlowChunk  = 16                            // Phase.SlowChunk, in bytes
	DefaultSlowDelay  = 10 * time.Millisecond         // Phase.SlowDelay
)

// Phase is one stretch of an Injector's schedule and the faults it injects.
//
// Each request draws its latency and its fault independently: first the
// latency (applied first, see Latency), then at most one of the exclusive
// faults Refuse, Reset, Hang, Status, Truncate and SlowBody. Their
// probabilities are cumulative, in that order: with Refuse 0.1 and Reset 0.2,
// 10 % of the requests are refused, 20 % reset and 70 % go through. Each
// probability is in [0, 1] and their sum must not exceed 1.
//
// The zero Phase lasts forever (when last) and injects nothing. Every field
// says what its zero value means; a Phase is plain data, copied by New.
//
// The same fault looks as alike as possible on both sides of the wire; where
// a RoundTripper (Injector.RoundTripper) and a server (Injector.Handler)
// cannot do the same thing, the field says what each does.
type Phase struct {
	// Name names the phase in Injector.Phase and Stats.
	// Empty means "phase N", N its index in Config.Phases.
	Name string

	// Duration is how long the phase lasts, counted from the end of the
	// previous one. 0 means forever and is allowed on the last phase only.
	Duration time.Duration

	// Latency delays requests before their fault (or before forwarding
	// them). The wait honours the request's context: when it ends first, a
	// RoundTripper returns ctx.Err() and a Handler returns without writing.
	// The zero value adds no latency.
	Latency Latency

	// Refuse is the probability of a refused connection.
	//
	// RoundTripper: returns the error a dial to a closed port returns,
	// &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall:
	// "connect", Err: syscall.ECONNREFUSED}}, without calling next, so
	// errors.Is(err, syscall.ECONNREFUSED) holds and the request provably
	// never reached the server.
	//
	// Handler: a server cannot refuse a connection it has already accepted,
	// so it resets the connection exactly like Reset (it still counts in
	// Stats.Refused).
	Refuse float64

	// Reset is the probability of a connection reset.
	//
	// RoundTripper: returns the error reading a reset connection returns,
	// &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall:
	// "read", Err: syscall.ECONNRESET}} ("connection reset by peer"),
	// without calling next.
	//
	// Handler: a real TCP RST: the connection is hijacked, its linger set
	// to 0 and closed, so the client reads ECONNRESET. A ResponseWriter that
	// cannot be hijacked (HTTP/2, httptest.ResponseRecorder) gets
	// panic(http.ErrAbortHandler) instead, which net/http's server turns
	// into an aborted connection or stream.
	Reset float64

	// Hang is the probability that the request never gets an answer.
	//
	// RoundTripper: blocks until the request's context ends and returns
	// ctx.Err(), or until Injector.Close and returns ErrClosed; next is not
	// called.
	//
	// Handler: blocks until the request's context ends (the client gave up
	// or the connection closed) and returns without writing, or until
	// Injector.Close and then aborts the connection without a response.
	Hang float64

	// Status is the probability of an injected error response: StatusCode
	// with a short text body and, when RetryAfter is set, a Retry-After
	// header. next is not called.
	Status float64

	// StatusCode is the status of the Status fault; it must be in
	// [100, 999] when Status > 0. 0 means DefaultStatusCode (503).
	StatusCode int

	// RetryAfter is the Retry-After header value of the Status fault, as
	// delta-seconds ("2") or an HTTP-date. Empty means no header.
	RetryAfter string

	// Truncate is the probability that the response body is cut short.
	// next is called (the request counts in Stats.Passed) and the body ends
	// with io.ErrUnexpectedEOF after half its bytes.
	//
	// RoundTripper: wraps the response body; when the response has no
	// Content-Length, the body is read in full first to learn its length.
	//
	// Handler: buffers next's response, declares the Content-Length of the
	// full body, writes half and returns; net/http then closes the
	// connection and the client reads io.ErrUnexpectedEOF.
	//
	// Responses without a body (HEAD, 1xx, 204, 304, empty bodies) cannot be
	// truncated: they pass through unchanged and do not count in
	// Stats.Truncated.
	Truncate float64

	// SlowBody is the probability that the response body is delivered
	// slowly: next is called (the request counts in Stats.Passed) and the
	// body comes in pieces of at most SlowChunk bytes, each one SlowDelay
	// after the previous one. Waits honour the request's context.
	//
	// RoundTripper: each Read of the response body returns at most
	// SlowChunk bytes, SlowDelay after it asked for them.
	//
	// Handler: each write of next is cut into SlowChunk pieces, each
	// written and flushed after SlowDelay (the body streams; nothing is
	// buffered). A write whose request context ends returns ctx.Err().
	SlowBody float64

	// SlowChunk is the most bytes SlowBody delivers at a time.
	// 0 means DefaultSlowChunk (16 bytes).
	SlowChunk int

	// SlowDelay is the wait before each SlowBody piece.
	// 0 means DefaultSlowDelay (10ms).
	SlowDelay time.Duration
}

// fault is one of the exclusive faults, drawn per request.
type fault uint8

const (
	faultNone fault = iota
	faultRefuse
	faultReset
	faultHang
	faultStatus
	faultTruncate
	faultSlow
	numFaults
)

// phase is a validated Phase with its defaults applied and its counters.
// It is never copied after New (it holds atomics).
type phase struct {
	name string
	end  time.Duration // offset from the schedule start where it ends; 0 = never

	latP float64
	dist Distribution

	// cum[i] is the cumulative probability of faults 1..i+1 (Refuse first).
	cum [numFaults - 1]float64

	statusCode int
	statusLine string // "503 Service Unavailable"
	statusBody string // the text body of the Status fault
	retryAfter string

	slowChunk int
	slowDelay time.Duration

	stats counters
}

// pick maps u, uniform in [0, 1), to a fault.
func (ph *phase) pick(u float64) fault {
	for i, c := range ph.cum {
		if u < c {
			return fault(i + 1)
		}
	}
	return faultNone
}

// sumTolerance absorbs float rounding in the sum of the exclusive faults
// (0.1+0.2+0.7 is 1.0000000000000002).
const sumTolerance = 1e-9

// compile validates p, the i-th of n phases, and fills ph.
func (p *Phase) compile(i, n int, ph *phase) error {
	name := p.Name
	if name == "" {
		name = "phase " + strconv.Itoa(i)
	}
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("%w: phase %d (%q): %s: %s", ErrInvalidConfig, i, name, field, fmt.Sprintf(format, args...))
	}
	prob := func(field string, v float64) error {
		if !(v >= 0 && v <= 1) { // also rejects NaN
			return bad(field, "%v is not a probability in [0, 1]", v)
		}
		return nil
	}

	switch {
	case p.Duration < 0:
		return bad("Duration", "%v is negative", p.Duration)
	case p.Duration == 0 && i < n-1:
		return bad("Duration", "0 (forever) is allowed on the last phase only")
	}
	if err := prob("Latency.P", p.Latency.P); err != nil {
		return err
	}
	if v, ok := p.Latency.Dist.(validator); ok {
		if err := v.validate(); err != nil {
			return bad("Latency.Dist", "%v", err)
		}
	}

	probs := [numFaults - 1]struct {
		field string
		v     float64
	}{
		{"Refuse", p.Refuse},
		{"Reset", p.Reset},
		{"Hang", p.Hang},
		{"Status", p.Status},
		{"Truncate", p.Truncate},
		{"SlowBody", p.SlowBody},
	}
	sum := 0.0
	for k, f := range probs {
		if err := prob(f.field, f.v); err != nil {
			return err
		}
		sum += f.v
		ph.cum[k] = sum
	}
	if sum > 1+sumTolerance {
		return bad("Refuse+Reset+Hang+Status+Truncate+SlowBody", "the exclusive faults sum to %v, more than 1", sum)
	}

	code := p.StatusCode
	if code == 0 {
		code = DefaultStatusCode
	}
	if p.Status > 0 && (code < 100 || code > 999) {
		return bad("StatusCode", "%d is not in [100, 999]", p.StatusCode)
	}
	for _, c := range p.RetryAfter {
		if c < ' ' || c == 0x7f {
			return bad("RetryAfter", "%q holds a control character", p.RetryAfter)
		}
	}
	switch {
	case p.SlowChunk < 0:
		return bad("SlowChunk", "%d is negative", p.SlowChunk)
	case p.SlowDelay < 0:
		return bad("SlowDelay", "%v is negative", p.SlowDelay)
	}

	ph.name = name
	ph.latP = p.Latency.P
	ph.dist = p.Latency.Dist
	ph.statusCode = code
	ph.statusLine = strconv.Itoa(code)
	if text := http.StatusText(code); text != "" {
		ph.statusLine += " " + text
	}
	ph.statusBody = "faulttest: injected " + ph.statusLine + "\n"
	ph.retryAfter = p.RetryAfter
	ph.slowChunk = p.SlowChunk
	if ph.slowChunk == 0 {
		ph.slowChunk = DefaultSlowChunk
	}
	ph.slowDelay = p.SlowDelay
	if ph.slowDelay == 0 {
		ph.slowDelay = DefaultSlowDelay
	}
	return nil
}

// schedule compiles the phases and their end offsets.
func schedule(ps []Phase) ([]phase, error) {
	if len(ps) == 0 {
		return nil, fmt.Errorf("%w: Phases: at least one phase is required", ErrInvalidConfig)
	}
	out := make([]phase, len(ps))
	var end time.Duration
	for i := range ps {
		if err := ps[i].compile(i, len(ps), &out[i]); err != nil {
			return nil, err
		}
		if d := ps[i].Duration; d > 0 {
			if end > math.MaxInt64-d {
				return nil, fmt.Errorf("%w: phase %d (%q): Duration: the schedule overflows", ErrInvalidConfig, i, out[i].name)
			}
			end += d
			out[i].end = end
		}
	}
	return out, nil
}

// phaseAt returns the phase in force elapsed after the schedule's start.
// Before the start (a clock that went back) it is the first phase; after the
// end of a schedule whose phases all have a Duration, the last.
func phaseAt(phases []phase, elapsed time.Duration) *phase {
	for i := range phases {
		if ph := &phases[i]; ph.end == 0 || elapsed < ph.end {
			return ph
		}
	}
	return &phases[len(phases)-1]
}
