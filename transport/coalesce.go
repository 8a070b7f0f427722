package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// CoalesceConfig configures Coalesce. The zero value gives the recommended
// defaults; each field says what its zero value means.
type CoalesceConfig struct {
	// Key names the requests that may share one upstream call: requests
	// with the same key that are in flight at the same time share it, so
	// the key must hold everything that can change the answer. ok=false
	// sends the request on its own. Nil means DefaultCoalesceKey: method,
	// URL, Host and every request header but tracing and request ids.
	//
	// Key only narrows what may be shared: whatever it says, Coalesce
	// sends on its own every request that is not a GET or HEAD, that has
	// a body, that asks for an Upgrade, or whose Cache-Control says
	// no-cache, no-store or max-age=0 (or Pragma: no-cache), since its
	// caller wants an answer made after it asked. Key must be safe for
	// concurrent use.
	Key func(*http.Request) (key string, ok bool)

	// MaxBody is the largest response body that is shared, in bytes.
	// Zero means 1 MiB; negative is an error. A shared body is read whole
	// into memory before any caller sees it, so MaxBody bounds the memory
	// of each upstream call in flight.
	//
	// A response whose body is larger (by its Content-Length, or found to
	// be while reading) is not shared and never cut short: it goes as a
	// stream, the bytes already read followed by the rest, to exactly one
	// of the waiting callers, and every other caller sends its own
	// request, as if Coalesce were not there. No call is lost and no body
	// is truncated; the cost is one extra upstream call per other waiting
	// caller, and none when the caller was alone. Leave out of Key the
	// URLs known to answer with large bodies, to spare their callers the
	// wait.
	MaxBody int64

	// OnShared, when set, is called each time a request joins an upstream
	// call already in flight instead of sending its own, with the call's
	// key and the number of callers that the call now serves (2 for the
	// first to join): each call of OnShared is one upstream request saved.
	// It is called on the joining caller's goroutine, outside any lock,
	// before it waits; it must be safe for concurrent use and quick.
	OnShared func(key string, callers int)
}

// DefaultCoalesceConfig returns the values that the zero CoalesceConfig
// stands for, a fresh copy each time.
func DefaultCoalesceConfig() CoalesceConfig {
	return CoalesceConfig{Key: DefaultCoalesceKey, MaxBody: defaultMaxBody}
}

// defaultMaxBody is CoalesceConfig.MaxBody's default.
const defaultMaxBody = 1 << 20

// withDefaults validates c and fills in its zero fields.
func (c CoalesceConfig) withDefaults() (CoalesceConfig, error) {
	if c.MaxBody < 0 {
		return c, fieldError("CoalesceConfig.MaxBody", "is %d, must be >= 0 (0 means %d)",
			c.MaxBody, defaultMaxBody)
	}
	if c.MaxBody == 0 {
		c.MaxBody = defaultMaxBody
	}
	if c.Key == nil {
		c.Key = DefaultCoalesceKey
	}
	return c, nil
}

// Coalesce returns a middleware that lets identical GET and HEAD requests
// in flight at the same time share one upstream call (request coalescing,
// or collapsed forwarding): the first is sent; each identical request that
// arrives before its response has been read waits for it instead of
// sending its own. The sharing is golang.org/x/sync/singleflight's.
// Nothing is cached: a request that arrives once the response has been
// read sends its own.
//
// Which requests are identical is CoalesceConfig.Key's to say, within the
// rules given there; every other request passes straight through (a POST
// at the cost of a method comparison, with no allocation).
//
// Each caller gets its own *http.Response: the status and fields of the
// upstream response, its own clone of Header and Trailer, its Request set
// to the caller's own request, and its own Body over the shared bytes, so
// that reading or closing one body affects no other. A read error that
// ended the upstream body is returned by every copy after the bytes that
// came before it, never turned into a clean end. A transport error is
// returned, as it is, to every caller. The caller's request is never
// modified.
//
// Two kinds of response are never shared, and never cut short either: one
// whose body is over MaxBody, and one that sets cookies (Set-Cookie: a
// session or a token meant for one client). Such a response goes whole,
// its body a stream, to exactly one of the waiting callers, and every
// other caller then sends its own request, as if Coalesce were not there.
// No call is lost; the cost is one more upstream call per other waiting
// caller, and none for a caller that was alone. The claimed stream is
// bound to its new owner's context, and releases the upstream call when
// it is closed or read to its end.
//
// Cancellation: each caller waits under its own context, and one whose
// context ends stops waiting at once and gets its context's error, while
// the others wait on. The upstream call is therefore not bound to the
// context of the request that started it: it runs on a goroutine of its
// own, under context.WithoutCancel of that request's context (its values
// kept, its cancellation and deadline dropped), and is cancelled when its
// last waiting caller has gone, so nobody pays for an answer that nobody
// wants. The upstream body is read to its end and closed, handed on to
// the caller who claims it, or, when nobody does, drained (after that
// cancellation, so no one waits on a stalled server) and closed: no
// connection is leaked. The upstream goroutine lives as long as the call
// below it, which must honour its context.
//
// Where it sits: outermost, just inside observation, so that one shared
// call goes once through retries, breakers and limits for all its
// callers: Chain(base, coalesce, totalTimeout, retry, ...), or
// Chain(stack, coalesce) around the Transport that New builds. Stages
// below it see the shared call's context, with no deadline of its own:
// a TotalTimeout below Coalesce gives it one.
//
// Only the first caller's request is sent; its context values (a trace
// span, a net/http/httptrace.ClientTrace) see the upstream call, and the
// other callers' see none. A panic in the stages below is raised again
// on the goroutine of every caller waiting for the call.
func Coalesce(cfg CoalesceConfig) (Middleware, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &coalesceTransport{cfg: c, next: next, flights: map[string]*flight{}}
	}, nil
}

type coalesceTransport struct {
	cfg  CoalesceConfig
	next http.RoundTripper

	// group runs each upstream call and hands its result to every caller
	// that waits for it. flights counts those callers, so that a call
	// nobody waits for any more is cancelled. The two are kept in step
	// under mu: a key is in group exactly while it is in flights, and
	// each singleflight call belongs to the flight it was started with.
	group   singleflight.Group
	mu      sync.Mutex
	flights map[string]*flight // requires mu held
}

var _ http.RoundTripper = (*coalesceTransport)(nil)

// flight is one upstream call and the callers that wait for it.
type flight struct {
	ctx    context.Context // the upstream call's, detached from any caller
	cancel context.CancelFunc

	waiters int        // callers still waiting; requires mu held
	callers int        // callers that joined, gone ones included; requires mu held
	done    bool       // the upstream call has finished; requires mu held
	res     *coalesced // its result once done, nil for an error; requires mu held
}

// RoundTrip implements http.RoundTripper.
func (t *coalesceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !coalescable(req) {
		return t.next.RoundTrip(req)
	}
	key, ok := t.cfg.Key(req)
	if !ok {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, ch, callers := t.join(key, req)
	if callers > 1 && t.cfg.OnShared != nil {
		t.cfg.OnShared(key, callers)
	}
	select {
	case r := <-ch:
		return t.deliver(key, f, req, r)
	case <-ctx.Done():
		t.leave(key, f)
		return nil, ctx.Err()
	}
}

// join registers req's caller with the flight for key, starting one when
// there is none, and returns the channel its result will come on and the
// number of callers the flight serves.
func (t *coalesceTransport) join(key string, req *http.Request) (*flight, <-chan singleflight.Result, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.flights[key]
	fn := errNotJoined
	if f == nil {
		ctx, cancel := context.WithCancel(context.WithoutCancel(req.Context()))
		f = &flight{ctx: ctx, cancel: cancel}
		t.flights[key] = f
		upstream := req.WithContext(ctx)
		fn = func() (any, error) { return t.fetch(key, f, upstream) }
	}
	f.waiters++
	f.callers++
	// With f in flights, key is in group: a caller that found f joins
	// its call, and fn runs only for the caller that created f.
	return f, t.group.DoChan(key, fn), f.callers
}

// errNotJoined stands in for the upstream call when a caller joins one
// already in flight, where singleflight never calls it.
func errNotJoined() (any, error) {
	return nil, errors.New("transport: Coalesce: flight without its call (a bug)")
}

// leave unregisters a caller that got its result or stopped waiting. The
// last one to leave cancels a call still running, or discards a response
// for one caller that no caller claimed.
func (t *coalesceTransport) leave(key string, f *flight) {
	t.mu.Lock()
	f.waiters--
	var abandon bool
	var unclaimed *soloResponse
	if f.waiters == 0 {
		if !f.done {
			abandon = true
			// Later callers must start a call of their own, not join
			// this cancelled one.
			if t.flights[key] == f {
				delete(t.flights, key)
				t.group.Forget(key)
			}
		} else if f.res != nil {
			unclaimed = f.res.solo
		}
	}
	t.mu.Unlock()
	if abandon {
		f.cancel()
	}
	if unclaimed != nil {
		unclaimed.discard()
	}
}

// deliver turns the shared result into req's caller's own.
func (t *coalesceTransport) deliver(key string, f *flight, req *http.Request, r singleflight.Result) (*http.Response, error) {
	if r.Err != nil {
		t.leave(key, f)
		if p, ok := r.Err.(*upstreamPanic); ok {
			panic(p.value)
		}
		return nil, r.Err
	}
	c := r.Val.(*coalesced)
	if c.solo == nil {
		t.leave(key, f)
		return c.responseFor(req), nil
	}
	if c.solo.claimed.CompareAndSwap(false, true) {
		resp := c.solo.handTo(req)
		t.leave(key, f)
		return resp, nil
	}
	// Another caller has the response that cannot be shared: send our own
	// request.
	t.leave(key, f)
	return t.next.RoundTrip(req)
}

// fetch is the upstream call of flight f, run by singleflight on its own
// goroutine.
func (t *coalesceTransport) fetch(key string, f *flight, req *http.Request) (v any, err error) {
	var res *coalesced
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &upstreamPanic{value: p}
		}
		t.finish(key, f, res)
		if res != nil {
			v = res
		}
	}()
	res, err = t.send(f, req)
	return nil, err
}

// finish records the end of f's upstream call and releases what nobody
// will use: the call's context unless a response for one caller still
// needs it, and that response when no caller is left to claim it.
func (t *coalesceTransport) finish(key string, f *flight, res *coalesced) {
	t.mu.Lock()
	f.done, f.res = true, res
	if t.flights[key] == f {
		delete(t.flights, key)
		t.group.Forget(key)
	}
	nobody := f.waiters == 0
	t.mu.Unlock()
	switch {
	case res == nil || res.solo == nil:
		f.cancel()
	case nobody:
		res.solo.discard()
	}
}

// send makes the upstream call and reads its body, up to MaxBody.
func (t *coalesceTransport) send(f *flight, req *http.Request) (*coalesced, error) {
	if err := f.ctx.Err(); err != nil {
		return nil, err // every caller left before it started
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		drainAndClose(resp)
		return nil, err
	}
	if resp == nil {
		return nil, errors.New("transport: Coalesce: RoundTripper returned a nil *Response with a nil error")
	}
	if _, ok := resp.Header["Set-Cookie"]; ok {
		// Cookies are set for one client (a session, a CSRF token):
		// never hand one caller's to another.
		return &coalesced{solo: &soloResponse{resp: resp, cancel: f.cancel}}, nil
	}
	if resp.Body == nil || resp.Body == http.NoBody {
		return &coalesced{resp: resp}, nil
	}
	if req.Method == http.MethodHead {
		drainAndClose(resp)
		return &coalesced{resp: resp}, nil
	}
	if resp.ContentLength > t.cfg.MaxBody {
		return &coalesced{solo: &soloResponse{resp: resp, cancel: f.cancel}}, nil
	}
	limit := t.cfg.MaxBody
	if limit < math.MaxInt64 {
		limit++ // one byte more tells a body that fits from one that does not
	}
	body, rerr := readUpTo(resp.Body, limit, resp.ContentLength)
	if int64(len(body)) > t.cfg.MaxBody {
		return &coalesced{solo: &soloResponse{resp: resp, prefix: body, cancel: f.cancel}}, nil
	}
	// The body was read to its end (or its error): closing it is all
	// that is left.
	_ = resp.Body.Close()
	return &coalesced{resp: resp, body: body, err: rerr}, nil
}

// readUpTo reads r until its end, an error, or limit bytes. size, when
// known and within limit, sizes the buffer so that it is allocated once.
func readUpTo(r io.Reader, limit, size int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 && size < limit {
		n = size + 1 // room to read the end without growing
	}
	buf := make([]byte, 0, n)
	lr := io.LimitedReader{R: r, N: limit}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// upstreamPanic carries a panic of the upstream call to its callers.
type upstreamPanic struct{ value any }

func (p *upstreamPanic) Error() string { return "transport: Coalesce: upstream call panicked" }

// coalesced is the result of one upstream call, shared by its callers.
// Exactly one of resp (with body) and solo is in use.
type coalesced struct {
	resp *http.Response // the upstream response; its Body is closed
	body []byte         // the whole body, read-only
	err  error          // the error that ended the body, nil for its end
	solo *soloResponse  // a response for one caller only
}

// responseFor returns req's caller's own copy of the response.
func (c *coalesced) responseFor(req *http.Request) *http.Response {
	r := new(http.Response)
	*r = *c.resp
	r.Header = c.resp.Header.Clone()
	r.Trailer = c.resp.Trailer.Clone()
	r.Request = req
	if len(c.body) == 0 && c.err == nil {
		r.Body = http.NoBody
	} else {
		b := &sharedBody{err: c.err}
		b.r.Reset(c.body)
		r.Body = b
	}
	return r
}

// sharedBody is one caller's reader over the shared bytes. It offers Read
// and Close only (no WriteTo), so that io.Copy sees its error and its
// closing too.
type sharedBody struct {
	r      bytes.Reader
	err    error // returned in place of io.EOF
	closed atomic.Bool
}

func (b *sharedBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.r.Read(p)
	if err == io.EOF && b.err != nil {
		err = b.err
	}
	return n, err
}

func (b *sharedBody) Close() error {
	b.closed.Store(true)
	return nil
}

// soloResponse is an upstream response that is not shared (its body is
// over MaxBody, or it sets cookies): it goes whole, its body a stream, to
// the one caller that claims it, and is discarded when none does. Whoever
// wins claimed owns it.
type soloResponse struct {
	claimed atomic.Bool
	resp    *http.Response     // the upstream response, Body still open
	prefix  []byte             // what was read of Body already
	cancel  context.CancelFunc // the upstream call's context
}

// handTo gives the stream to req's caller, who has claimed it. The
// caller's context now bounds the read, and closing the body (or reading
// it to its end) releases the upstream call's context.
func (b *soloResponse) handTo(req *http.Request) *http.Response {
	resp := b.resp
	resp.Request = req
	body := resp.Body
	if body == nil || body == http.NoBody {
		resp.Body = http.NoBody
		b.cancel()
		return resp
	}
	if len(b.prefix) > 0 {
		body = readCloser{io.MultiReader(bytes.NewReader(b.prefix), resp.Body), resp.Body}
	}
	stop := context.AfterFunc(req.Context(), b.cancel)
	resp.Body = &releasingBody{ReadCloser: body, release: func() { stop(); b.cancel() }}
	return resp
}

// discard closes the stream if no caller has claimed it. The call's
// context is cancelled first, so that the drain does not wait on a
// stalled server.
func (b *soloResponse) discard() {
	if b.claimed.CompareAndSwap(false, true) {
		b.cancel()
		drainAndClose(b.resp)
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// coalescable reports whether req may share an upstream call at all,
// whatever the Key: a GET or HEAD without a body, that asks for no
// protocol upgrade and accepts an answer that was already on its way.
func coalescable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, "", http.MethodHead:
	default:
		return false
	}
	if req.Body != nil && req.Body != http.NoBody {
		return false
	}
	h := req.Header
	if len(h) == 0 {
		return true
	}
	if _, ok := h["Upgrade"]; ok {
		return false
	}
	for _, v := range h["Cache-Control"] {
		if forbidsShared(v, false) {
			return false
		}
	}
	for _, v := range h["Pragma"] {
		if forbidsShared(v, true) {
			return false
		}
	}
	return true
}

// forbidsShared reports whether a Cache-Control (or, with pragma, a
// Pragma) header value holds no-cache, no-store or max-age=0.
func forbidsShared(v string, pragma bool) bool {
	for v != "" {
		var d string
		d, v, _ = strings.Cut(v, ",")
		name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "no-cache"):
			return true
		case pragma:
		case strings.EqualFold(name, "no-store"):
			return true
		case strings.EqualFold(name, "max-age"):
			if strings.Trim(strings.TrimSpace(arg), `"`) == "0" {
				return true
			}
		}
	}
	return false
}

// DefaultCoalesceKey is the Key that a nil CoalesceConfig.Key stands for.
// Two requests get the same key when they have the same method, URL
// (userinfo and query included), Host, and request headers, name by name
// and value by value in order, except those that name a request rather
// than ask a question and so never change the answer: Traceparent,
// Tracestate, B3, X-B3-*, Uber-Trace-Id, X-Amzn-Trace-Id,
// X-Cloud-Trace-Context, Sentry-Trace, X-Request-Id and X-Correlation-Id.
//
// Every other header counts, not a fixed list of the usual suspects
// (Accept, Accept-Encoding, Accept-Language, Authorization, Cookie,
// Range...): a list would let two users' requests that differ only in a
// header of the server's own (X-Api-Key, X-Tenant) share one answer. A
// header that changes per request and is not listed (a nonce, a custom
// request id) merely stops such requests from sharing; write a Key that
// leaves it out, or set it in a stage below Coalesce.
//
// The key is "METHOD scheme://host/path #hash", the hash (128 bits of
// SHA-256) covering all of the above: safe to log, as it carries no
// credentials, no query and no header value. It never reports ok=false;
// Coalesce applies its own rules before any Key (see CoalesceConfig.Key).
func DefaultCoalesceKey(req *http.Request) (key string, ok bool) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	full := req.URL.String()

	var scratch [512]byte
	b := scratch[:0]
	b = appendField(b, method)
	b = appendField(b, full)
	b = appendField(b, req.Host)
	var namesScratch [32]string
	names := namesScratch[:0]
	for name := range req.Header {
		if !requestIDHeader(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		vals := req.Header[name]
		b = appendField(b, name)
		b = strconv.AppendInt(b, int64(len(vals)), 10)
		for _, v := range vals {
			b = appendField(b, v)
		}
	}
	sum := sha256.Sum256(b)

	where := full
	if u := req.URL; u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		shown := *u
		shown.User, shown.RawQuery, shown.ForceQuery, shown.Fragment, shown.RawFragment = nil, "", false, "", ""
		where = shown.String()
	}
	var hash [2 * 16]byte
	hex.Encode(hash[:], sum[:16])
	var k strings.Builder
	k.Grow(len(method) + len(where) + 3 + len(hash))
	k.WriteString(method)
	k.WriteByte(' ')
	k.WriteString(where)
	k.WriteString(" #")
	k.Write(hash[:])
	return k.String(), true
}

// appendField appends s with its length before it, so that fields cannot
// run into each other.
func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

// requestIDHeader reports whether the (canonical) header name is one that
// traces or names a request without changing its answer.
func requestIDHeader(name string) bool {
	switch name {
	case "Traceparent", "Tracestate", "B3", "Uber-Trace-Id", "X-Amzn-Trace-Id",
		"X-Cloud-Trace-Context", "Sentry-Trace", "X-Request-Id", "X-Correlation-Id":
		return true
	}
	return strings.HasPrefix(name, "X-B3-")
}
