package fleetsim

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// callKey keys a call's state in its context: every library under test
// passes its caller's context values down to the attempts, so the backend
// can tell whose attempt it sees, and which attempt of that call it is.
type callKey struct{}

// call is what the backend knows of the call an attempt belongs to.
type call struct {
	id       uint64
	attempts atomic.Int32
}

// errNoCall is what the backend answers an attempt whose context lost its
// call: the library under test did not pass its caller's context down,
// which would make the run's counts wrong.
var errNoCall = errors.New("fleetsim: a request without its call's context")

// job is one request inside the backend, queued or in service. Its ctx
// is the attempt's: the backend never looks at it before the work is
// done, as a real server cannot (it is how the waste is counted).
type job struct {
	ctx     context.Context
	service time.Duration
	done    chan struct{} // closed when served
}

// backend is the model server that every client of a fleet shares: an
// http.RoundTripper with cfg.Workers workers behind a FIFO queue bounded
// at cfg.Queue, struck by one trigger. It keeps its own per-second counts
// (requests, rejections, queue depth, work and wasted work).
type backend struct {
	cfg   Config
	trig  Trigger
	start time.Time // time zero of the run

	orphans atomic.Int64 // attempts that came without their call

	mu      sync.Mutex
	busy    int    // requests in service
	queue   []*job // FIFO; queue[head:] wait
	head    int
	seconds []Second // the backend's fields of each second
}

var _ http.RoundTripper = (*backend)(nil)

func newBackend(cfg Config, trig Trigger, start time.Time) *backend {
	b := &backend{cfg: cfg, trig: trig, start: start}
	if trig == CapacityHalves {
		// When the workers come back, the queue must not wait for the
		// next request or completion to start them.
		time.AfterFunc(cfg.TriggerEnd(), func() {
			b.mu.Lock()
			b.dispatchLocked(time.Now())
			b.mu.Unlock()
		})
	}
	return b
}

// during says whether the trigger is on at now.
func (b *backend) during(now time.Time) bool {
	el := now.Sub(b.start)
	return el >= b.cfg.TriggerStart() && el < b.cfg.TriggerEnd()
}

func (b *backend) capacity(now time.Time) int {
	if b.trig == CapacityHalves && b.during(now) {
		return b.cfg.Workers / 2
	}
	return b.cfg.Workers
}

// RoundTrip queues req and waits for its answer, or for its context to
// end: then it returns the context's error at once, as net/http does,
// while the request stays in the queue.
func (b *backend) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	ctx := req.Context()
	c, ok := ctx.Value(callKey{}).(*call)
	if !ok {
		b.orphans.Add(1)
		return nil, errNoCall
	}
	if err := ctx.Err(); err != nil {
		return nil, err // net/http sends nothing for a context already done
	}
	attempt := c.attempts.Add(1) - 1
	now := time.Now()

	b.mu.Lock()
	sec := b.secondLocked(now)
	sec.Sent++
	if b.trig == Outage && b.during(now) {
		sec.Rejected++
		b.mu.Unlock()
		return respond(req, http.StatusServiceUnavailable, 0), nil
	}
	j := &job{ctx: ctx, service: b.serviceTime(c.id, attempt), done: make(chan struct{})}
	switch {
	case b.busy < b.capacity(now):
		b.startLocked(j, now)
	case len(b.queue)-b.head < b.cfg.Queue:
		b.queue = append(b.queue, j)
		sec.QueueMax = max(sec.QueueMax, len(b.queue)-b.head)
	default:
		sec.Rejected++
		b.mu.Unlock()
		return respond(req, http.StatusServiceUnavailable, b.cfg.RetryAfter), nil
	}
	b.mu.Unlock()

	select {
	case <-j.done:
		return respond(req, http.StatusOK, 0), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serviceTime draws the service time of a call's attempt from a source of
// its own, seeded from (seed, call, attempt): the order in which requests
// reach the backend cannot change the draw.
func (b *backend) serviceTime(id uint64, attempt int32) time.Duration {
	r := rand.New(rand.NewPCG(mix(b.cfg.Seed^mix(id)), uint64(attempt)))
	sigma := b.cfg.Spread
	mu := math.Log(float64(b.cfg.Service)) - sigma*sigma/2 // so that the mean is Service
	return time.Duration(math.Exp(mu + sigma*r.NormFloat64()))
}

// startLocked puts j in service. Requires b.mu held.
func (b *backend) startLocked(j *job, now time.Time) {
	b.busy++
	d := j.service
	if b.trig == LatencyTenfold && b.during(now) {
		d *= 10
	}
	time.AfterFunc(d, func() { b.finish(j, d) })
}

// finish ends j's service, counts its work (wasted when its caller is
// gone) and starts the next queued requests.
func (b *backend) finish(j *job, d time.Duration) {
	now := time.Now()
	b.mu.Lock()
	b.busy--
	sec := b.secondLocked(now)
	sec.Served++
	sec.Work += d
	if j.ctx.Err() != nil {
		sec.WastedWork += d
	}
	b.dispatchLocked(now)
	b.mu.Unlock()
	close(j.done)
}

// dispatchLocked starts queued requests while workers are free. Requires
// b.mu held.
func (b *backend) dispatchLocked(now time.Time) {
	for b.busy < b.capacity(now) && b.head < len(b.queue) {
		j := b.queue[b.head]
		b.queue[b.head] = nil
		b.head++
		b.startLocked(j, now)
	}
	if b.head == len(b.queue) {
		b.queue, b.head = b.queue[:0], 0
	} else if b.head > 1024 && b.head > len(b.queue)/2 {
		n := copy(b.queue, b.queue[b.head:])
		clear(b.queue[n:])
		b.queue, b.head = b.queue[:n], 0
	}
}

// secondLocked returns the bin of now, adding the bins up to it; a new
// bin's queue depth starts at the depth it finds. Requires b.mu held.
func (b *backend) secondLocked(now time.Time) *Second {
	i := int(now.Sub(b.start) / time.Second)
	for len(b.seconds) <= i {
		b.seconds = append(b.seconds, Second{QueueMax: len(b.queue) - b.head})
	}
	return &b.seconds[i]
}

// idle says whether nothing is queued or in service.
func (b *backend) idle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.busy == 0 && b.head == len(b.queue)
}

// respond builds an answer without a body, as a server's would arrive.
func respond(req *http.Request, code int, retryAfter time.Duration) *http.Response {
	h := http.Header{}
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}
	return &http.Response{
		Status:     strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode: code,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       http.NoBody,
		Request:    req,
	}
}

// mix is SplitMix64's finaliser: nearby inputs give unrelated outputs, so
// seeds derived from (seed, index) do not overlap.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
