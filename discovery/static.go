package discovery

// Static is a Resolver over a list the program gives: for tests, for a
// fixed fleet, or for a list that another part of the program maintains
// (Update replaces it). It starts no goroutine.
type Static struct {
	Broadcast
}

// NewStatic returns a Static resolver publishing eps, which must be a
// valid set (see Validate; the error wraps ErrInvalidConfig too).
func NewStatic(eps ...Endpoint) (*Static, error) {
	s := &Static{}
	if err := s.Update(eps); err != nil {
		return nil, wrapConfig(err)
	}
	return s, nil
}

// Update publishes a new set to every subscriber, or returns an error
// (wrapping ErrInvalidEndpoints or ErrNoEndpoints) and keeps the current
// set.
func (s *Static) Update(eps []Endpoint) error {
	return s.Publish(clone(eps))
}

// clone copies a caller's slice so that later changes to it do not reach
// the published set.
func clone(eps []Endpoint) []Endpoint {
	if eps == nil {
		return nil
	}
	return append([]Endpoint(nil), eps...)
}
