package dns

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/resilient-go/resilient/discovery"
)

// Config configures a Resolver. Each field says what its zero value
// means.
type Config struct {
	// Name is the name to resolve: a host name whose A and AAAA records
	// are the endpoints (with Port), or, with SRV set, an SRV name such as
	// "_http._tcp.users.example.com". Required.
	Name string
	// SRV looks up SRV records: each record of the lowest priority
	// present gives an endpoint (its target's addresses, its port, its
	// weight; weight 0 counts as 1).
	SRV bool
	// Port is the port of A/AAAA endpoints, in [1, 65535]. Required
	// without SRV; must be zero with it.
	Port int

	// Server is the DNS server to ask, as host:port. Empty means the first
	// nameserver of /etc/resolv.conf, on port 53.
	Server string
	// Timeout bounds each query. Zero means 2s; negative is an error.
	Timeout time.Duration

	// MinInterval and MaxInterval bound the wait between two resolutions:
	// the wait is the smallest TTL of the records, raised to MinInterval
	// and capped at MaxInterval. After a failure the wait is MinInterval,
	// doubled at each further failure up to MaxInterval. Zero means 5s and
	// 5m; negative, or MinInterval > MaxInterval, is an error.
	MinInterval, MaxInterval time.Duration

	// Hooks observe updates and failed resolutions.
	Hooks discovery.Hooks

	// After returns a channel that fires after d, as time.After does. Nil
	// means time.After; tests inject a clock of their own.
	After func(d time.Duration) <-chan time.Time
}

// Resolver is a discovery.Resolver over DNS A/AAAA or SRV records, asked
// of a DNS server directly (github.com/miekg/dns) so that the records'
// TTLs are known: the set is re-resolved when the shortest TTL ends,
// within [MinInterval, MaxInterval]. A lookup that fails, times out or
// finds no record keeps the last good set and is reported through
// Hooks.OnError; a DNS hiccup never empties the set. Records are sorted by
// address, so a server that rotates their order causes no update.
//
// A Resolver owns one goroutine; Close stops it and cancels a query under
// way.
type Resolver struct {
	discovery.Broadcast
	cfg    Config
	client mdns.Client
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// New validates cfg, resolves the name once (an error if that fails:
// there is no set to start from) and starts re-resolving it.
func New(cfg Config) (*Resolver, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Resolver{cfg: c, client: mdns.Client{Net: "udp", Timeout: c.Timeout}, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	eps, ttl, err := d.resolve()
	if err != nil {
		cancel()
		return nil, &discovery.ResolveError{Name: c.Name, Err: err, Failures: 1}
	}
	if err := d.Publish(eps); err != nil {
		cancel()
		return nil, err
	}
	go d.loop(d.interval(ttl))
	return d, nil
}

func (cfg Config) withDefaults() (Config, error) {
	c := cfg
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: Config."+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.Name == "":
		return bad("Name is empty")
	case c.SRV && c.Port != 0:
		return bad("Port is %d with SRV: SRV records carry the port", c.Port)
	case !c.SRV && (c.Port < 1 || c.Port > 65535):
		return bad("Port is %d, must be in [1, 65535] for A/AAAA records", c.Port)
	case c.Timeout < 0:
		return bad("Timeout is %v, must be >= 0", c.Timeout)
	case c.MinInterval < 0 || c.MaxInterval < 0:
		return bad("MinInterval/MaxInterval are %v/%v, must be >= 0", c.MinInterval, c.MaxInterval)
	}
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.MinInterval == 0 {
		c.MinInterval = 5 * time.Second
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = 5 * time.Minute
	}
	if c.MinInterval > c.MaxInterval {
		return bad("MinInterval %v exceeds MaxInterval %v", c.MinInterval, c.MaxInterval)
	}
	if c.Server == "" {
		conf, err := mdns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return bad("Server is empty and /etc/resolv.conf names no nameserver (%v)", err)
		}
		c.Server = net.JoinHostPort(conf.Servers[0], "53")
	} else if _, _, err := net.SplitHostPort(c.Server); err != nil {
		return bad("Server %q is not host:port", c.Server)
	}
	if c.After == nil {
		c.After = time.After
	}
	return c, nil
}

// Close stops re-resolving, cancelling a query under way, and waits for
// the resolver's goroutine to end. Subscribers get no more sets. It is
// safe to call more than once.
func (d *Resolver) Close() error {
	d.once.Do(d.cancel)
	<-d.done
	d.Reset()
	return nil
}

func (d *Resolver) loop(wait time.Duration) {
	defer close(d.done)
	failures := 0
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-d.cfg.After(wait):
		}
		eps, ttl, err := d.resolve()
		if err == nil {
			changed := !discovery.Equal(d.Current(), eps)
			err = d.Publish(eps)
			if err == nil && changed && d.cfg.Hooks.OnUpdate != nil {
				d.cfg.Hooks.OnUpdate(d.cfg.Name, eps)
			}
		}
		if err == nil {
			failures = 0
			wait = d.interval(ttl)
			continue
		}
		if d.ctx.Err() != nil {
			return
		}
		failures++
		wait = d.cfg.MinInterval << min(failures-1, 30)
		if wait <= 0 || wait > d.cfg.MaxInterval {
			wait = d.cfg.MaxInterval
		}
		if h := d.cfg.Hooks.OnError; h != nil {
			h(&discovery.ResolveError{Name: d.cfg.Name, Err: err, Failures: failures, Kept: len(d.Current()), Retry: wait})
		}
	}
}

// interval is the wait before the next resolution for records whose
// shortest TTL is ttl seconds.
func (d *Resolver) interval(ttl uint32) time.Duration {
	return min(max(time.Duration(ttl)*time.Second, d.cfg.MinInterval), d.cfg.MaxInterval)
}

// resolve looks the name up once and returns its endpoints, sorted by
// address, and the shortest TTL among the records used.
func (d *Resolver) resolve() ([]discovery.Endpoint, uint32, error) {
	var (
		eps []discovery.Endpoint
		ttl uint32
		err error
	)
	if d.cfg.SRV {
		eps, ttl, err = d.resolveSRV()
	} else {
		var ips []net.IP
		ips, ttl, err = d.addrs(d.cfg.Name, nil)
		for _, ip := range ips {
			eps = append(eps, discovery.Endpoint{Addr: net.JoinHostPort(ip.String(), strconv.Itoa(d.cfg.Port))})
		}
	}
	if err != nil {
		return nil, 0, err
	}
	if len(eps) == 0 {
		return nil, 0, discovery.ErrNoEndpoints
	}
	slices.SortFunc(eps, func(a, b discovery.Endpoint) int { return strings.Compare(a.Addr, b.Addr) })
	eps = slices.CompactFunc(eps, func(a, b discovery.Endpoint) bool { return a.Addr == b.Addr })
	return eps, ttl, nil
}

func (d *Resolver) resolveSRV() ([]discovery.Endpoint, uint32, error) {
	r, err := d.query(d.cfg.Name, mdns.TypeSRV)
	if err != nil {
		return nil, 0, err
	}
	var srvs []*mdns.SRV
	ttl := uint32(0)
	for _, rr := range r.Answer {
		if s, ok := rr.(*mdns.SRV); ok {
			srvs = append(srvs, s)
		}
	}
	if len(srvs) == 0 {
		return nil, 0, discovery.ErrNoEndpoints
	}
	// RFC 2782: a client uses the lowest priority that it can reach.
	top := slices.MinFunc(srvs, func(a, b *mdns.SRV) int { return int(a.Priority) - int(b.Priority) }).Priority
	var eps []discovery.Endpoint
	ttl = srvs[0].Hdr.Ttl
	for _, s := range srvs {
		if s.Priority != top {
			continue
		}
		ttl = min(ttl, s.Hdr.Ttl)
		ips, ipTTL, err := d.addrs(s.Target, r.Extra)
		if err != nil {
			return nil, 0, fmt.Errorf("SRV target %s: %w", s.Target, err)
		}
		ttl = min(ttl, ipTTL)
		for _, ip := range ips {
			eps = append(eps, discovery.Endpoint{Addr: net.JoinHostPort(ip.String(), strconv.Itoa(int(s.Port))), Weight: int(s.Weight)})
		}
	}
	return eps, ttl, nil
}

// addrs returns name's addresses: from extra (an SRV answer's additional
// section) when it holds any, from A and AAAA queries otherwise. It fails
// only when both queries fail.
func (d *Resolver) addrs(name string, extra []mdns.RR) ([]net.IP, uint32, error) {
	fqdn := mdns.Fqdn(name)
	var ips []net.IP
	ttl := ^uint32(0)
	collect := func(rrs []mdns.RR) {
		for _, rr := range rrs {
			if !strings.EqualFold(rr.Header().Name, fqdn) {
				continue
			}
			switch a := rr.(type) {
			case *mdns.A:
				ips, ttl = append(ips, a.A), min(ttl, a.Hdr.Ttl)
			case *mdns.AAAA:
				ips, ttl = append(ips, a.AAAA), min(ttl, a.Hdr.Ttl)
			}
		}
	}
	collect(extra)
	if len(ips) > 0 {
		return ips, ttl, nil
	}
	var errs []error
	for _, t := range [...]uint16{mdns.TypeA, mdns.TypeAAAA} {
		r, err := d.query(fqdn, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		collect(r.Answer)
	}
	if len(errs) == 2 {
		return nil, 0, errs[0]
	}
	if len(ips) == 0 {
		return nil, 0, discovery.ErrNoEndpoints
	}
	return ips, ttl, nil
}

// query asks the server one question, over TCP when the UDP answer was
// truncated.
func (d *Resolver) query(name string, t uint16) (*mdns.Msg, error) {
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), t)
	r, err := d.exchange(&d.client, m)
	if err == nil && r.Truncated {
		tcp := d.client
		tcp.Net = "tcp"
		r, err = d.exchange(&tcp, m)
	}
	if err != nil {
		return nil, err
	}
	if r.Rcode != mdns.RcodeSuccess {
		return nil, fmt.Errorf("%s %s: %s", mdns.TypeToString[t], name, mdns.RcodeToString[r.Rcode])
	}
	return r, nil
}

// exchange sends m over a connection of its own, which Close interrupts:
// the client honours a context's deadline, not its cancellation.
func (d *Resolver) exchange(c *mdns.Client, m *mdns.Msg) (*mdns.Msg, error) {
	conn, err := c.DialContext(d.ctx, d.cfg.Server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(d.ctx, func() { conn.Close() })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(d.ctx, m, conn)
	if err != nil && d.ctx.Err() != nil {
		return nil, d.ctx.Err()
	}
	return r, err
}
