package scenario_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/bench/scenario"
	"github.com/resilient-go/resilient/internal/chaos"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tiny is an incident in under two seconds: healthy, outage, brownout,
// healthy again, at 100 calls/s.
func tiny(clients ...scenario.Client) *scenario.Scenario {
	return &scenario.Scenario{
		Name: "tiny",
		Phases: []scenario.Phase{
			{Name: "healthy", Duration: 300 * time.Millisecond, Rate: 100},
			{Name: "outage", Duration: 300 * time.Millisecond, Rate: 100,
				Fault: chaos.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable}},
			{Name: "brownout", Duration: 400 * time.Millisecond, Rate: 100, Throttle: true},
			{Name: "healed", Duration: 300 * time.Millisecond, Rate: 100},
		},
		Backend:    scenario.Backend{ServiceMin: time.Millisecond, ServiceMax: 2 * time.Millisecond},
		Deadline:   500 * time.Millisecond,
		Healed:     3,
		Clients:    clients,
		Concurrent: true,
		Seed:       1,
	}
}

// Every contender runs a tiny incident with its invariants checked, and
// the figures tell the clients apart as they must.
func TestTinyIncident(t *testing.T) {
	sc := tiny(scenario.Plain(), scenario.RetryableHTTP(), scenario.Failsafe(), scenario.Resilient())
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clients) != 4 {
		t.Fatalf("%d client results, want 4", len(res.Clients))
	}
	for _, c := range res.Clients {
		all := c.Summarize(sc, scenario.All(sc)...)
		if all.Calls < 100 {
			t.Errorf("%s: %d calls, want about 130", c.Client.Name, all.Calls)
		}
		if healthy := c.Summarize(sc, 0); healthy.SuccessRate() < 0.9 {
			t.Errorf("%s: %.0f%% success while healthy", c.Client.Name, 100*healthy.SuccessRate())
		}
	}
	plain, ours := res.Clients[0], res.Clients[3]
	outage := plain.Summarize(sc, 1)
	if outage.OK() != 0 || outage.AttemptsPerCall() != 1 {
		t.Errorf("plain in the outage: %d ok, %.2f attempts per call; want 0 and exactly 1", outage.OK(), outage.AttemptsPerCall())
	}
	if all := plain.Summarize(sc, scenario.All(sc)...); int64(all.Attempts) != plain.Attempts {
		t.Errorf("plain: calls made %d attempts, the pool saw %d", all.Attempts, plain.Attempts)
	}
	pb, ob := plain.Summarize(sc, 2, 3), ours.Summarize(sc, 2, 3)
	if pb.Intrusions < 20 || ob.Intrusions*2 > pb.Intrusions {
		t.Errorf("requests while asked to stay away: plain %d, resilient %d; want plain ≥ 20 and resilient under half of it",
			pb.Intrusions, ob.Intrusions)
	}
}

// A client that breaks the RoundTripper contract fails the run, rather
// than printing a table.
func TestBrokenClientFails(t *testing.T) {
	leaky := scenario.Client{
		Name:   "leaks bodies",
		Strict: true,
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
				resp, err := base.RoundTrip(req)
				if err != nil {
					return nil, err
				}
				// Drops the response it got and makes up another: the
				// connection under the first is never released.
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req, Header: resp.Header}, nil
			}), nil
		},
	}
	sc := tiny(leaky)
	sc.Phases = sc.Phases[:1]
	sc.Healed = -1
	_, err := scenario.Run(context.Background(), sc, nil)
	if !errors.Is(err, scenario.ErrInvariant) {
		t.Fatalf("Run = %v, want an error wrapping ErrInvariant", err)
	}
	t.Log(err)
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestValidate(t *testing.T) {
	sc := tiny(scenario.Plain())
	sc.Phases[1].Name = "healthy"
	if err := sc.Validate(); !errors.Is(err, scenario.ErrInvalidScenario) {
		t.Errorf("repeated phase name: Validate = %v, want ErrInvalidScenario", err)
	}
	sc = tiny(scenario.Plain())
	sc.Deadline = 0
	if err := sc.Validate(); !errors.Is(err, scenario.ErrInvalidScenario) {
		t.Errorf("zero deadline: Validate = %v, want ErrInvalidScenario", err)
	}
	if err := tiny(scenario.Plain()).Validate(); err != nil {
		t.Errorf("tiny: %v", err)
	}
}

// tinyReplicas is three replicas, the third of which degrades (90 % of
// its requests answered 503, the rest 10× slower) for half a second.
func tinyReplicas() *scenario.Scenario {
	return &scenario.Scenario{
		Name: "tiny replicas",
		Phases: []scenario.Phase{
			{Name: "healthy", Duration: 300 * time.Millisecond, Rate: 200},
			{Name: "degraded", Duration: 600 * time.Millisecond, Rate: 200,
				Fault: chaos.Phase{Status: 0.9}, SlowEvery: 1},
			{Name: "recovered", Duration: 200 * time.Millisecond, Rate: 200},
		},
		Backend:  scenario.Backend{ServiceMin: 2 * time.Millisecond, ServiceMax: 4 * time.Millisecond, SlowFactor: 10},
		Deadline: time.Second, Healed: 2,
		Replicas: 3, Faulty: 2,
		Clients:    scenario.Replicas(),
		Concurrent: true,
		Seed:       1,
	}
}

// Three replicas, one degrades: each client's invariants hold, the
// naive rotation keeps sending the bad replica its third, and Peak EWMA
// with ejection takes it out and succeeds at least as often.
func TestTinyReplicas(t *testing.T) {
	sc := tinyReplicas()
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	const bad = 2
	for _, c := range res.Clients {
		s := c.Summarize(sc, 1)
		t.Logf("%-26s degraded: %5.1f%% ok, p99 %v, replica 3's share %4.1f%%, %.2f attempts/call",
			c.Client.Name, 100*s.SuccessRate(), s.P99, 100*s.Share(bad), s.AttemptsPerCall())
		if healthy := c.Summarize(sc, 0); healthy.SuccessRate() < 0.9 || len(healthy.Replicas) != 3 {
			t.Errorf("%s: %.0f%% success while healthy, %d replicas counted", c.Client.Name, 100*healthy.SuccessRate(), len(healthy.Replicas))
		}
		if all := c.Summarize(sc, scenario.All(sc)...); all.Replicas[0] == 0 || all.Replicas[1] == 0 {
			t.Errorf("%s: a healthy replica got no request: %v", c.Client.Name, all.Replicas)
		}
	}
	rot, ewma := res.Clients[0].Summarize(sc, 1), res.Clients[2].Summarize(sc, 1)
	if s := rot.Share(bad); s < 0.25 || s > 0.42 {
		t.Errorf("naive rotation: replica 3's share while degraded %.1f%%, want about a third", 100*s)
	}
	if ewma.Share(bad) > rot.Share(bad)/2 {
		t.Errorf("Peak EWMA: replica 3's share while degraded %.1f%%, rotation %.1f%%: want under half of it",
			100*ewma.Share(bad), 100*rot.Share(bad))
	}
	if ewma.SuccessRate() < rot.SuccessRate() {
		t.Errorf("success while degraded: Peak EWMA %.1f%%, rotation %.1f%%", 100*ewma.SuccessRate(), 100*rot.SuccessRate())
	}
	points := res.Clients[0].Timeline(sc, 100*time.Millisecond)
	if p := points[len(points)/2]; len(p.Shares) != 3 || p.Shares[0]+p.Shares[1]+p.Shares[2] < 0.99 {
		t.Errorf("timeline point %v: shares %v, want three summing to 1", p.T, p.Shares)
	}
}

func TestValidateReplicas(t *testing.T) {
	sc := tinyReplicas()
	sc.Clients = []scenario.Client{scenario.Plain()}
	if err := sc.Validate(); !errors.Is(err, scenario.ErrInvalidScenario) {
		t.Errorf("a client without NewReplicas: Validate = %v, want ErrInvalidScenario", err)
	}
	sc = tinyReplicas()
	sc.Faulty = 3
	if err := sc.Validate(); !errors.Is(err, scenario.ErrInvalidScenario) {
		t.Errorf("Faulty past the replicas: Validate = %v, want ErrInvalidScenario", err)
	}
	if err := tinyReplicas().Validate(); err != nil {
		t.Errorf("tiny replicas: %v", err)
	}
}

// A Quota phase serves its quota and answers the rest 429: a plain
// client offered three times the quota sees about a third served, and
// the rest of its requests throttled.
func TestQuotaPhase(t *testing.T) {
	sc := &scenario.Scenario{
		Name: "quota",
		Phases: []scenario.Phase{
			{Name: "quota", Duration: time.Second, Rate: 150, Quota: 50},
		},
		Backend:  scenario.Backend{ServiceMin: time.Millisecond, ServiceMax: 2 * time.Millisecond},
		Deadline: 500 * time.Millisecond, Healed: -1,
		Clients: []scenario.Client{scenario.Plain()}, Seed: 1,
	}
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Clients[0].Summarize(sc, 0)
	if s.OK() < 40 || s.OK() > 70 || s.Throttled < 70 {
		t.Fatalf("%d of %d calls served, %d answered 429: want about 55 served (50/s and a burst of 5) and the rest throttled", s.OK(), s.Calls, s.Throttled)
	}
}

// A Refuse phase refuses connections (nothing reaches the server, the
// calls fail at once with a connection error), and the server listens
// again on the same address when it ends.
func TestRefusePhase(t *testing.T) {
	sc := &scenario.Scenario{
		Name: "refused",
		Phases: []scenario.Phase{
			{Name: "healthy", Duration: 300 * time.Millisecond, Rate: 50},
			{Name: "refused", Duration: 400 * time.Millisecond, Rate: 50, Refuse: true},
			{Name: "recovered", Duration: 400 * time.Millisecond, Rate: 50},
		},
		Backend:  scenario.Backend{ServiceMin: time.Millisecond, ServiceMax: 2 * time.Millisecond},
		Deadline: 500 * time.Millisecond, Healed: 2,
		Clients: []scenario.Client{scenario.Plain()}, Seed: 1,
	}
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Clients[0]
	healthy, refused, recovered := r.Summarize(sc, 0), r.Summarize(sc, 1), r.Summarize(sc, 2)
	// The phases' edges are the server's clock against the caller's: a
	// call or two at each edge may land on the other side.
	if refused.OK() > 2 || r.Backend[1] > 2 || refused.P50 > 50*time.Millisecond {
		t.Errorf("refused: %d of %d ok, %d reached the server, p50 %v: want none, at once", refused.OK(), refused.Calls, r.Backend[1], refused.P50)
	}
	if healthy.SuccessRate() < 0.9 || recovered.SuccessRate() < 0.9 {
		t.Errorf("success healthy %.2f, recovered %.2f: want the server serving before and after", healthy.SuccessRate(), recovered.SuccessRate())
	}
}

// A closed-loop phase keeps its callers busy back to back: with 4
// callers and 2–3 ms per call, about 1,600 calls in a second; and a phase
// cannot be both open and closed loop.
func TestClosedLoopPhase(t *testing.T) {
	sc := &scenario.Scenario{
		Name: "closed",
		Phases: []scenario.Phase{
			{Name: "closed", Duration: time.Second, Callers: 4},
		},
		Backend:  scenario.Backend{ServiceMin: 2 * time.Millisecond, ServiceMax: 3 * time.Millisecond},
		Deadline: 500 * time.Millisecond, Healed: -1,
		Clients: []scenario.Client{scenario.Plain()}, Seed: 1,
	}
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Clients[0].Summarize(sc, 0)
	// 4 callers × 1 s / 2.5 ms = 1,600 at most; a loaded machine gets fewer.
	if s.Calls < 200 || s.Calls > 1700 || s.SuccessRate() < 0.99 {
		t.Errorf("%d calls, %.1f%% ok: want 4 callers back to back (up to 1,600), all served", s.Calls, 100*s.SuccessRate())
	}
	sc.Phases[0].Rate = 10
	if err := sc.Validate(); err == nil {
		t.Error("Validate accepted a phase with both Rate and Callers")
	}
}
