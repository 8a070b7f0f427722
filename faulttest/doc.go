// Package faulttest injects faults into HTTP traffic for tests of your own
// client code, in the style of net/http/httptest: wrap the RoundTripper your
// client uses, or the handler of an httptest server, and the requests meet
// latency, refused connections, resets, hangs, error statuses with
// Retry-After, truncated and slow bodies, in a schedule you choose and a
// sequence a seed makes repeatable.
//
// It is the fault engine itself: resilient's own tests, benchmarks and demo
// use this same package (through the module's internal chaos package, which
// only gives it a name), so a fault here behaves exactly as it does in the
// library's own tests.
//
// # Two sides of the wire
//
//   - Injector.RoundTripper wraps an http.RoundTripper in-process: no network,
//     exact error values (errors.Is(err, syscall.ECONNRESET) holds for a
//     Reset), fast enough for benchmarks. Put it at the bottom of the stack
//     under test, where the network would be: as the Base of transport.Config,
//     or the Transport of a plain http.Client.
//   - Injector.Handler wraps an http.Handler for a real loopback server: the
//     faults travel over TCP, a Reset is a real RST. NewServer does both steps
//     and closes them in the right order.
//
// # Vocabulary
//
// A schedule of Phases (healthy → outage → brownout → recovery…) says, for
// each stretch of time, what requests get. Each request may first be delayed
// (Phase.Latency: Fixed, Uniform or the heavy-tailed Pareto), then gets at most
// one of the exclusive faults, drawn with the probabilities the Phase gives:
// Refuse, Reset, Hang, Status (with StatusCode and RetryAfter), Truncate and
// SlowBody. Phase says how each one looks from a RoundTripper and from a
// Handler. Injector.Stats counts what was injected, in total and per phase.
//
//	in, err := faulttest.New(faulttest.Config{Seed: 1, Phases: []faulttest.Phase{
//		{Name: "brownout", Status: 0.5, StatusCode: 429, RetryAfter: "1"},
//	}})
//	…
//	client := &http.Client{Transport: in.RoundTripper(nil)}
//
// # Determinism
//
// Every decision comes from one math/rand/v2 PCG source seeded with
// Config.Seed, in a fixed number and order of draws per request, under a
// mutex: the same seed and the same order of requests give the same faults
// and latencies, so a failing test can be replayed. Concurrent requests keep
// every decision valid, but their order, and so which request gets which
// fault, is then up to the scheduler.
//
// The seed covers what the Injector draws (faults and latencies), and
// nothing else. The client under test
// draws its own randomness: a retry's jittered backoff (resilient's, from
// math/rand/v2 unless backoff.Config.Rand is set), a breaker's jittered open
// time, a balancer's pick. A run that replays the same faults may still
// wait other times between its attempts; it meets the same faults as long
// as its requests come in the same order and, under a schedule of timed
// phases, in the same phases.
//
// Time comes from Config.Now (time.Now by default), read at every request,
// so schedules, latencies, hangs and slow bodies run on testing/synctest's
// fake clock inside a bubble: create the Injector inside the bubble.
//
// The package starts no goroutine. Call Injector.Close when done: it releases
// requests held by a Hang.
package faulttest
