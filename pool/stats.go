package pool

import (
	"maps"
	"net"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OtherHosts is the key in [Stats.Hosts] under which hosts beyond
// Config.MaxTrackedHosts are counted together. The keys of http and https
// hosts always carry a port, so it cannot clash with one.
const OtherHosts = "other"

// Stats is a snapshot of a [Pool]'s connection statistics since it was
// created.
//
// Each count is one connection handed to a request by the transport: one
// per request, or more when net/http itself retries a request on a fresh
// connection after a reused one failed; a request that fails before it
// gets a connection (a refused dial, say) counts nothing. The counters are
// read one by one while requests run, so a snapshot taken under load may
// be off by the requests in flight.
type Stats struct {
	// Total sums Hosts.
	Total HostStats

	// Hosts holds the counts per host, keyed by the request URL's host
	// in canonical form: lower case, with the scheme's default port made
	// explicit ("api.example.com:443", "[::1]:8080"), whatever proxy the
	// connection goes through. A host appears once a request was sent to
	// it, even if none got a connection. Hosts beyond
	// Config.MaxTrackedHosts are summed under OtherHosts. The map is the
	// caller's.
	Hosts map[string]HostStats
}

// HostStats counts the connections that requests to one host were given.
type HostStats struct {
	// New counts connections used for the first time: each paid a TCP
	// handshake, and a TLS one for https. A connection that net/http
	// dialled but never used is not counted (it dials for a waiting
	// request, which may meanwhile take a connection that another request
	// freed; the new one then goes idle), so a server may count more.
	New uint64

	// Reused counts connections that had served a request before.
	Reused uint64

	// Idle counts the Reused connections that were idle when taken: for
	// HTTP/1, taken from the idle pool; for HTTP/2, with no other request
	// in flight on them (net/http may still count a request whose
	// response was just read as in flight). The rest of Reused were
	// HTTP/2 connections shared with requests in flight.
	Idle uint64

	// IdleTime sums how long the Idle connections had been idle. The mean
	// idle time, IdleTime/Idle, near IdleConnTimeout says that the pool
	// keeps more connections than the traffic needs.
	IdleTime time.Duration
}

// Conns returns New + Reused: the connections handed out.
func (h HostStats) Conns() uint64 { return h.New + h.Reused }

// add sums o into h.
func (h *HostStats) add(o HostStats) {
	h.New += o.New
	h.Reused += o.Reused
	h.Idle += o.Idle
	h.IdleTime += o.IdleTime
}

// hostEntry holds the counters of one host (or of OtherHosts) and the
// ClientTrace that feeds them. The trace is shared by every request to the
// host and never written after construction.
type hostEntry struct {
	trace     *httptrace.ClientTrace
	newConns  atomic.Uint64
	reused    atomic.Uint64
	idle      atomic.Uint64
	idleNanos atomic.Int64
}

func newHostEntry() *hostEntry {
	e := &hostEntry{}
	e.trace = &httptrace.ClientTrace{GotConn: e.gotConn}
	return e
}

// gotConn is the GotConn hook. The transport calls it on the goroutine of
// the request, before the request is written.
func (e *hostEntry) gotConn(info httptrace.GotConnInfo) {
	if !info.Reused {
		e.newConns.Add(1)
		return
	}
	e.reused.Add(1)
	if info.WasIdle {
		e.idle.Add(1)
		e.idleNanos.Add(int64(info.IdleTime))
	}
}

func (e *hostEntry) snapshot() HostStats {
	return HostStats{
		New:      e.newConns.Load(),
		Reused:   e.reused.Load(),
		Idle:     e.idle.Load(),
		IdleTime: time.Duration(e.idleNanos.Load()),
	}
}

// hostTable maps request URLs to their hosts' entries.
//
// The hot path, lookup, is one atomic load and one map read: the maps it
// reads are never written after they are published. A host not yet seen
// takes the slow path, under mu: its canonical name is computed, its entry
// found or made, and a copy of the map with the new key is published. The
// fast maps are keyed by URL.Host as the caller spelt it, one map per
// scheme (so that "example.com" over http and over https, ports 80 and
// 443, stay apart), and several spellings ("Example.com",
// "example.com:443") may share one entry. Their number is bounded by
// aliasCap, past which unseen spellings are counted under OtherHosts
// without taking the lock.
type hostTable struct {
	aliases  atomic.Pointer[aliasMaps] // read-only once published
	other    *hostEntry
	maxHosts int
	aliasCap int

	mu     sync.Mutex
	byName map[string]*hostEntry // canonical name -> entry; requires mu held
}

// aliasMaps maps URL.Host to entries, per scheme: http, https, others.
type aliasMaps struct {
	m [3]map[string]*hostEntry
	n int // keys in all three maps
}

func schemeIndex(scheme string) int {
	switch scheme { // url.Parse lower-cases the scheme
	case "http":
		return 0
	case "https":
		return 1
	}
	return 2
}

func newHostTable(maxHosts int) *hostTable {
	t := &hostTable{
		other:    newHostEntry(),
		maxHosts: maxHosts,
		aliasCap: 4 * maxHosts,
		byName:   make(map[string]*hostEntry),
	}
	t.aliases.Store(&aliasMaps{})
	return t
}

// lookup returns the entry for the URL's host.
func (t *hostTable) lookup(u *url.URL) *hostEntry {
	a := t.aliases.Load()
	if e, ok := a.m[schemeIndex(u.Scheme)][u.Host]; ok {
		return e
	}
	if a.n >= t.aliasCap {
		return t.other
	}
	return t.add(u)
}

// add is lookup's slow path.
func (t *hostTable) add(u *url.URL) *hostEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.aliases.Load()
	i := schemeIndex(u.Scheme)
	if e, ok := old.m[i][u.Host]; ok { // added while we waited for mu
		return e
	}
	if old.n >= t.aliasCap {
		return t.other
	}
	name := canonicalHost(u)
	e, ok := t.byName[name]
	if !ok {
		if len(t.byName) >= t.maxHosts {
			e = t.other
		} else {
			e = newHostEntry()
			t.byName[name] = e
		}
	}
	next := &aliasMaps{m: old.m, n: old.n + 1}
	next.m[i] = make(map[string]*hostEntry, len(old.m[i])+1)
	maps.Copy(next.m[i], old.m[i])
	next.m[i][u.Host] = e
	t.aliases.Store(next)
	return e
}

// snapshot returns the current Stats.
func (t *hostTable) snapshot() Stats {
	t.mu.Lock()
	s := Stats{Hosts: make(map[string]HostStats, len(t.byName)+1)}
	for name, e := range t.byName {
		s.Hosts[name] = e.snapshot()
	}
	t.mu.Unlock()
	if o := t.other.snapshot(); o != (HostStats{}) {
		s.Hosts[OtherHosts] = o
	}
	for _, h := range s.Hosts {
		s.Total.add(h)
	}
	return s
}

// canonicalHost returns u's host as "host:port", lower case, with the
// scheme's default port made explicit, as the transport keys its
// connections.
func canonicalHost(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		default:
			return host
		}
	}
	return net.JoinHostPort(host, port)
}
