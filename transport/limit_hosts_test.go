package transport_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// TestLimitMaxHostsForgetsIdle checks LimitConfig.MaxHosts: past it, a new
// host makes the hosts with nothing in flight forget their limits, while a
// host with a call in flight keeps them; with no idle host to forget, the
// new host goes in anyway.
func TestLimitMaxHostsForgetsIdle(t *testing.T) {
	release := map[string]chan struct{}{"a.test": make(chan struct{}), "b.test": make(chan struct{})}
	entered := make(chan string)
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		if ch := release[req.URL.Host]; ch != nil {
			entered <- req.URL.Host
			<-ch
		}
		return okStub(req)
	})
	rt, err := transport.New(transport.Config{
		Base:    base,
		Breaker: transport.BreakerConfig{Off: true},
		Limit:   transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{Limit: 10}, MaxHosts: 2},
	})
	mustNoErr(t, err)
	hosts := func() []string {
		var h []string
		for _, hl := range rt.Snapshot().Hosts {
			h = append(h, hl.Host)
		}
		return h
	}
	call := func(host string) {
		t.Helper()
		if _, err := get(t, rt, "http://"+host+"/"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var once sync.Once
	releaseAll := func() {
		once.Do(func() {
			close(release["a.test"])
			close(release["b.test"])
		})
	}
	defer wg.Wait()
	defer releaseAll()          // first, should the test fail with calls held
	hold := func(host string) { // a call to host that stays in flight
		wg.Go(func() { _, _ = get(t, rt, "http://"+host+"/") })
		<-entered
	}

	hold("a.test")
	call("x.test")
	call("y.test") // x is idle: forgotten; a is busy: kept
	if got := hosts(); !slices.Equal(got, []string{"a.test", "y.test"}) {
		t.Fatalf("hosts %q, want a.test y.test", got)
	}
	hold("b.test") // y is idle: forgotten
	call("z.test") // a and b are busy: z goes in beyond MaxHosts
	if got := hosts(); !slices.Equal(got, []string{"a.test", "b.test", "z.test"}) {
		t.Fatalf("hosts %q, want a.test b.test z.test", got)
	}
	releaseAll()
	wg.Wait()
	call("w.test") // all idle: forgotten
	if got := hosts(); !slices.Equal(got, []string{"w.test"}) {
		t.Fatalf("hosts %q, want w.test", got)
	}
}
