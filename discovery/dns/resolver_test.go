package dns_test

import (
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/discovery/dns"
)

// zone is an in-process DNS server on 127.0.0.1 whose records the test
// changes while the resolver runs.
type zone struct {
	addr string

	mu     sync.Mutex
	a      map[string][]string // name -> IPv4 addresses
	srv    map[string][]*mdns.SRV
	ttl    uint32
	silent bool // drop every query: a server that stops answering
	asked  chan struct{}
}

func newZone(t *testing.T) *zone {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	z := &zone{addr: pc.LocalAddr().String(), a: map[string][]string{}, srv: map[string][]*mdns.SRV{}, ttl: 30, asked: make(chan struct{}, 1)}
	started := make(chan struct{})
	s := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(z.serve), NotifyStartedFunc: func() { close(started) }}
	go func() { _ = s.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = s.Shutdown() })
	return z
}

func (z *zone) set(f func(z *zone)) {
	z.mu.Lock()
	defer z.mu.Unlock()
	f(z)
}

func (z *zone) serve(w mdns.ResponseWriter, req *mdns.Msg) {
	z.mu.Lock()
	defer z.mu.Unlock()
	select {
	case z.asked <- struct{}{}:
	default:
	}
	if z.silent {
		return
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	hdr := func(t uint16) mdns.RR_Header {
		return mdns.RR_Header{Name: q.Name, Rrtype: t, Class: mdns.ClassINET, Ttl: z.ttl}
	}
	switch q.Qtype {
	case mdns.TypeA:
		for _, ip := range z.a[q.Name] {
			m.Answer = append(m.Answer, &mdns.A{Hdr: hdr(mdns.TypeA), A: net.ParseIP(ip)})
		}
	case mdns.TypeSRV:
		for _, s := range z.srv[q.Name] {
			rr := *s
			rr.Hdr = hdr(mdns.TypeSRV)
			m.Answer = append(m.Answer, &rr)
		}
	}
	if len(m.Answer) == 0 && q.Qtype != mdns.TypeAAAA {
		m.Rcode = mdns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

func TestResolverARecordsRefreshOnTTLAndSurviveAnOutage(t *testing.T) {
	z := newZone(t)
	z.set(func(z *zone) { z.a["users.test."] = []string{"10.0.0.2", "10.0.0.1"}; z.ttl = 7 })
	clock := newManualClock()
	errs := make(chan *discovery.ResolveError, 8)
	d, err := dns.New(dns.Config{
		Name: "users.test", Port: 8080, Server: z.addr,
		Timeout:     200 * time.Millisecond,
		MinInterval: time.Second, MaxInterval: time.Minute,
		After: clock.After,
		Hooks: discovery.Hooks{OnError: func(e *discovery.ResolveError) { errs <- e }},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := newRecorder()
	d.Subscribe(r.fn)
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.1:8080", "10.0.0.2:8080"}) {
		t.Fatalf("first set %v (sorted by address)", got)
	}

	// The next resolution waits for the TTL.
	w := clock.next(t)
	if w.d != 7*time.Second {
		t.Fatalf("refresh after %v, want the 7s TTL", w.d)
	}
	z.set(func(z *zone) { z.a["users.test."] = []string{"10.0.0.3"}; z.ttl = 1 })
	w.fire <- time.Time{}
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.3:8080"}) {
		t.Fatalf("after the change %v", got)
	}
	// A TTL below MinInterval is raised to it.
	if w = clock.next(t); w.d != time.Second {
		t.Fatalf("refresh after %v, want MinInterval 1s", w.d)
	}

	// The server stops answering: the set stays, the hook says why, and
	// the retries back off.
	z.set(func(z *zone) { z.silent = true })
	w.fire <- time.Time{}
	for i, want := range []time.Duration{time.Second, 2 * time.Second} {
		var e *discovery.ResolveError
		select {
		case e = <-errs:
		case <-time.After(10 * time.Second):
			t.Fatal("no error reported")
		}
		if e.Kept != 1 || e.Failures != i+1 || e.Retry != want {
			t.Fatalf("failure %d reported as %+v", i+1, e)
		}
		var ne net.Error
		if !errors.As(e, &ne) || !ne.Timeout() {
			t.Fatalf("failure %d: %v, want a timeout", i+1, e.Err)
		}
		w = clock.next(t)
		if w.d != want {
			t.Fatalf("retry after %v, want %v", w.d, want)
		}
		if i == 0 {
			w.fire <- time.Time{}
		}
	}
	if got := d.Current(); len(got) != 1 || got[0].Addr != "10.0.0.3:8080" {
		t.Fatalf("current %v, want the last good set", got)
	}
	r.none(t)

	// Back: the new set arrives.
	z.set(func(z *zone) { z.silent = false; z.a["users.test."] = []string{"10.0.0.4"} })
	w.fire <- time.Time{}
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.4:8080"}) {
		t.Fatalf("after recovery %v", got)
	}
}

func TestResolverSRVRecordsWithWeightsAndPriorities(t *testing.T) {
	z := newZone(t)
	srv := func(prio, weight, port uint16, target string) *mdns.SRV {
		return &mdns.SRV{Priority: prio, Weight: weight, Port: port, Target: target}
	}
	z.set(func(z *zone) {
		z.a["a.test."] = []string{"10.0.0.1"}
		z.a["b.test."] = []string{"10.0.0.2"}
		z.a["backup.test."] = []string{"10.0.0.9"}
		z.srv["_http._tcp.users.test."] = []*mdns.SRV{
			srv(10, 3, 8081, "a.test."), srv(10, 1, 8082, "b.test."), srv(20, 1, 80, "backup.test."),
		}
		z.ttl = 20
	})
	clock := newManualClock()
	d, err := dns.New(dns.Config{
		Name: "_http._tcp.users.test", SRV: true, Server: z.addr,
		Timeout: 200 * time.Millisecond, MinInterval: time.Second,
		After: clock.After,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := d.Current()
	want := []discovery.Endpoint{{Addr: "10.0.0.1:8081", Weight: 3}, {Addr: "10.0.0.2:8082", Weight: 1}}
	if !discovery.Equal(got, want) {
		t.Fatalf("SRV set %+v, want %+v (lowest priority only)", got, want)
	}
	w := clock.next(t)
	if w.d != 20*time.Second {
		t.Fatalf("refresh after %v, want the 20s TTL", w.d)
	}
	// The primary records go away: the backup priority takes over.
	r := newRecorder()
	d.Subscribe(r.fn)
	r.next(t)
	z.set(func(z *zone) { z.srv["_http._tcp.users.test."] = z.srv["_http._tcp.users.test."][2:] })
	w.fire <- time.Time{}
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.9:80"}) {
		t.Fatalf("after the primaries left %v", got)
	}
}

func TestResolverFailsAtStartWithoutAnswerAndValidatesConfig(t *testing.T) {
	z := newZone(t)
	_, err := dns.New(dns.Config{Name: "missing.test", Port: 80, Server: z.addr, Timeout: 200 * time.Millisecond})
	var re *discovery.ResolveError
	if !errors.As(err, &re) || re.Name != "missing.test" {
		t.Fatalf("NXDOMAIN at start: %v", err)
	}
	for name, cfg := range map[string]dns.Config{
		"no name":   {Port: 80, Server: z.addr},
		"no port":   {Name: "x", Server: z.addr},
		"srv port":  {Name: "x", SRV: true, Port: 80, Server: z.addr},
		"server":    {Name: "x", Port: 80, Server: "nope"},
		"intervals": {Name: "x", Port: 80, Server: z.addr, MinInterval: time.Minute, MaxInterval: time.Second},
		"timeout":   {Name: "x", Port: 80, Server: z.addr, Timeout: -1},
	} {
		_, err := dns.New(cfg)
		if !errors.Is(err, discovery.ErrInvalidConfig) || !errors.Is(err, dns.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig (dns's and discovery's)", name, err)
		}
	}
}

// Close interrupts a query that would otherwise wait for its timeout.
func TestResolverCloseInterruptsAQuery(t *testing.T) {
	z := newZone(t)
	z.set(func(z *zone) { z.a["users.test."] = []string{"10.0.0.1"} })
	clock := newManualClock()
	d, err := dns.New(dns.Config{Name: "users.test", Port: 80, Server: z.addr, Timeout: time.Hour, After: clock.After})
	if err != nil {
		t.Fatal(err)
	}
	z.set(func(z *zone) { z.silent = true })
	<-z.asked // the first resolution's query
	clock.next(t).fire <- time.Time{}
	<-z.asked // the refresh's query has arrived and will not be answered
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the query's timeout")
	}
}
