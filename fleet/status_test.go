package fleet_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// redisAway is a limiter of 5 calls a minute for 5 replicas whose Redis
// does not listen; its breaker, once tripped, stays open for the test.
func redisAway(t *testing.T) *fleet.Limiter {
	t.Helper()
	l, err := fleet.New(fleet.Config{
		Redis: unreachable(t), Limit: redis_rate.PerMinute(5), ExpectedReplicas: 5,
		Breaker: &breaker.Config{ConsecutiveFailures: 3, BreakDuration: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// statusPage serves a status page with l's section and returns the
// response to target.
func statusPage(t *testing.T, l *fleet.Limiter, target string) string {
	t.Helper()
	page, err := statusz.New(statusz.Config{
		Snapshot: func() transport.Snapshot { return transport.Snapshot{} },
		Sections: []statusz.Section{fleet.StatusSection(l)},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// fleetRows decodes the JSON status page and returns the rows of the
// fleet section by name.
func fleetRows(t *testing.T, body string) map[string]statusz.Row {
	t.Helper()
	var st statusz.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Sections) != 1 || st.Sections[0].Title != fleet.StatusTitle || st.Sections[0].Error != "" {
		t.Fatalf("sections %+v, want one titled %q without error", st.Sections, fleet.StatusTitle)
	}
	rows := map[string]statusz.Row{}
	for _, r := range st.Sections[0].Rows {
		rows[r.Name] = r
	}
	return rows
}

// TestStatusSectionRedisAway shows, on the status page, a limiter whose
// Redis is unreachable: its breaker open (bad, and named in the summary),
// every call decided by the fallback, Redis errors counted.
func TestStatusSectionRedisAway(t *testing.T) {
	l := redisAway(t)
	for range 8 {
		_ = l.Allow(t.Context(), "api.example")
	}
	s := l.Stats()
	if s.Breaker != breaker.Open || s.Fallback != 8 || s.RedisErrors == 0 {
		t.Fatalf("stats %+v: want the breaker open, 8 fallback decisions, Redis errors", s)
	}

	rows := fleetRows(t, statusPage(t, l, "/?format=json"))
	for name, want := range map[string]statusz.Row{
		"Redis breaker":                            {Value: "open (Redis away: calls go to the fallback)", Bad: true},
		"Decided by the fallback":                  {Value: "8 (100.0 %)"},
		"Decided by Redis":                         {Value: "0 (0.0 %)"},
		"Decided locally (lease or cached answer)": {Value: "0 (0.0 %)"},
		"Allowed":      {Value: "1"},
		"Rejected":     {Value: "7"},
		"Last lease":   {Value: "–"},
		"Lease grants": {Value: "0"},
		"Keys tracked": {Value: "1"},
	} {
		want.Name = name
		if got := rows[name]; got != want {
			t.Errorf("row %q = %+v, want %+v", name, got, want)
		}
	}
	for _, name := range []string{"Redis errors", "Lease requests"} {
		if n, err := strconv.ParseUint(rows[name].Value, 10, 64); err != nil || n == 0 || rows[name].Bad {
			t.Errorf("row %q = %+v, want a positive count, not bad", name, rows[name])
		}
	}
	bad := 0
	for _, r := range rows {
		if r.Bad {
			bad++
		}
	}
	if bad != 1 {
		t.Errorf("%d bad rows, want only the breaker's: %+v", bad, rows)
	}

	html := statusPage(t, l, "/?format=html")
	for _, want := range []string{
		`class="summary bad">Fleet limit (Redis): Redis breaker open (Redis away: calls go to the fallback)</p>`,
		`<section class="extra" data-title="Fleet limit (Redis)">`,
		`<tr data-name="Redis breaker" class="bad"><td>Redis breaker</td><td class="value">open (Redis away: calls go to the fallback)</td></tr>`,
		`<td>Decided by the fallback</td><td class="value">8 (100.0 %)</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML page lacks %s:\n%s", want, html)
		}
	}
}

// A limiter that has not called Redis yet: breaker closed, nothing bad,
// no shares of zero decisions.
func TestStatusSectionQuiet(t *testing.T) {
	l := redisAway(t)
	rows := fleetRows(t, statusPage(t, l, "/?format=json"))
	if got := rows["Redis breaker"]; got.Value != "closed" || got.Bad {
		t.Errorf("breaker row %+v, want closed, not bad", got)
	}
	if got := rows["Decided by the fallback"].Value; got != "0" {
		t.Errorf("fallback decisions %q, want 0", got)
	}
	if len(rows) != 16 {
		t.Errorf("%d rows, want 16", len(rows))
	}
	if html := statusPage(t, l, "/"); !strings.Contains(html, `class="summary good"`) {
		t.Error("a quiet limiter makes the summary bad")
	}
}

func TestStatusSectionNil(t *testing.T) {
	_, err := statusz.New(statusz.Config{
		Snapshot: func() transport.Snapshot { return transport.Snapshot{} },
		Sections: []statusz.Section{fleet.StatusSection(nil)},
	})
	if !errors.Is(err, statusz.ErrInvalidConfig) {
		t.Errorf("New with the section of a nil limiter: %v, want ErrInvalidConfig", err)
	}
}
