package discovery

import "sync"

// Resolver publishes the endpoint sets of one service. Subscribe delivers
// the current set at once, when there is one, and then every new set, in
// order and outside the resolver's locks; cancel stops the deliveries (a
// delivery under way may still complete). A Resolver is safe for
// concurrent use.
//
// Implement one for a registry of your own by embedding a *Broadcast and
// calling Publish whenever the registry reports a change.
type Resolver interface {
	Subscribe(fn func([]Endpoint)) (cancel func())
}

// Broadcast is the publishing half of every resolver of this package: it
// holds the current set and delivers each new one to its subscribers. The
// zero Broadcast holds no set and is ready to use; it must not be copied
// after first use.
//
// Deliveries never run under the Broadcast's lock. Each subscriber has
// its own delivery lock so that its deliveries are serialised and
// ordered: a subscriber that is slow delays only its own later sets and
// the Publish call that delivers to it. A subscriber must not call
// Publish on the Broadcast that delivers to it.
type Broadcast struct {
	mu      sync.Mutex
	set     []Endpoint
	version uint64
	subs    map[*subscriber]struct{}
}

type subscriber struct {
	fn   func([]Endpoint)
	mu   sync.Mutex // serialises deliveries to fn
	seen uint64     // version last delivered; guarded by mu
}

var _ Resolver = (*Broadcast)(nil)

// Subscribe registers fn and delivers the current set to it before
// returning, when there is one.
func (b *Broadcast) Subscribe(fn func([]Endpoint)) (cancel func()) {
	s := &subscriber{fn: fn}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[*subscriber]struct{})
	}
	b.subs[s] = struct{}{}
	set, v := b.set, b.version
	b.mu.Unlock()
	if set != nil {
		s.deliver(set, v)
	}
	return func() {
		b.mu.Lock()
		delete(b.subs, s)
		b.mu.Unlock()
	}
}

// Current returns the current set, nil before the first Publish. The
// slice is shared: do not modify it.
func (b *Broadcast) Current() []Endpoint {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.set
}

// Publish makes eps the current set and delivers it to every subscriber.
// It validates eps first (see Validate) and publishes nothing on error,
// so the last good set stays. A set equal to the current one is not
// delivered again. Publish keeps eps: the caller must not modify it
// afterwards.
func (b *Broadcast) Publish(eps []Endpoint) error {
	if err := Validate(eps); err != nil {
		return err
	}
	b.mu.Lock()
	if Equal(b.set, eps) {
		b.mu.Unlock()
		return nil
	}
	b.version++
	b.set = eps
	v := b.version
	subs := make([]*subscriber, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		s.deliver(eps, v)
	}
	return nil
}

// Reset forgets every subscriber, so that a resolver that publishes no
// more does not keep their functions alive: a resolver's Close calls it
// once its goroutine has ended.
func (b *Broadcast) Reset() { b.reset() }

// reset forgets every subscriber, for Close.
func (b *Broadcast) reset() {
	b.mu.Lock()
	b.subs = nil
	b.mu.Unlock()
}

// deliver hands set (version v) to the subscriber unless it already has a
// newer one.
func (s *subscriber) deliver(set []Endpoint, v uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v <= s.seen {
		return
	}
	s.seen = v
	s.fn(set)
}
