package faulttest

import (
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// Phase is one stretch of an Injector's schedule and the faults it injects.
//
// Each request draws its latency and its fault independently: first the
// latency (applied first, see Latency), then at most one of the exclusive
// faults Refuse, Reset, Hang, Status, Truncate and SlowBody. Their
// probabilities are cumulative, in that order: with Refuse 0.1 and Reset
// 0.2, 10 % of the requests are refused, 20 % reset and 70 % go through.
// Each probability is in [0, 1] and their sum must not exceed 1.
//
// The zero Phase lasts forever (when last) and injects nothing. Every field
// says what its zero value means; a Phase is plain data, copied by New.
type Phase struct {
	// Name names the phase in Injector.Phase and Stats. Empty means
	// "phase N", N its index in Config.Phases.
	Name string

	// Duration is how long the phase lasts, counted from the end of the
	// previous one. 0 means forever and is allowed on the last phase only.
	Duration time.Duration

	// Latency delays requests before their fault (or before forwarding
	// them). The wait honours the request's context: when it ends first,
	// a RoundTripper returns ctx.Err() and a Handler returns without
	// writing. The zero value adds no latency.
	Latency Latency

	// Refuse is the probability of a refused connection. RoundTripper:
	// the error a dial to a closed port gives (a *net.OpError wrapping
	// syscall.ECONNREFUSED), without calling next, so the request
	// provably never reached the server. Handler: a server cannot refuse
	// a connection it has accepted, so it resets it, as Reset does.
	Refuse float64

	// Reset is the probability of a connection reset. RoundTripper: the
	// error reading a reset connection gives (a *net.OpError wrapping
	// syscall.ECONNRESET), without calling next. Handler: a real TCP RST
	// (the connection is hijacked, its linger set to 0 and closed); a
	// ResponseWriter that cannot be hijacked (HTTP/2, a ResponseRecorder)
	// gets panic(http.ErrAbortHandler) instead.
	Reset float64

	// Hang is the probability that the request never gets an answer:
	// it waits until its context ends (RoundTripper: returns ctx.Err())
	// or until Injector.Close (RoundTripper: returns ErrClosed; Handler:
	// aborts the connection). next is not called.
	Hang float64

	// Status is the probability of an injected error response: StatusCode
	// with a short text body and, when RetryAfter is set, a Retry-After
	// header. next is not called.
	Status float64

	// StatusCode is the status of the Status fault, in [100, 999] when
	// Status > 0. 0 means DefaultStatusCode (503).
	StatusCode int

	// RetryAfter is the Retry-After header of the Status fault, as
	// delta-seconds ("2") or an HTTP-date. Empty means no header.
	RetryAfter string

	// Truncate is the probability that the response body is cut short:
	// next is called and the body ends with io.ErrUnexpectedEOF after half
	// its bytes. Responses without a body pass through unchanged.
	Truncate float64

	// SlowBody is the probability that the response body trickles in:
	// next is called and the body comes in pieces of at most SlowChunk
	// bytes, each SlowDelay after the previous one. Waits honour the
	// request's context.
	SlowBody float64

	// SlowChunk is the most bytes SlowBody delivers at a time. 0 means
	// DefaultSlowChunk (16 bytes).
	SlowChunk int

	// SlowDelay is the wait before each SlowBody piece. 0 means
	// DefaultSlowDelay (10ms).
	SlowDelay time.Duration
}

// chaos converts p to the engine's Phase, field for field.
func (p Phase) chaos() chaos.Phase {
	return chaos.Phase{
		Name:       p.Name,
		Duration:   p.Duration,
		Latency:    chaos.Latency{P: p.Latency.P, Dist: p.Latency.Dist},
		Refuse:     p.Refuse,
		Reset:      p.Reset,
		Hang:       p.Hang,
		Status:     p.Status,
		StatusCode: p.StatusCode,
		RetryAfter: p.RetryAfter,
		Truncate:   p.Truncate,
		SlowBody:   p.SlowBody,
		SlowChunk:  p.SlowChunk,
		SlowDelay:  p.SlowDelay,
	}
}
