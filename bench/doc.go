// Package bench measures resilient against its peers (failsafe-go,
// sony/gobreaker, hashicorp/go-retryablehttp, x/time/rate,
// x/sync/semaphore) in one run: the same work through each, over the same
// stub base RoundTripper, so that the ratios mean something. It is a
// separate module so that the library's own go.mod never gains the peers.
//
//	cd bench && go test -run x -bench . -benchmem   # every case, go test style
//	cd bench && go run ./cmd/compare -cpu 1,4,16    # the tables, ratio to the best peer
//	cd bench && go run ./cmd/report                 # micro + incidents: docs/performance.md
//
// Package bench/scenario plays incidents (outage, partial failure,
// brownout, overload, slow tail, and one replica of three degrading)
// against each client on loopback servers; cmd/report runs both and writes docs/performance.md with its
// plots.
package bench
