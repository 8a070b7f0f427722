package fleet_test

import (
	"math"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/fleet"
)

// Four replicas, each with its own client and connections, offered 8× the
// limit between them, admit the fleet limit within ±5 % over a 3s window.
//
// The count is exact up to the leases in hand at the window's edges: a
// permit leased before the window may be used in it, one leased in it may
// be used after it (at most replicas × MaxLease either way, far fewer when
// the fleet is at its limit, since GCRA then grants small leases). The
// first 0.6s is a warm-up that spends GCRA's initial burst, which is
// admitted on top of the rate by design.
func TestFleetSharesOneLimit(t *testing.T) {
	r := startRedis(t)
	const (
		rate    = 200
		nrep    = 4
		window  = 3 * time.Second
		warmup  = 600 * time.Millisecond
		maxDiff = 0.05
	)
	ls := replicas(t, r, nrep, fleet.Config{
		Limit:            redis_rate.PerSecond(rate),
		ExpectedReplicas: nrep,
		Timeout:          200 * time.Millisecond, // a loaded CI machine under -race
	})
	ld := startLoad(ls, "api.example.com", 2, 5*time.Millisecond) // 1600/s offered
	time.Sleep(warmup)
	from := time.Now()
	time.Sleep(window)
	to := time.Now()
	ld.Stop()

	got := ld.count(from, to)
	want := rate * to.Sub(from).Seconds()
	diff := (float64(got) - want) / want
	t.Logf("admitted %d in %v, want %.0f: %+.1f %%", got, to.Sub(from).Round(time.Millisecond), want, 100*diff)
	if math.Abs(diff) > maxDiff {
		t.Errorf("admitted %d in the window, want %.0f ± %.0f %%", got, want, 100*maxDiff)
	}
	if _, odd := ld.resetLongest(); len(odd) > 0 {
		t.Errorf("errors other than rejections: %v", odd[:min(3, len(odd))])
	}
	var fallback, redisErrs uint64
	for i, l := range ls {
		s := l.Stats()
		t.Logf("replica %d: %+v", i, s)
		fallback += s.Fallback
		redisErrs += s.RedisErrors
		if s.Fleet+s.Local == 0 || s.RoundTrips == 0 {
			t.Errorf("replica %d made no fleet decisions: %+v", i, s)
		}
	}
	if fallback > 0 || redisErrs > 0 {
		t.Errorf("with Redis up: %d fallback decisions, %d Redis errors, want none", fallback, redisErrs)
	}
}

// Below the limit, leases turn most calls into local decisions: a replica
// calling at 500/s makes a few round trips per LeaseTTL, not one per call.
func TestLeasingDecidesMostCallsLocally(t *testing.T) {
	r := startRedis(t)
	ls := replicas(t, r, 2, fleet.Config{
		Limit:            redis_rate.PerSecond(10000),
		ExpectedReplicas: 2,
		Timeout:          200 * time.Millisecond,
	})
	ld := startLoad(ls, "k", 1, 2*time.Millisecond)
	time.Sleep(time.Second)
	ld.Stop()
	for i, l := range ls {
		s := l.Stats()
		t.Logf("replica %d: %+v", i, s)
		if s.Rejected != 0 {
			t.Errorf("replica %d: %d rejected far below the limit", i, s.Rejected)
		}
		if s.Allowed < 100 {
			t.Fatalf("replica %d: only %d calls allowed in 1s at a 2ms tick", i, s.Allowed)
		}
		if s.RoundTrips*4 > s.Allowed {
			t.Errorf("replica %d: %d round trips for %d calls, want at most one per 4 calls", i, s.RoundTrips, s.Allowed)
		}
		if s.Local <= s.Fleet {
			t.Errorf("replica %d: %d local decisions, %d fleet decisions: leasing did not pay", i, s.Local, s.Fleet)
		}
	}
}
