package lclock

import (
	"context"
	"log/slog"
	"slices"
)

// Default keys of the attributes a [Handler] adds.
const (
	DefaultStampKey   = "lclock"
	DefaultServiceKey = "service"
)

// HandlerConfig configures a [Handler]; [NewHandler] builds one.
type HandlerConfig struct {
	// Clock stamps every record. It is required (nil is an error): use the
	// clock that propagation uses (lclockhttp.Config.Clock), or the log
	// lines will not merge with other services' in causal order.
	Clock Clock

	// Service names this service in every record, so that merged logs say
	// where each line came from. Empty means no service attribute.
	Service string

	// StampKey is the key of the stamp attribute. Empty means
	// [DefaultStampKey], "lclock".
	StampKey string

	// ServiceKey is the key of the service attribute. Empty means
	// [DefaultServiceKey], "service".
	ServiceKey string
}

// Handler is a log/slog handler that stamps every record with a logical
// time and a service name, then passes it to the handler it wraps. Each
// record is an event: Handle calls Clock.Tick, so a process's own lines
// are strictly ordered, and a line logged after a request was received
// (or a reply witnessed) is ordered after the sender's lines logged
// before it sent. Merge the logs of several services by the stamp
// attribute (see the logmerge command) to read them in causal order.
//
// The stamp is a string attribute in the clock's text form
// ([AppendHLC] or [AppendLamport]), not a JSON number: an HLC stamp does
// not fit the 53 bits that JavaScript and many log stores keep of a
// number. The stamp and service attributes are always at the top level of
// the record, even under WithGroup, so that a merge finds them.
type Handler struct {
	next       slog.Handler // with every attribute added before the first group
	clock      Clock
	stampKey   string
	serviceKey string
	service    string
	groups     []group // open groups, outermost first, with their attributes
}

// group is a group opened by WithGroup and the attributes added inside it.
type group struct {
	name  string
	attrs []slog.Attr
}

// NewHandler returns a Handler that stamps records and passes them to
// next, or an error wrapping [ErrInvalidConfig] when next or c.Clock is
// nil.
func NewHandler(next slog.Handler, c HandlerConfig) (*Handler, error) {
	if next == nil {
		return nil, invalid("next handler is nil")
	}
	if c.Clock == nil {
		return nil, invalid("HandlerConfig.Clock is nil")
	}
	if c.StampKey == "" {
		c.StampKey = DefaultStampKey
	}
	if c.ServiceKey == "" {
		c.ServiceKey = DefaultServiceKey
	}
	return &Handler{next: next, clock: c.Clock, stampKey: c.StampKey, serviceKey: c.ServiceKey, service: c.Service}, nil
}

// Enabled reports whether the wrapped handler handles records of level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle ticks the clock and passes the record, with the stamp and
// service attributes first, to the wrapped handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	s := h.clock.Tick()
	var buf [32]byte
	stamp := slog.String(h.stampKey, string(h.clock.AppendStamp(buf[:0], s)))

	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(stamp)
	if h.service != "" {
		out.AddAttrs(slog.String(h.serviceKey, h.service))
	}
	if len(h.groups) == 0 {
		r.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
		return h.next.Handle(ctx, out)
	}
	// Nest the record's attributes in the open groups, innermost last, as
	// the wrapped handler would have done had we passed WithGroup on.
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	for i := len(h.groups) - 1; i >= 0; i-- {
		g := h.groups[i]
		inner := append(slices.Clip(g.attrs), attrs...)
		if len(inner) == 0 {
			attrs = nil // an empty group is omitted, as slog does
			continue
		}
		attrs = []slog.Attr{{Key: g.name, Value: slog.GroupValue(inner...)}}
	}
	out.AddAttrs(attrs...)
	return h.next.Handle(ctx, out)
}

// WithAttrs returns a Handler whose records carry attrs as well.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	if len(h.groups) == 0 {
		h2.next = h.next.WithAttrs(attrs)
		return &h2
	}
	h2.groups = slices.Clone(h.groups)
	last := &h2.groups[len(h2.groups)-1]
	last.attrs = append(slices.Clip(last.attrs), attrs...)
	return &h2
}

// WithGroup returns a Handler that puts the records' attributes (but not
// the stamp and service) in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(slices.Clip(h.groups), group{name: name})
	return &h2
}

var _ slog.Handler = (*Handler)(nil)
