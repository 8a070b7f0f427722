package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/goleak"
)

// Outcome is how a call ended, as its caller saw it.
type Outcome int

// The outcomes. A call that failed with no attempt sent is Local, unless
// its deadline passed first (a wait in a queue, say): then it is Deadline.
const (
	// OK: a 200 and its whole body.
	OK Outcome = iota
	// Status: a response with another status (503, 429...).
	Status
	// Local: an error, and not a single attempt was sent: the library
	// refused the call itself (an open breaker, a pause, a full queue).
	Local
	// Deadline: the caller's deadline passed first.
	Deadline
	// Other: any other error.
	Other
	numOutcomes
)

var outcomeNames = [numOutcomes]string{OK: "ok", Status: "error status", Local: "failed fast, unsent", Deadline: "deadline", Other: "other error"}

func (o Outcome) String() string { return outcomeNames[o] }

// Call is one call as it ended.
type Call struct {
	// Phase is the index of the phase in which the call started.
	Phase int
	// Start is when it started, from the start of the traffic.
	Start time.Duration
	// Latency is how long the caller waited for it, body included.
	Latency time.Duration
	// Attempts is how many attempts of it reached the pool.
	Attempts int
	Outcome  Outcome
}

// ClientResult is what one client did in a scenario.
type ClientResult struct {
	Client Client
	// Calls holds every call, in the order they ended.
	Calls []Call
	// Attempts is every attempt the client sent to the pool.
	Attempts int64
	// Sent holds, per phase, the attempts the client sent to the pool
	// while the phase lasted (by the client's clock), whichever call they
	// belong to: the load an outage saw, connections refused included.
	Sent []int64
	// Unclosed counts the response bodies that the pool handed to the
	// library and that nobody closed: the library dropped a response
	// (a retried one, say) without closing it. Its connection is not
	// reused, and only the end of the caller's context releases it.
	Unclosed int64
	// Backend holds, per phase (by the server's clock), the requests that
	// reached the server, those answered 429, and those that arrived
	// while the server had asked the client to stay away (Retry-After);
	// summed over the replicas when there are several.
	Backend, Throttled, Intrusions []int64
	// Replicas holds, per replica and then per phase, the requests that
	// reached it (one replica for a single backend).
	Replicas [][]int64
	// Arrivals holds, per replica, when each request reached it, from the
	// start of the traffic; recorded in a scenario with Replicas only.
	Arrivals [][]time.Duration
}

// Result is one scenario's run.
type Result struct {
	Scenario *Scenario
	Clients  []ClientResult
	// Checked lists the invariants the run verified.
	Checked []string
}

// lateness is how far past its deadline a call may end before the run
// calls it a broken contract: generous, for a loaded 2-core machine.
const lateness = time.Second

// Checks made by every run, in the words the report prints.
var checks = []string{
	"every call ended in exactly one of a response or an error, within its deadline (+1 s of slack)",
	"every response body that the pool handed to resilient (or to the plain client) was closed; a peer's unclosed bodies are counted and shown",
	"every server connection was closed once the client's idle ones were",
	"no goroutine outlived the run",
	"every attempt carried its call's context, and the server saw no more requests than were sent",
}

// ErrInvariant is wrapped by every broken invariant that Run reports.
var ErrInvariant = errors.New("scenario: invariant broken")

// Run plays sc against each of its clients and checks the run's
// invariants. It returns an error wrapping ErrInvariant when one is
// broken: the figures of such a run mean nothing. progress, if not nil,
// gets a line per client.
func Run(ctx context.Context, sc *Scenario, progress io.Writer) (*Result, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	ignore := goleak.IgnoreCurrent()
	res := &Result{Scenario: sc, Clients: make([]ClientResult, len(sc.Clients)), Checked: checks}
	errs := make([]error, len(sc.Clients))
	runOne := func(i int) {
		res.Clients[i], errs[i] = runClient(ctx, sc, sc.Clients[i])
		if progress != nil {
			fmt.Fprintf(progress, "  %-10s %-28s %5d calls %s\n", sc.Name, sc.Clients[i].Name, len(res.Clients[i].Calls), status(errs[i]))
		}
	}
	if sc.Concurrent {
		var wg sync.WaitGroup
		for i := range sc.Clients {
			wg.Go(func() { runOne(i) })
		}
		wg.Wait()
	} else {
		for i := range sc.Clients {
			runOne(i)
			if errs[i] != nil {
				break
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := goleak.Find(ignore); err != nil {
		return nil, fmt.Errorf("%w: %s: goroutines outlived the run: %v", ErrInvariant, sc.Name, err)
	}
	return res, nil
}

func status(err error) string {
	if err != nil {
		return "FAILED"
	}
	return "ok"
}

// runClient plays the schedule against one client and its own backend.
func runClient(ctx context.Context, sc *Scenario, c Client) (ClientResult, error) {
	out := ClientResult{Client: c}
	fail := func(format string, args ...any) (ClientResult, error) {
		return out, fmt.Errorf("%w: %s / %s: %s", ErrInvariant, sc.Name, c.Name, fmt.Sprintf(format, args...))
	}
	var backends []*backend
	defer func() {
		for _, be := range backends {
			be.close()
		}
	}()
	for i := range sc.replicas() {
		be, err := newBackend(sc, i)
		if err != nil {
			return out, err
		}
		backends = append(backends, be)
	}
	pool := newPool()
	defer pool.CloseIdleConnections()
	cnt := &counter{next: pool}
	var (
		rt  http.RoundTripper
		err error
		url string
	)
	if sc.Replicas > 1 {
		addrs := make([]string, len(backends))
		for i, be := range backends {
			addrs[i] = be.server.Listener.Addr().String()
		}
		rt, err = c.NewReplicas(cnt, addrs)
		url = "http://" + ReplicaHost + "/item"
	} else {
		rt, err = c.New(cnt)
		url = backends[0].server.URL + "/item"
	}
	if err != nil {
		return out, fmt.Errorf("scenario: %s / %s: %w", sc.Name, c.Name, err)
	}
	if cl, ok := rt.(io.Closer); ok {
		defer func() { _ = cl.Close() }()
	}

	var (
		mu       sync.Mutex
		broken   []string // contract violations seen by calls
		inflight sync.WaitGroup
	)
	record := func(call Call, violation string) {
		mu.Lock()
		defer mu.Unlock()
		out.Calls = append(out.Calls, call)
		if violation != "" && len(broken) < 5 {
			broken = append(broken, violation)
		}
	}
	start := time.Now()
	for _, be := range backends {
		be.start(start)
	}
	cnt.sc, cnt.start, cnt.sent = sc, start, make([]atomic.Int64, len(sc.Phases)) // before the first call
	end := sc.Duration()
	tick := time.NewTicker(time.Millisecond)
	started := 0
	var closedLoop atomic.Int64 // calls started by the closed-loop callers
	looped := -1                // the last phase whose callers were started
traffic:
	for {
		select {
		case <-ctx.Done():
			break traffic
		case <-tick.C:
		}
		elapsed := min(time.Since(start), end)
		phase := sc.phaseAt(elapsed)
		for due := sc.callsDue(elapsed); started < due; started++ {
			inflight.Go(func() { record(doCall(ctx, sc, rt, url, phase, start)) })
		}
		if n := sc.Phases[phase].Callers; n > 0 && looped < phase {
			looped = phase
			phaseEnd := sc.PhaseStart(phase) + sc.Phases[phase].Duration
			for range n {
				inflight.Go(func() {
					for ctx.Err() == nil && time.Since(start) < phaseEnd {
						closedLoop.Add(1)
						record(doCall(ctx, sc, rt, url, phase, start))
					}
				})
			}
		}
		if elapsed == end {
			// The calls due by the end have started (the last ones late
			// by at most a tick): every client gets the same calls.
			break
		}
	}
	tick.Stop()

	// Every call must end, by its deadline; a library that ignores the
	// caller's context would hang the run, so give up waiting (and fail)
	// well past the deadline.
	done := make(chan struct{})
	go func() { inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(sc.Deadline + 10*time.Second):
		mu.Lock()
		n := len(out.Calls)
		mu.Unlock()
		all := started + int(closedLoop.Load())
		return fail("%d of %d calls never ended", all-n, all)
	}
	started += int(closedLoop.Load())
	if len(out.Calls) != started {
		return fail("%d calls started, %d ended", started, len(out.Calls))
	}
	if len(broken) > 0 {
		return fail("%d+ calls broke the contract, e.g. %v", len(broken), broken)
	}
	for _, be := range backends {
		if err := be.refusalErr(); err != nil {
			return out, err
		}
	}

	// Let go of the client's idle connections: every server connection
	// must then close. One that stays open is held by a response body
	// that nobody closed (or a request still in flight).
	if ci, ok := rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
	pool.CloseIdleConnections()
	openConns := func() int64 {
		var n int64
		for _, be := range backends {
			n += be.openConns()
		}
		return n
	}
	if !eventually(3*time.Second, func() bool { return openConns() == 0 }) {
		return fail("%d server connections still open after the client closed its idle ones", openConns())
	}
	out.Unclosed = cnt.bodies.Load() - cnt.closed.Load()
	if out.Unclosed != 0 && c.Strict {
		return fail("%d response bodies handed to the library, %d closed", cnt.bodies.Load(), cnt.closed.Load())
	}
	if n := cnt.orphans.Load(); n > 0 {
		return fail("%d attempts without their call's context", n)
	}
	out.Attempts = cnt.attempts.Load()
	for i := range cnt.sent {
		out.Sent = append(out.Sent, cnt.sent[i].Load())
	}
	out.Backend = make([]int64, len(sc.Phases))
	out.Throttled = make([]int64, len(sc.Phases))
	out.Intrusions = make([]int64, len(sc.Phases))
	var seen uint64
	for _, be := range backends {
		stats := be.injector.Stats()
		seen += stats.Requests
		perPhase := make([]int64, len(sc.Phases))
		for i, p := range stats.Phases {
			perPhase[i] = int64(p.Requests)
			out.Backend[i] += int64(p.Requests)
			out.Throttled[i] += be.throttled[i].Load()
			out.Intrusions[i] += be.intrusions[i].Load()
		}
		out.Replicas = append(out.Replicas, perPhase)
		out.Arrivals = append(out.Arrivals, be.arrivals())
	}
	if int64(seen) > out.Attempts {
		return fail("the servers saw %d requests, the client sent %d attempts", seen, out.Attempts)
	}
	return out, nil
}

// doCall makes one GET as a caller would, with its own deadline, straight
// through the RoundTripper (http.Client would paper over a RoundTripper
// that returns both a response and an error, or neither), and reports how
// it ended and any broken contract.
func doCall(ctx context.Context, sc *Scenario, rt http.RoundTripper, url string, phase int, traffic time.Time) (Call, string) {
	ctx, cancel := context.WithTimeout(ctx, sc.Deadline)
	defer cancel()
	cc := &callCounter{}
	req, err := http.NewRequestWithContext(withCallCounter(ctx, cc), http.MethodGet, url, nil)
	if err != nil {
		panic(err) // a loopback URL of our own: cannot fail
	}
	t0 := time.Now()
	resp, err := rt.RoundTrip(req)
	var violation string
	switch {
	case resp != nil && err != nil:
		violation = "a response and an error"
		_ = resp.Body.Close()
		resp = nil
	case resp == nil && err == nil:
		violation = "neither a response nor an error"
		err = errors.New("no response")
	case resp != nil && resp.Body == nil:
		violation = "a response without a body"
		resp = nil
		err = errors.New("no body")
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	call := Call{
		Phase:    phase,
		Start:    t0.Sub(traffic),
		Latency:  time.Since(t0),
		Attempts: int(cc.attempts.Load()),
	}
	if violation == "" && call.Latency > sc.Deadline+lateness {
		violation = fmt.Sprintf("ended %v after a %v deadline", call.Latency.Round(time.Millisecond), sc.Deadline)
	}
	switch {
	case err == nil && status == http.StatusOK:
		call.Outcome = OK
	case err == nil:
		call.Outcome = Status
	case errors.Is(err, context.DeadlineExceeded):
		call.Outcome = Deadline
	case call.Attempts == 0:
		call.Outcome = Local
	default:
		call.Outcome = Other
	}
	return call, violation
}

// eventually polls cond until it holds or d has passed.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
