// Package balancer spreads the attempts of calls to one service over its
// replicas, and takes the bad ones out of the rotation.
//
// It is a core of the resilient toolkit with no HTTP knowledge, the
// counterpart of gRPC-Go's balancer package: it consumes endpoint sets
// from package discovery ([Balancer.Update], or [Balancer.Follow] a
// resolver) and, for each attempt, [Balancer.Pick] names an endpoint and
// [Pick.Done] reports the attempt's outcome and latency.
// transport.Balance is its HTTP adapter: it rewrites each attempt's URL to
// the endpoint picked and sends a retry elsewhere.
//
// # Policies
//
//   - [PeakEWMA] (the default): power of two choices over a
//     peak-sensitive, exponentially weighted moving average of latency,
//     times outstanding requests (Finagle, Linkerd). A replica ten times
//     slower than its peers gets a small share (2.5 to 5.4 % with eight
//     concurrent callers in the transport package's loopback test, where
//     round robin gives it 33 %). With one call at a time nothing is
//     outstanding and the replica that answered fastest takes nearly
//     everything; concurrency spreads the load.
//   - [LeastOutstanding]: power of two choices over outstanding requests.
//   - [RoundRobin]: smooth weighted round robin.
//
// Weights scale each endpoint's share: P2C divides the cost by the
// weight; round robin repeats the endpoint.
//
// # Outlier ejection
//
// Passive, from the outcomes reported (Envoy's outlier detection):
// ConsecutiveFailures in a row, or a FailureRatio over an Interval, ejects
// an endpoint for BaseEjection × times ejected (capped at MaxEjection,
// plus up to 10 % jitter); it returns on time, at the first pick that
// looks at it after the ejection ends. No more than MaxEjectionPercent of
// the set is ejected at once. Active health checks (transport's) mark
// endpoints with [Balancer.SetHealthy]. When fewer than PanicThreshold of
// the endpoints are available, every endpoint is used (the healthy panic
// threshold): better to spread the load over replicas that may be bad
// than to crush the few that look good.
//
// # Cost
//
// A pick takes no lock and allocates nothing: the set is an atomically
// swapped snapshot, each endpoint's counters are atomics of its own, and
// the random draws come from math/rand/v2's per-thread source. Done does
// one compare-and-swap on the latency average. Both read no clock: the
// caller passes the time, which it reads anyway to time the attempt.
package balancer
