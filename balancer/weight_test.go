package balancer_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

// Weights whose sum overflows an int used to panic in Update (make with a
// negative size) or to split round robin's picks evenly. Update refuses
// them and keeps the set it had.
func TestUpdateRefusesHugeWeightsAndKeepsTheSet(t *testing.T) {
	b := newBalancer(t, balancer.Config{Policy: balancer.RoundRobin}, eps(2, 3, 1))
	for _, weights := range [][]int{
		{math.MaxInt, math.MaxInt - 1}, // the sum wraps negative: make panicked
		{math.MaxInt / 3, 1},           // w·4096 wraps: picks were split 50/50
		{1000000 + 1, 1},
	} {
		if err := b.Update(eps(2, weights...)); !errors.Is(err, discovery.ErrInvalidEndpoints) {
			t.Errorf("Update(weights %v) = %v, want ErrInvalidEndpoints", weights, err)
		}
	}
	if got := roundRobinCounts(t, b, 400); got["a:1"] != 300 || got["b:1"] != 100 {
		t.Errorf("after refused updates, picks %v; want the old 3:1 split", got)
	}
}

// The largest weights give round robin exact proportions: no overflow,
// and the light endpoint keeps its slot.
func TestRoundRobinAtMaxWeight(t *testing.T) {
	b := newBalancer(t, balancer.Config{Policy: balancer.RoundRobin}, eps(2, 1000000, 1))
	if got := roundRobinCounts(t, b, 4096); got["a:1"] != 4095 || got["b:1"] != 1 {
		t.Errorf("weights [MaxWeight, 1]: picks %v, want 4095 and 1 of 4096", got)
	}
	// Many endpoints at the largest weights, coprime so that nothing
	// divides them down: the sequence stays bounded and even.
	many := eps(26)
	for i := range many {
		many[i].Weight = 1000000 - i
	}
	b = newBalancer(t, balancer.Config{Policy: balancer.RoundRobin}, many)
	for addr, n := range roundRobinCounts(t, b, 26*100) {
		if n < 95 || n > 105 {
			t.Errorf("near-equal max weights: %s got %d of 2600 picks, want about 100", addr, n)
		}
	}
}

func roundRobinCounts(t *testing.T, b *balancer.Balancer, n int) map[string]int {
	t.Helper()
	now := time.Now()
	counts := map[string]int{}
	for range n {
		p, err := b.Pick(now, nil)
		if err != nil {
			t.Fatal(err)
		}
		counts[p.Addr()]++
		p.Done(now, balancer.Success)
	}
	return counts
}

// An operator's typo in an endpoints file used to crash the process: the
// file resolver's goroutine delivered the set to Follow, whose Update
// panicked. Now the file resolver refuses the edit and reports it, and the
// balancer keeps the last good set.
func TestFollowFileWithHugeWeight(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eps")
	write := func(content string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path+".tmp", []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path+".tmp", mtime, mtime); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write("a:1 weight=3\nb:1\n", base)
	// In a bubble, the file's poll comes when the test sleeps through its
	// Interval, and synctest.Wait returns once it is over.
	synctest.Test(t, func(t *testing.T) {
		errs := make(chan *discovery.ResolveError, 4)
		f, err := discovery.NewFile(discovery.FileConfig{
			Path:     path,
			Interval: time.Second,
			Hooks:    discovery.Hooks{OnError: func(e *discovery.ResolveError) { errs <- e }},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := balancer.New(balancer.Config{Policy: balancer.RoundRobin})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Follow(f)()

		write("a:1 weight=9223372036854775807\nb:1 weight=9223372036854775806\n", base.Add(time.Minute))
		time.Sleep(time.Second)
		synctest.Wait() // the poll is over
		select {
		case e := <-errs:
			if !errors.Is(e, discovery.ErrInvalidEndpoints) || e.Kept != 2 {
				t.Fatalf("reported %v (kept %d), want ErrInvalidEndpoints with 2 kept", e, e.Kept)
			}
		default:
			t.Fatal("the bad edit was not reported")
		}
		if got := roundRobinCounts(t, b, 400); got["a:1"] != 300 || got["b:1"] != 100 {
			t.Errorf("after the bad edit, picks %v; want the last good 3:1 split", got)
		}
	})
}
