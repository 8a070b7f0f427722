package bench

import (
	"fmt"
	"net/http"
	"testing"
)

// Case is one contender in a comparison: the same work done through one
// library.
type Case struct {
	// Name is the library (and mode) measured.
	Name string
	// Ours marks resilient's own cases; every other case that is not the
	// Floor is a peer, and ratios are taken against the fastest peer.
	Ours bool
	// Floor marks the bare baseline (no library at all).
	Floor bool
	// Reference marks the standard library's way of doing the same work,
	// written by hand (two context.WithTimeout, a URL rewrite): shown
	// beside ours for what the feature costs without any library, not a
	// peer (it does less: no retries, no breaker), so ratios and "behind"
	// are taken against the peers alone. A table without a peer gives
	// ours a ratio against its fastest reference instead.
	Reference bool
	// Run is the benchmark body, sequential.
	Run func(b *testing.B)
	// Parallel is the same work under b.RunParallel.
	Parallel func(b *testing.B)
	// Check does the work once and reports a failure, so that tests can
	// prove every case is set up right without benchmarking it.
	Check func() error
}

// Comparison is a named set of cases doing the same work.
type Comparison struct {
	Name  string
	Cases []Case
}

// All returns every comparison, in the order the report prints them.
func All() []Comparison {
	return []Comparison{
		BreakerCoreComparison(),
		BreakerRoundTripComparison(),
		RetryComparison(),
		RetryBreakerComparison(),
		StackComparison(),
		DeadlineComparison(),
		BalanceComparison(),
		TwirpComparison(),
		SlotComparison(),
		RateComparison(),
	}
}

// roundTripCase builds a Case that sends GETs through rt.
// reference marks c as the standard library's way (see Case.Reference).
func reference(c Case) Case {
	c.Reference = true
	return c
}

func roundTripCase(name string, rt http.RoundTripper) Case {
	return Case{
		Name: name,
		Check: func() error {
			resp, err := rt.RoundTrip(newGet())
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		},
		Run: func(b *testing.B) {
			req := newGet()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := rt.RoundTrip(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatal(resp, err)
				}
			}
		},
		Parallel: func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := newGet()
				for pb.Next() {
					resp, err := rt.RoundTrip(req)
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Error(resp, err)
						return
					}
				}
			})
		},
	}
}

// ours marks c as one of resilient's cases.
func ours(c Case) Case {
	c.Ours = true
	return c
}
