package transport_test

import (
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// The cost of a host's first call, beside a call to a known host: the
// default stack without its timeouts over the stub, so that what is left
// is our own work per call. A webhook sender or a crawler meets new hosts
// all the time; a new host must cost about what a known one does, however
// many hosts went before.
//
// BenchmarkNewHost cycles through more hosts than the stack keeps (its
// breaker group's MaxKeys and its rate keys' MaxKeys, 1024 each by
// default), so that once the maps are full every call meets a host that
// is not there: it creates the host's state and evicts another's.

// noTimeouts is the default stack without its two timeouts.
var noTimeouts = transport.Config{Base: okStub, Timeout: transport.TimeoutConfig{TotalOff: true, AttemptOff: true}}

// BenchmarkKnownHost calls hosts that the stack already knows: one host,
// and 1,000 hosts (all within the bound of 1,024) in turn.
func BenchmarkKnownHost(b *testing.B) {
	benchHostCounts(b, noTimeouts, false, 1, 1000)
}

// BenchmarkNewHost calls 5,000 and 50,000 distinct hosts in turn.
func BenchmarkNewHost(b *testing.B) {
	benchHostCounts(b, noTimeouts, false, 5000, 50000)
}

// BenchmarkKnownHostParallel is BenchmarkKnownHost, one goroutine per
// core.
func BenchmarkKnownHostParallel(b *testing.B) {
	benchHostCounts(b, noTimeouts, true, 1, 1000)
}

// BenchmarkNewHostParallel is BenchmarkNewHost, one goroutine per core.
// Each goroutine starts at its own place in the cycle, far from the
// others', so that a host one goroutine meets has been evicted by the
// time another reaches it.
func BenchmarkNewHostParallel(b *testing.B) {
	benchHostCounts(b, noTimeouts, true, 5000, 50000)
}

// BenchmarkKnownHostNoBreaker and BenchmarkNewHostNoBreaker are the same
// without the breaker stage: what a new host costs besides creating its
// breaker.
func BenchmarkKnownHostNoBreaker(b *testing.B) {
	c := noTimeouts
	c.Breaker.Off = true
	benchHostCounts(b, c, false, 1)
}

func BenchmarkNewHostNoBreaker(b *testing.B) {
	c := noTimeouts
	c.Breaker.Off = true
	benchHostCounts(b, c, false, 5000, 50000)
}

func benchHostCounts(b *testing.B, c transport.Config, parallel bool, counts ...int) {
	for _, n := range counts {
		b.Run("hosts="+strconv.Itoa(n), func(b *testing.B) {
			benchHosts(b, c, n, parallel)
		})
	}
}

// benchHosts calls n distinct hosts in turn through a stack built from c,
// after one warm-up round over all of them.
func benchHosts(b *testing.B, c transport.Config, n int, parallel bool) {
	rt, err := transport.New(c)
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i], err = http.NewRequest("GET", "http://h"+strconv.Itoa(i)+".example.com/", nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	call := func(req *http.Request) bool {
		resp, err := rt.RoundTrip(req)
		return err == nil && resp.StatusCode == http.StatusOK
	}
	for _, req := range reqs { // fill the maps
		if !call(req) {
			b.Fatal("warm-up call failed")
		}
	}
	b.ReportAllocs()
	if !parallel {
		i := 0
		for b.Loop() {
			if !call(reqs[i]) {
				b.Fatal("call failed")
			}
			if i++; i == n {
				i = 0
			}
		}
		return
	}
	var goroutines atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// Goroutine g of P starts g·n/P hosts on: a host that one
		// goroutine meets, the one behind it meets n/P of its own calls
		// later, after about n calls in all.
		i := int(goroutines.Add(1)-1) * (n / runtime.GOMAXPROCS(0)) % n
		for pb.Next() {
			if !call(reqs[i]) {
				b.Error("call failed")
				return
			}
			if i++; i == n {
				i = 0
			}
		}
	})
}
