// Package chaos is the fault-injection engine of the resilient toolkit's own
// tests, benchmarks and demo: it makes an HTTP dependency misbehave in known,
// repeatable ways, so that retries, breakers, limiters and timeouts can be
// measured against the failures they exist for.
//
// One Injector drives both sides of the wire:
//
//   - Injector.RoundTripper wraps an http.RoundTripper in-process: no
//     network, exact error values, fast enough for benchmarks. In the
//     library's stack it sits just above the pool.
//   - Injector.Handler wraps an http.Handler for real loopback servers
//     (httptest.NewServer): the faults travel over TCP, a reset is a real RST.
//
// # Fault vocabulary
//
// A schedule of Phases (healthy → outage → brownout → recovery…) says, for
// each stretch of time, what requests get. Each request may first be delayed
// (Latency: Fixed, Uniform or a heavy-tailed Pareto distribution), then gets
// at most one of the exclusive faults:
//
//   - Refuse: the connection is refused (dial error, ECONNREFUSED);
//     nothing reached the server.
//   - Reset: the connection is reset (ECONNRESET).
//   - Hang: no answer until the caller gives up (or Injector.Close).
//   - Status: an error status (503 by default), with Retry-After if set.
//   - Truncate: the response body stops halfway (io.ErrUnexpectedEOF).
//   - SlowBody: the response body trickles in small, delayed pieces.
//
// Phase documents how each fault looks from a RoundTripper and from a
// Handler. Stats counts, in total and per phase, what was injected.
//
// # Determinism
//
// Every decision comes from one math/rand/v2 PCG source seeded with
// Config.Seed, in a fixed number and order of draws per request, under a
// mutex. The same seed and the same order of requests give the same faults
// and latencies, so a failing run can be replayed; concurrent requests keep
// every decision valid but their order, and so who gets which fault, is up to
// the scheduler. Time comes from Config.Now (time.Now by default) and is read
// afresh at every request, so the schedule, latencies, hangs and slow bodies
// all run on testing/synctest's fake clock inside a bubble.
//
// The package starts no goroutine.
//
// # Internal
//
// The package is internal: users of the library cannot import it. When a
// recipe needs fault injection in users' own tests, a small public door in
// the style of net/http/httptest will expose the same engine and vocabulary;
// there will not be a second fault engine.
package chaos
