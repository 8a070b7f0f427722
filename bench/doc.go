// Package bench measures resilient against its peers in one run: the same
// work through each, over the same stub base RoundTripper, so that the
// ratios mean something. It is a separate module so that the library's own
// go.mod never gains the peers (failsafe-go, sony/gobreaker, ...).
//
//	cd bench && go test -run x -bench . -benchmem
//
// Ratios are printed by TestMain's report after the benchmarks.
package bench
