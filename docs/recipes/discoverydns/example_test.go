package discoverydns_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns" // the fake DNS server

	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/discovery/dns"
	"github.com/resilient-go/resilient/transport"
)

// fakeDNS is a DNS server on 127.0.0.1 serving SRV records for
// "_http._tcp.users.test." whose targets all resolve to 127.0.0.1, the
// way a headless Kubernetes service or Consul's DNS interface would.
type fakeDNS struct {
	addr string
	srv  *mdns.Server

	mu     sync.Mutex
	ports  map[string]uint16 // SRV target -> port
	silent bool              // stop answering
}

func startFakeDNS() (*fakeDNS, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeDNS{addr: pc.LocalAddr().String(), ports: map[string]uint16{}}
	started := make(chan struct{})
	f.srv = &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(f.serve), NotifyStartedFunc: func() { close(started) }}
	go f.srv.ActivateAndServe()
	<-started
	return f, nil
}

func (f *fakeDNS) serve(w mdns.ResponseWriter, req *mdns.Msg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.silent {
		return
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	hdr := mdns.RR_Header{Name: q.Name, Class: mdns.ClassINET, Ttl: 30, Rrtype: q.Qtype}
	switch {
	case q.Qtype == mdns.TypeSRV && q.Name == "_http._tcp.users.test.":
		for target, port := range f.ports {
			m.Answer = append(m.Answer, &mdns.SRV{Hdr: hdr, Priority: 10, Weight: 1, Port: port, Target: target})
		}
	case q.Qtype == mdns.TypeA && strings.HasSuffix(q.Name, ".users.test."):
		m.Answer = append(m.Answer, &mdns.A{Hdr: hdr, A: net.IPv4(127, 0, 0, 1)})
	}
	w.WriteMsg(m)
}

func (f *fakeDNS) set(change func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
}

func port(s *httptest.Server) uint16 {
	return uint16(s.Listener.Addr().(*net.TCPAddr).Port)
}

// The client follows the service's SRV records: a replica that leaves
// DNS stops getting calls, and a DNS server that stops answering changes
// nothing (the last good set stays).
func Example() {
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a") }))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "b") }))
	defer b.Close()
	ns, err := startFakeDNS()
	if err != nil {
		panic(err)
	}
	defer ns.srv.Shutdown()
	ns.set(func() { ns.ports["a.users.test."], ns.ports["b.users.test."] = port(a), port(b) })

	updates := make(chan int, 8)
	failures := make(chan *discovery.ResolveError, 8)
	users, err := dns.New(dns.Config{
		Name:    "_http._tcp.users.test",
		SRV:     true,
		Server:  ns.addr, // empty: the first nameserver of /etc/resolv.conf
		Timeout: 100 * time.Millisecond,
		// Records are re-resolved when their TTL ends, within these
		// bounds; short here so that the example runs at once.
		MinInterval: 10 * time.Millisecond,
		MaxInterval: 20 * time.Millisecond,
		Hooks: discovery.Hooks{
			OnUpdate: func(_ string, eps []discovery.Endpoint) { updates <- len(eps) },
			OnError:  func(e *discovery.ResolveError) { failures <- e },
		},
	})
	if err != nil {
		panic(err)
	}
	defer users.Close()
	fmt.Println("resolved:", len(users.Current()), "endpoints")

	// The recommended stack, balancing the calls to "users.internal" over
	// the resolver's endpoints.
	stack, err := transport.New(transport.Config{
		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal"},
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: stack}
	calls := func(n int) string {
		var got []string
		for range n {
			resp, err := client.Get("http://users.internal/")
			if err != nil {
				return err.Error()
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got = append(got, string(body))
		}
		return strings.Join(got, " ")
	}

	// Replica b leaves the service.
	ns.set(func() { delete(ns.ports, "b.users.test.") })
	fmt.Println("update:", <-updates, "endpoint")
	fmt.Println(calls(4))

	// The DNS server stops answering: the set stays.
	ns.set(func() { ns.silent = true })
	e := <-failures
	fmt.Println("lookup failed, kept:", e.Kept, "endpoint")
	fmt.Println(calls(2))
	// Output:
	// resolved: 2 endpoints
	// update: 1 endpoint
	// a a a a
	// lookup failed, kept: 1 endpoint
	// a a
}
