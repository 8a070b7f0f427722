package promx

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/internal/keymap"
)

// lazyCounter is one child of a CounterVec, resolved on first use: a label
// set appears in the exposition once it has happened (no rows of zeros for
// outcomes a host never had), and from then on an increment costs one
// atomic load, where WithLabelValues would hash the labels on every call.
type lazyCounter struct {
	p atomic.Pointer[prometheus.Counter]
}

// get returns the counter, resolving it with vec and lvs the first time.
func (l *lazyCounter) get(vec *prometheus.CounterVec, lvs ...string) prometheus.Counter {
	if c := l.p.Load(); c != nil {
		return *c
	}
	c := vec.WithLabelValues(lvs...)
	l.p.CompareAndSwap(nil, &c)
	return *l.p.Load()
}

// codeClasses are the values of the attempts' code label, by index of
// codeClass.
var codeClasses = [...]string{"error", "1xx", "2xx", "3xx", "4xx", "5xx", "other"}

// codeClass returns the index in codeClasses of an attempt's result.
func codeClass(status int, err error) int {
	switch {
	case err != nil || status == 0:
		return 0
	case status >= 100 && status < 600:
		return status / 100
	}
	return len(codeClasses) - 1
}

// lazyObserver is lazyCounter's twin for one child of a HistogramVec.
type lazyObserver struct {
	p atomic.Pointer[prometheus.Observer]
}

func (l *lazyObserver) get(vec *prometheus.HistogramVec, lvs ...string) prometheus.Observer {
	if o := l.p.Load(); o != nil {
		return *o
	}
	o := vec.WithLabelValues(lvs...)
	l.p.CompareAndSwap(nil, &o)
	return *l.p.Load()
}

// hostMetrics holds one host's hot-path series, each resolved on first use.
type hostMetrics struct {
	label    string
	calls    [len(callOutcomes)]lazyCounter
	attempts [len(codeClasses)]lazyCounter
	duration lazyObserver
}

// hostTable maps a request's host to its hostMetrics. Lookups take no
// lock and allocate nothing; the first MaxHosts hosts get their own
// metrics, the others share those of OtherHost.
type hostTable struct {
	hosts *keymap.Map[string, *hostMetrics]
	other *hostMetrics
}

func newHostTable(max int) *hostTable {
	return &hostTable{
		hosts: keymap.New(keymap.Config[string, *hostMetrics]{
			Max: max,
			New: func(host string) (*hostMetrics, error) { return &hostMetrics{label: host}, nil },
		}),
		other: &hostMetrics{label: OtherHost},
	}
}

// get returns host's metrics, or those of OtherHost once MaxHosts hosts
// have their own.
func (t *hostTable) get(host string) *hostMetrics {
	if host == OtherHost {
		// A host named "other" shares the overflow's series rather than
		// having two children with one label set.
		return t.other
	}
	h, err := t.hosts.LoadOrNew(host)
	if err != nil { // keymap.ErrFull
		return t.other
	}
	return h
}

// label returns the host label that host's events are counted under.
func (t *hostTable) label(host string) string {
	return t.get(host).label
}
