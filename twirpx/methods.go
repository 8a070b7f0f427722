package twirpx

import (
	"net/http"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/internal/keymap"
)

// maxCachedMethods bounds the method table's cache. Generated clients
// have a fixed set of methods, so the bound is only reached by a client
// that talks to a great many hosts; past it, keys are still right, but
// built per call (an allocation) instead of cached.
const maxCachedMethods = 4096

// methodID names one Twirp method on one host, as the generated client
// puts it in the request's context.
type methodID struct {
	host, service, method string
}

// methodEntry is everything per-method that a call needs, resolved once
// per method and host.
type methodEntry struct {
	key    string // the breaker (and, optionally, limit) key
	policy *policy
}

// policy is a MethodPolicy made ready for calls.
type policy struct {
	idempotent bool
	// rt is the stack, under the method's own timeout when it has one.
	rt http.RoundTripper
}

// methodTable resolves requests to their methodEntry. Lookups of known
// methods take no lock and allocate nothing.
type methodTable struct {
	// policies maps {service, method} to its policy, with "*" wildcards.
	policies map[[2]string]*policy
	cache    *keymap.Map[methodID, *methodEntry]
}

func newMethodTable(policies map[[2]string]*policy) *methodTable {
	t := &methodTable{policies: policies}
	t.cache = keymap.New(keymap.Config[methodID, *methodEntry]{Max: maxCachedMethods, New: t.entry})
	return t
}

// resolve returns req's method entry, or nil when req's context does not
// name a Twirp method (a request that a generated client did not make).
func (t *methodTable) resolve(req *http.Request) *methodEntry {
	ctx := req.Context()
	service, ok := twirp.ServiceName(ctx)
	if !ok {
		return nil
	}
	method, ok := twirp.MethodName(ctx)
	if !ok {
		return nil
	}
	id := methodID{host: req.URL.Host, service: service, method: method}
	if e, err := t.cache.LoadOrNew(id); err == nil {
		return e
	}
	e, _ := t.entry(id) // the cache is full: built per call
	return e
}

// entry builds id's entry.
func (t *methodTable) entry(id methodID) (*methodEntry, error) {
	return &methodEntry{key: id.host + "/" + id.service + "/" + id.method, policy: t.lookup(id.service, id.method)}, nil
}

// lookup finds the most specific policy for a method: its own, its
// service's, every method's.
func (t *methodTable) lookup(service, method string) *policy {
	for _, k := range [...][2]string{{service, method}, {service, "*"}, {"*", "*"}} {
		if p := t.policies[k]; p != nil {
			return p
		}
	}
	return t.policies[[2]string{}]
}

// key is the breaker key: the method and host, or the host alone for a
// request that names no Twirp method.
func (t *methodTable) key(req *http.Request) string {
	if e := t.resolve(req); e != nil {
		return e.key
	}
	return req.URL.Host
}
