// Package discovery tells a client where the replicas of a service are: a
// [Resolver] watches one service name and publishes its endpoint sets
// (address, weight, optional zone and metadata) to subscribers.
//
// It is a core of the resilient toolkit with no HTTP knowledge, the
// counterpart of gRPC-Go's resolver package. Package balancer consumes its
// sets and picks an endpoint per attempt; transport.Balance puts both
// behind an http.RoundTripper, so that a client points at a service name
// and its calls are spread over the healthy replicas.
//
// # Resolvers
//
//   - [Static]: a fixed list, replaceable by hand with [Static.Update].
//   - DNS: A/AAAA or SRV records, re-resolved on an interval bounded by
//     the records' TTL. A failed lookup keeps the last good set and says so
//     through [Hooks.OnError]: a DNS hiccup never empties the set. It is the
//     package github.com/resilient-go/resilient/discovery/dns, a module of
//     its own, so that this package and everything above it (balancer,
//     transport) compile and require no DNS library.
//   - [File]: a text file of endpoints, one per line, re-read when its
//     modification time or size changes (for operators).
//
// Consul, etcd or Kubernetes take a page: embed a [Broadcast], and call
// [Broadcast.Publish] from the client's watch loop (see the discovery
// recipes in docs/recipes).
//
// # Delivery
//
// A subscriber gets the current set at once (when there is one) and every
// later set, in order, never a stale one after a newer one, and never
// under a lock of the resolver: it may call Subscribe, Current or its own
// cancel. Deliveries to one subscriber are serialised. Sets are shared,
// read-only slices: a subscriber must not modify them.
//
// No resolver publishes an empty set: an empty or unreadable source is an
// error that keeps the last good set. Resolvers that start a goroutine
// (File, and dns.Resolver) have Close, which waits for it.
package discovery
