// Package chaos is the name the resilient toolkit's own tests, benchmarks
// and demo use for its fault-injection engine, which lives in the public
// package faulttest: every name here is an alias of faulttest's, so the
// project and its users share one engine, one set of types and one set of
// docs (read them with go doc github.com/resilient-go/resilient/faulttest).
//
// The engine makes an HTTP dependency misbehave in known, repeatable ways,
// so that retries, breakers, limiters and timeouts can be measured against
// the failures they exist for: Injector.RoundTripper in-process (in the
// library's stack it sits just above the pool), Injector.Handler on a real
// loopback server, both on a seeded schedule of Phases.
//
// Nothing is defined here; a change to the engine or its vocabulary is made
// in faulttest.
package chaos
