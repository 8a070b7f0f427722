package discovery_test

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/discovery"
)

func TestStaticDeliversCurrentThenUpdates(t *testing.T) {
	s, err := discovery.NewStatic(discovery.Endpoint{Addr: "10.0.0.1:80"}, discovery.Endpoint{Addr: "10.0.0.2:80", Weight: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	cancel := s.Subscribe(r.fn)
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.1:80", "10.0.0.2:80"}) {
		t.Fatalf("first set %v", got)
	}
	if err := s.Update([]discovery.Endpoint{{Addr: "10.0.0.3:80"}}); err != nil {
		t.Fatal(err)
	}
	if got := r.next(t); !slices.Equal(got, []string{"10.0.0.3:80"}) {
		t.Fatalf("second set %v", got)
	}
	// The same set again is no news.
	if err := s.Update([]discovery.Endpoint{{Addr: "10.0.0.3:80"}}); err != nil {
		t.Fatal(err)
	}
	r.none(t)
	cancel()
	if err := s.Update([]discovery.Endpoint{{Addr: "10.0.0.4:80"}}); err != nil {
		t.Fatal(err)
	}
	r.none(t)
}

func TestStaticRejectsBadSetsAndKeepsTheLast(t *testing.T) {
	if _, err := discovery.NewStatic(); !errors.Is(err, discovery.ErrInvalidConfig) || !errors.Is(err, discovery.ErrNoEndpoints) {
		t.Fatalf("empty NewStatic: %v", err)
	}
	if _, err := discovery.NewStatic(discovery.Endpoint{Addr: "nohost"}); !errors.Is(err, discovery.ErrInvalidEndpoints) {
		t.Fatalf("bad address: %v", err)
	}
	s, err := discovery.NewStatic(discovery.Endpoint{Addr: "a:1"})
	if err != nil {
		t.Fatal(err)
	}
	for name, eps := range map[string][]discovery.Endpoint{
		"empty":     nil,
		"weight":    {{Addr: "a:1", Weight: -1}},
		"duplicate": {{Addr: "a:1"}, {Addr: "a:1"}},
		"port":      {{Addr: "a:0"}},
	} {
		if err := s.Update(eps); err == nil {
			t.Errorf("%s: Update accepted %v", name, eps)
		}
	}
	if got := s.Current(); len(got) != 1 || got[0].Addr != "a:1" {
		t.Fatalf("current set %v, want the last good one", got)
	}
}

// A subscriber may call back into the resolver from its callback, and
// concurrent publishers never make it see an older set after a newer one.
func TestBroadcastDeliversInOrderOutsideLocks(t *testing.T) {
	var b discovery.Broadcast
	var mu sync.Mutex
	last := -1
	b.Subscribe(func(eps []discovery.Endpoint) {
		_ = b.Current() // would deadlock if delivered under the lock
		n := len(eps)
		mu.Lock()
		defer mu.Unlock()
		if n < last {
			t.Errorf("set of %d after set of %d", n, last)
		}
		last = n
	})
	sets := make([][]discovery.Endpoint, 50)
	for i := range sets {
		for j := range i + 1 {
			sets[i] = append(sets[i], discovery.Endpoint{Addr: "h:" + strconv.Itoa(j+1)})
		}
	}
	// Publish in increasing size from one goroutine while others
	// subscribe and cancel: deliveries stay ordered.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				cancel := b.Subscribe(func([]discovery.Endpoint) {})
				cancel()
			}
		})
	}
	for _, s := range sets {
		if err := b.Publish(s); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if last != 50 {
		t.Fatalf("last delivered set has %d endpoints, want 50", last)
	}
}
