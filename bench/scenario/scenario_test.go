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
