package lclockhttp

import "net/http"

// Middleware returns a RoundTripper that stamps every request it sends
// with a fresh tick of the clock, passes it to next (nil means
// http.DefaultTransport), and witnesses the stamp on the response. Its
// type is that of transport.Middleware, so p.Middleware goes straight into
// transport.Chain; put it innermost (last), below retries and hedges, so
// that every attempt is a send event with a stamp of its own.
//
// The caller's request is not modified: the request sent is a shallow
// copy with its own header map. A response without a stamp, or with a
// malformed one, is returned as is and counted ([Stats]); a transport
// error is returned as is, with nothing witnessed.
func (p *Propagator) Middleware(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &roundTripper{p: p, next: next}
}

type roundTripper struct {
	p    *Propagator
	next http.RoundTripper
}

// RoundTrip stamps a copy of req, sends it, and witnesses the response.
func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	r := new(http.Request)
	*r = *req
	var buf [maxValueLen]byte
	s := t.p.clock.Tick()
	r.Header = cloneWith(req.Header, t.p.header, string(t.p.clock.AppendStamp(buf[:0], s)))
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp == nil {
		return resp, err
	}
	_, _ = t.p.Extract(resp.Header) // errors are counted; the call goes on
	return resp, nil
}

// cloneWith returns a deep copy of h (as h.Clone: an inner layer that Adds
// a value must not append into the caller's slices) in which key holds
// the single value v. All values share one backing array, each slice
// capped at its length, so that the copy costs two allocations.
func cloneWith(h http.Header, key, v string) http.Header {
	n := 1
	for _, vv := range h {
		n += len(vv)
	}
	all := make([]string, n)
	h2 := make(http.Header, len(h)+1)
	for k, vv := range h {
		if vv == nil || k == key {
			h2[k] = vv // nil stays nil, as in Header.Clone; key is replaced below
			continue
		}
		m := copy(all, vv)
		h2[k] = all[:m:m]
		all = all[m:]
	}
	all[0] = v
	h2[key] = all[:1:1]
	return h2
}

var _ http.RoundTripper = (*roundTripper)(nil)
