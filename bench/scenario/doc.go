// Package scenario runs clients through incidents on a real loopback
// server and measures what each one does for its callers and to its
// backend: success rate, attempts per call (load amplification), requests
// reaching the backend, requests sent while the backend asked to be left
// alone, goodput, latency percentiles and time to recover.
//
// A Scenario is a schedule of Phases (healthy, outage, brownout,
// overload, ...) played against a backend of bounded capacity behind the
// library's own fault injector (internal/chaos). Every Client (a plain
// http.Client, go-retryablehttp, failsafe-go, resilient, ...) gets its own
// backend and the same open-loop traffic: calls start at the phase's rate
// whatever happened to earlier ones, each under the caller's deadline, as
// real callers do.
//
// A scenario with Replicas gives each client several backends, the
// replicas of one service, of which one (Faulty) degrades: the clients
// address a logical host and spread their attempts over the replicas'
// addresses (resilient without balancing, with round robin, with Peak
// EWMA and ejection), and the run counts each replica's requests.
//
// All clients send over the same kind of connection pool, wrapped by a
// counting RoundTripper below the library under test, so that attempts are
// counted alike for every library and only the resilience layer differs.
//
// A run checks its own invariants (Result.Check): every call ended in a
// response or an error, within its deadline; every response body that
// reached a library was closed; every server connection was closed once
// the client let go of its idle ones; no goroutine outlived the run; every
// attempt belonged to a call. A broken run is an error, never a good table.
package scenario
