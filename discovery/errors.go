package discovery

import (
	"errors"
	"time"
)

// ErrInvalidConfig is wrapped by every error a constructor returns for a
// bad configuration; the message names the field.
var ErrInvalidConfig = errors.New("discovery: invalid config")

// ErrInvalidEndpoints is wrapped by the errors of an endpoint set that
// cannot be used (a bad address, a negative weight, a duplicate).
var ErrInvalidEndpoints = errors.New("discovery: invalid endpoints")

// ErrNoEndpoints means a source yielded no endpoint at all. Resolvers do
// not publish an empty set: they keep the last good one.
var ErrNoEndpoints = errors.New("discovery: no endpoints")

// ResolveError describes a refresh that failed. The resolver keeps
// publishing the last good set; Hooks.OnError receives it.
type ResolveError struct {
	// Name is what was resolved: a DNS name, a file path.
	Name string
	// Err is the cause.
	Err error
	// Failures counts the consecutive failed refreshes, this one included.
	Failures int
	// Kept is the number of endpoints in the set that stays in use (0
	// before any good set).
	Kept int
	// Retry is the wait before the next attempt.
	Retry time.Duration
}

// Error describes the failure.
func (e *ResolveError) Error() string {
	return "discovery: resolving " + e.Name + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ResolveError) Unwrap() error { return e.Err }

// Hooks observe a resolver. Each field is optional; hooks are called on
// the resolver's goroutine (or the caller of Update), outside its locks.
type Hooks struct {
	// OnUpdate is called after a refresh published a new set (not for
	// the first set, which the constructor reads).
	OnUpdate func(name string, eps []Endpoint)
	// OnError is called when a refresh failed and the last good set was
	// kept.
	OnError func(*ResolveError)
}

// wrapConfig marks a construction error as a configuration error while
// keeping its own class matchable.
func wrapConfig(err error) error {
	return &configError{err}
}

type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }

func (e *configError) Unwrap() []error { return []error{ErrInvalidConfig, e.err} }
