// Package dns is a discovery.Resolver over DNS A/AAAA or SRV records,
// re-resolved on an interval bounded by the records' TTL, over a real DNS
// client (github.com/miekg/dns) so that the TTL is known. A failed lookup
// keeps the last good set and says so through discovery.Hooks.OnError: a
// DNS hiccup never empties the set.
//
//	users, err := dns.New(dns.Config{Name: "_http._tcp.users.example.com", SRV: true})
//	...
//	defer users.Close()
//	stack, err := transport.New(transport.Config{
//		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal"},
//	})
//
// It is a module of its own (github.com/resilient-go/resilient/discovery/dns)
// so that the toolkit's root module, and every program that imports
// transport, balancer or discovery, compiles and requires no DNS library:
// only a program that imports this package does. See the discoverydns
// recipe in docs/recipes for a client that follows a service's SRV
// records.
package dns
