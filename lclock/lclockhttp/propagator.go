package lclockhttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"sync/atomic"

	"github.com/resilient-go/resilient/lclock"
)

// DefaultHeader is the header that carries a stamp, on requests and on
// responses alike, when [Config.Header] is empty. Its value is the clock's
// text form: "1764190881123.00007" (milliseconds since the Unix epoch, a
// dot, a logical counter) for an HLC, "42" for a Lamport clock.
const DefaultHeader = "Lclock-Stamp"

// maxValueLen bounds the header values that are parsed at all: the longest
// valid stamp is 21 bytes ("281474976710655.65535"); anything much longer
// is garbage, rejected before it is scanned.
const maxValueLen = 32

// ErrInvalidConfig is wrapped by every error that [New] returns for a bad
// configuration; it is [lclock.ErrInvalidConfig], so either name matches.
var ErrInvalidConfig = lclock.ErrInvalidConfig

// ErrMissing is returned by [Propagator.Extract] when the header carries no
// stamp: the peer does not propagate one (yet).
var ErrMissing = errors.New("lclockhttp: no stamp header")

// Config configures a [Propagator]; [New] builds one. The zero Config is
// the recommended default: a fresh HLC and the [DefaultHeader].
type Config struct {
	// Clock is the process's logical clock: every request and response is
	// stamped with it and every received stamp witnessed by it. Share it
	// with the log handler (lclock.HandlerConfig.Clock) so that log lines
	// are ordered with the calls. Nil means a new [lclock.HLC] with the
	// zero lclock.Config; [Propagator.Clock] returns it.
	Clock lclock.Clock

	// Header is the name of the header that carries stamps. Empty means
	// [DefaultHeader]. It must be a valid HTTP header name; it is
	// canonicalised. Every service of a fleet must use the same name and
	// the same kind of clock.
	Header string
}

// Propagator carries a logical clock's stamps on HTTP calls: its
// [Propagator.Middleware] stamps client requests and witnesses responses,
// its [Propagator.Handler] witnesses server requests and stamps responses.
// One Propagator serves both sides of a process, and is safe for
// concurrent use.
//
// Received values that are not stamps (garbage, a sign, too long, a stamp
// of another kind) are ignored and counted, and so are stamps too far
// ahead (the clock refuses them, see [lclock.ErrAhead]); neither ever fails
// a call. Each receipt is still recorded as an event of the local clock.
type Propagator struct {
	clock     lclock.Clock
	header    string
	missing   atomic.Uint64
	malformed atomic.Uint64
	rejected  atomic.Uint64
}

// Stats counts what a [Propagator] received that it could not use. Its
// counters only grow.
type Stats struct {
	// Missing counts requests and responses that carried no stamp header.
	Missing uint64

	// Malformed counts header values that were not stamps of the clock's
	// kind, and were ignored.
	Malformed uint64

	// Rejected counts stamps that the clock refused as too far ahead
	// (lclock.ErrAhead).
	Rejected uint64
}

// New returns a Propagator configured by c, or an error wrapping
// [ErrInvalidConfig].
func New(c Config) (*Propagator, error) {
	if c.Clock == nil {
		c.Clock = new(lclock.HLC)
	}
	if c.Header == "" {
		c.Header = DefaultHeader
	}
	if !validHeaderName(c.Header) {
		return nil, fmt.Errorf("%w: Header %q is not a valid HTTP header name", ErrInvalidConfig, c.Header)
	}
	return &Propagator{clock: c.Clock, header: textproto.CanonicalMIMEHeaderKey(c.Header)}, nil
}

// Clock returns the clock that p stamps with.
func (p *Propagator) Clock() lclock.Clock { return p.clock }

// Header returns the canonical name of the header that carries stamps.
func (p *Propagator) Header() string { return p.header }

// Stats returns p's counters.
func (p *Propagator) Stats() Stats {
	return Stats{Missing: p.missing.Load(), Malformed: p.malformed.Load(), Rejected: p.rejected.Load()}
}

// Inject records a send event and sets its stamp in h, replacing any value
// there. It returns the stamp. Middleware and Handler call it; it is
// exported for other carriers of HTTP headers.
func (p *Propagator) Inject(h http.Header) lclock.Stamp {
	s := p.clock.Tick()
	var buf [maxValueLen]byte
	h[p.header] = []string{string(p.clock.AppendStamp(buf[:0], s))}
	return s
}

// Extract records the receipt of a message whose headers are h: it
// witnesses the stamp h carries and returns the receive event's stamp.
// When h carries no stamp ([ErrMissing]), a malformed one
// ([lclock.ErrMalformed]) or one too far ahead ([lclock.ErrAhead]), the
// receipt is recorded as a local event, counted, and its stamp returned
// with the error; the stamp is valid in every case. Only the first value
// of the header is read.
func (p *Propagator) Extract(h http.Header) (lclock.Stamp, error) {
	vs := h[p.header]
	if len(vs) == 0 {
		p.missing.Add(1)
		return p.clock.Tick(), ErrMissing
	}
	v := vs[0]
	if len(v) > maxValueLen {
		p.malformed.Add(1)
		return p.clock.Tick(), lclock.ErrMalformed
	}
	m, err := p.clock.ParseStamp(v)
	if err != nil {
		p.malformed.Add(1)
		return p.clock.Tick(), err
	}
	s, err := p.clock.Witness(m)
	if err != nil {
		p.rejected.Add(1)
	}
	return s, err
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}
