// Package fleetsim runs a fleet of clients — each its own stack, as a user
// would build it — against one shared backend in a testing/synctest
// bubble, so that a minute of fleet traffic runs in seconds of CPU and
// repeats exactly under a seed.
//
// The clients run the libraries' real code (a plain http.Client,
// go-retryablehttp, failsafe-go, resilient's defaults); only the backend
// is a model: an http.RoundTripper with a fixed number of workers, a
// bounded FIFO queue in front of them (503 with Retry-After when it is
// full), seeded service times, and, as real servers have, no idea whether
// a queued request's caller is still waiting: a request whose caller gave
// up is still served, and that work is counted as wasted. The caller gets
// its answer back, or its context's error the moment its context ends,
// as net/http does, while its request stays in the backend's queue.
//
// The load is open loop: calls arrive as a seeded Poisson process at a
// share of the backend's capacity, spread over the fleet's clients, each
// with a deadline of its own. During a run one Trigger strikes the
// backend for a while (its capacity halves, its latency grows tenfold, or
// it answers every request 503), and the Result tells, second by second,
// what the callers got (goodput) and what the backend went through
// (requests, queue depth, wasted work), and how long after the trigger
// the callers' calls succeeded again.
//
// Simulate runs one client kind through one trigger inside a bubble of
// its own; it needs a *testing.T (testing/synctest offers bubbles only to
// tests), which the command bench/cmd/fleetsim gets from testing.Main.
//
// Determinism: each client draws its calls' arrival times and deadlines up
// front from its own source, seeded from (seed, client index); a request's
// service time comes from a source seeded from (seed, call, attempt), so
// the order in which goroutines run cannot change a draw; and resilient's
// random draws (its backoff's jitter; its breakers' clock sampling, break
// jitter and slow start, through breaker.Config.Rand; its pushback gate's
// slow start, through transport.LimitConfig.Rand) come from sources
// seeded per client, each drawn in the order of its own client's events.
// Where calls wait together (a breaker's open state, the pushback gate's
// pause), the one that has waited longest takes the probe, and each draws
// its slow start when it starts waiting, not when they are let go
// together. Two runs with the same Config give the same Result, second by
// second (ClientHeap, the stacks' memory, aside), for every kind through
// every trigger; another seed gives another. (At 1,000 clients under
// LatencyTenfold, resilient's summary repeats but its per-second figures
// were seen, one run in three, to move a request between two seconds: a
// call released at another time from a breaker's wait; not yet traced.)
package fleetsim
