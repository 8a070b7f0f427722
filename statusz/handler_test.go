package statusz_test

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// snapshot is a stack in trouble: one breaker open, one half-open, one
// closed; one host paused by pushback with a busy queue; an unlimited
// budget; a pool that reuses most connections; three balanced endpoints,
// one of them ejected and failing its health checks, listed out of order.
func snapshot() transport.Snapshot {
	return transport.Snapshot{
		RetryBudget: math.Inf(1),
		Breakers: []breaker.Snapshot{
			{Name: "a.test:443", State: breaker.Open, Generation: 3, Calls: 10, Failures: 6, Trips: 2, Rejected: 40,
				ConsecutiveFailures: 4, OpenUntil: now.Add(30 * time.Second)},
			{Name: "b.test:443", State: breaker.HalfOpen, Generation: 2, Calls: 20, Failures: 10, Trips: 1},
			{Name: "c.test:443", State: breaker.Closed, Calls: 8, Failures: 1, Slow: 2},
		},
		Hosts: []transport.HostLoad{
			{Host: "a.test:443", PausedUntil: now.Add(2 * time.Second), Limit: 8, InFlight: 8, RejectProbability: 0.25,
				Queue: queue.Stats{Limit: 8, InFlight: 8, Depth: 3, Overloaded: true, Admitted: 100, Queued: 4, RejectedFull: 5,
					TimedOut: 1, Dropped: 2, Canceled: 1, TotalWait: 40 * time.Millisecond, LongestWait: 25 * time.Millisecond}},
		},
		Pool: &pool.Stats{
			Total: pool.HostStats{New: 4, Reused: 12, Idle: 10, IdleTime: 5 * time.Second},
			Hosts: map[string]pool.HostStats{
				"c.test:443": {New: 1, Reused: 3},
				"a.test:443": {New: 3, Reused: 9, Idle: 10, IdleTime: 5 * time.Second},
			},
		},
		Endpoints: []balancer.EndpointStats{
			{Endpoint: discovery.Endpoint{Addr: "10.0.0.2:8080", Zone: "b"}, InFlight: 2, Successes: 90, Failures: 10, Ignored: 1,
				Latency: 12 * time.Millisecond, Healthy: true},
			{Endpoint: discovery.Endpoint{Addr: "10.0.0.1:8080", Zone: "a", Weight: 3, Meta: map[string]string{"version": "v2"}},
				Failures: 5, Latency: 250 * time.Millisecond, EjectedUntil: now.Add(30 * time.Second), TimesEjected: 2},
			{Endpoint: discovery.Endpoint{Addr: "10.0.0.3:8080"}, Healthy: true},
		},
	}
}

func wantStatus() statusz.Status {
	return statusz.Status{
		Title:       "payments",
		Time:        now,
		RetryBudget: statusz.Budget{Unlimited: true},
		Breakers: []statusz.Breaker{
			{Host: "a.test:443", State: "open", Calls: 10, Failures: 6, FailureRate: 0.6, ConsecutiveFailures: 4, Trips: 2,
				Rejected: 40, Generation: 3, OpenUntil: now.Add(30 * time.Second)},
			{Host: "b.test:443", State: "half-open", Calls: 20, Failures: 10, FailureRate: 0.5, Trips: 1, Generation: 2},
			{Host: "c.test:443", State: "closed", Calls: 8, Failures: 1, Slow: 2, FailureRate: 0.125, SlowRate: 0.25},
		},
		Hosts: []statusz.Host{
			{Host: "a.test:443", PausedUntil: now.Add(2 * time.Second), Limit: 8, InFlight: 8, RejectProbability: 0.25,
				Queue: statusz.Queue{Depth: 3, Overloaded: true, Admitted: 100, Queued: 4, RejectedFull: 5, TimedOut: 1, Dropped: 2,
					Canceled: 1, MeanWait: 0.01, LongestWait: 0.025}},
		},
		Pool: &statusz.Pool{
			Total: statusz.Conns{New: 4, Reused: 12, ReuseRatio: 0.75, MeanIdle: 0.5},
			Hosts: []statusz.Conns{
				{Host: "a.test:443", New: 3, Reused: 9, ReuseRatio: 0.75, MeanIdle: 0.5},
				{Host: "c.test:443", New: 1, Reused: 3, ReuseRatio: 0.75},
			},
		},
		Endpoints: []statusz.Endpoint{
			{Addr: "10.0.0.1:8080", Zone: "a", Weight: 3, Meta: map[string]string{"version": "v2"}, Failures: 5, FailureRatio: 1,
				Latency: 0.25, Ejected: true, EjectedUntil: now.Add(30 * time.Second), TimesEjected: 2},
			{Addr: "10.0.0.2:8080", Zone: "b", Weight: 1, InFlight: 2, Successes: 90, Failures: 10, Ignored: 1, FailureRatio: 0.1,
				Latency: 0.012, Healthy: true},
			{Addr: "10.0.0.3:8080", Weight: 1, Healthy: true},
		},
		Sections: []statusz.SectionStatus{},
	}
}

func newHandler(t *testing.T, snap func() transport.Snapshot, cfg statusz.Config) *statusz.Handler {
	t.Helper()
	cfg.Snapshot = snap
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	h, err := statusz.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestJSON(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{Title: "payments"})
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"query":  get(h, "/status?format=json"),
		"accept": get(h, "/status", "Accept", "application/json"),
	} {
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %q, want 200 application/json", name, rec.Code, rec.Header().Get("Content-Type"))
		}
		var got statusz.Status
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wantStatus(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

// The JSON field names and units are API: check them on the wire.
func TestJSONWire(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{})
	body := get(h, "/?format=json").Body.String()
	for _, want := range []string{
		`"title": "resilient"`,
		`"time": "2026-11-26T12:00:00Z"`,
		`"retry_budget": {`, `"unlimited": true`,
		`"host": "a.test:443",`, `"state": "open",`, `"failure_rate": 0.6,`, `"open_until": "2026-11-26T12:00:30Z"`,
		`"state": "half-open",`,
		`"paused_until": "2026-11-26T12:00:02Z"`, `"mean_wait_seconds": 0.01,`, `"reject_probability": 0.25`,
		`"reuse_ratio": 0.75,`, `"mean_idle_seconds": 0.5`,
		`"endpoints": [`, `"addr": "10.0.0.1:8080",`, `"zone": "a",`, `"weight": 3,`, `"meta": {`, `"version": "v2"`,
		`"in_flight": 2,`, `"successes": 90,`, `"ignored": 1,`, `"failure_ratio": 0.1,`, `"latency_seconds": 0.25,`,
		`"ejected": true,`, `"ejected_until": "2026-11-26T12:00:30Z",`, `"times_ejected": 2,`, `"healthy": false`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("JSON lacks %s:\n%s", want, body)
		}
	}
	for key, want := range map[string]int{`"open_until"`: 1, `"ejected_until"`: 1, `"zone"`: 2, `"meta"`: 1} {
		if n := strings.Count(body, key); n != want {
			t.Errorf("%s appears %d times, want %d (omitted when zero)", key, n, want)
		}
	}
}

func TestJSONBudgetAndEmpty(t *testing.T) {
	h := newHandler(t, func() transport.Snapshot { return transport.Snapshot{RetryBudget: 7.5} }, statusz.Config{})
	var got statusz.Status
	if err := json.Unmarshal(get(h, "/?format=json").Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.RetryBudget != (statusz.Budget{Available: 7.5}) || got.Breakers == nil || len(got.Breakers) != 0 ||
		got.Hosts == nil || got.Pool != nil || got.Endpoints == nil || len(got.Endpoints) != 0 ||
		got.Sections == nil || len(got.Sections) != 0 {
		t.Errorf("got %+v; want budget 7.5, empty (not null) lists, no pool", got)
	}
}

// row returns the table row of host in section id of an HTML page.
func row(t *testing.T, body, section, host string) string {
	t.Helper()
	sec := regexp.MustCompile(`(?s)<section id="` + section + `">.*?</section>`).FindString(body)
	r := regexp.MustCompile(`(?s)<tr data-host="` + regexp.QuoteMeta(host) + `"[^>]*>.*?</tr>`).FindString(sec)
	if r == "" {
		t.Fatalf("no row for %s in section %s of:\n%s", host, section, body)
	}
	return r
}

func TestHTML(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{Title: "payments"})
	rec := get(h, "/status", "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %q, want 200 text/html", rec.Code, rec.Header().Get("Content-Type"))
	}
	for key, want := range map[string]string{"Cache-Control": "no-store", "Vary": "Accept", "X-Content-Type-Options": "nosniff"} {
		if got := rec.Header().Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want no script allowed", csp)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<meta http-equiv="refresh" content="5">`,
		`<title>payments · resilience status</title>`,
		`Snapshot of 2026-11-26 12:00:00 UTC · reloads every 5 s`,
		`<p id="summary" class="summary bad">breaker open: a.test:443; breaker half-open: b.test:443; 1 host(s) paused by server pushback; ` +
			`1 of 3 endpoint(s) ejected; 1 of 3 endpoint(s) failing health checks</p>`,
		`Unlimited (retries are never refused).`,
		`<a href="?format=json">JSON</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, c := range []struct{ section, host, want string }{
		{"breakers", "a.test:443", `data-state="open"`},
		{"breakers", "a.test:443", `<td class="state state-open">open</td>`},
		{"breakers", "a.test:443", `<td>60.0 %</td>`},
		{"breakers", "a.test:443", `<td>in 30s</td>`},
		{"breakers", "b.test:443", `<td class="state state-half-open">half-open</td>`},
		{"breakers", "c.test:443", `<td>12.5 %</td>`},
		{"hosts", "a.test:443", `<span class="warn">in 2s</span>`},
		{"hosts", "a.test:443", `<td>3 <span class="warn">overloaded</span></td>`},
		{"hosts", "a.test:443", `<td>10ms</td><td>25ms</td>`},
		{"hosts", "a.test:443", `<td>25.0 % refused</td>`},
		{"pool", "a.test:443", `<td>75.0 %</td><td>500ms</td>`},
		{"endpoints", "10.0.0.1:8080", `data-ejected="true" data-healthy="false"`},
		{"endpoints", "10.0.0.1:8080", `<td>a</td>` + "\n" + `<td>3</td><td>0</td><td>0</td><td>5</td>`},
		{"endpoints", "10.0.0.1:8080", `<td>100.0 %</td>` + "\n" + `<td>250ms</td>`},
		{"endpoints", "10.0.0.1:8080", `<td><span class="warn">ejected, back in 30s</span></td>` + "\n" + `<td>2</td>`},
		{"endpoints", "10.0.0.1:8080", `<span class="warn">failing checks</span>`},
		{"endpoints", "10.0.0.2:8080", `data-ejected="false" data-healthy="true"`},
		{"endpoints", "10.0.0.2:8080", `<td>1</td><td>2</td><td>90</td><td>10</td>` + "\n" + `<td>10.0 %</td>` + "\n" + `<td>12ms</td>`},
		{"endpoints", "10.0.0.2:8080", `<td>–</td>` + "\n" + `<td>0</td>` + "\n" + `<td>healthy</td>`},
		{"endpoints", "10.0.0.3:8080", `<td>–</td>` + "\n" + `<td>1</td><td>0</td><td>0</td><td>0</td>` + "\n" + `<td>–</td>` + "\n" + `<td>–</td>`},
	} {
		if r := row(t, body, c.section, c.host); !strings.Contains(r, c.want) {
			t.Errorf("%s row of %s lacks %s:\n%s", c.section, c.host, c.want, r)
		}
	}
	if !strings.Contains(body, `<tr><th>Total</th><th>4</th><th>12</th><th>75.0 %</th><th>500ms</th></tr>`) {
		t.Error("pool total row missing or wrong")
	}
	if strings.Contains(body, "<script") {
		t.Error("the page has a script")
	}
}

func TestHTMLHealthyAndQuiet(t *testing.T) {
	h := newHandler(t, func() transport.Snapshot {
		return transport.Snapshot{RetryBudget: 0.5, Breakers: []breaker.Snapshot{{Name: "a.test:443"}}}
	}, statusz.Config{Refresh: -1})
	body := get(h, "/").Body.String()
	for _, want := range []string{
		`<p id="summary" class="summary good">All breakers closed, no host paused</p>`,
		`<span class="warn">0.5</span> retries available now.`,
		`No per-host limit`,
		`no pool statistics`,
		`No balancing:`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if r := row(t, body, "breakers", "a.test:443"); !strings.Contains(r, "<td>–</td>") {
		t.Errorf("a breaker without calls shows a failure rate: %s", r)
	}
	if strings.Contains(body, "http-equiv") || strings.Contains(body, "reloads every") {
		t.Error("negative Refresh still reloads the page")
	}
}

// Host names are the backends' (or the user's keys): escaped, never markup.
func TestHTMLEscapes(t *testing.T) {
	h := newHandler(t, func() transport.Snapshot {
		return transport.Snapshot{Breakers: []breaker.Snapshot{{Name: `<script>alert(1)</script>`, State: breaker.Open}}}
	}, statusz.Config{Title: `<b>x</b>`})
	body := get(h, "/").Body.String()
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>x</b>") {
		t.Errorf("unescaped markup in page:\n%s", body)
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("escaped host name missing")
	}
}

func TestNegotiation(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{})
	for _, c := range []struct {
		target, accept string
		json           bool
	}{
		{"/", "", false},
		{"/", "*/*", false},
		{"/", "application/json", true},
		{"/", "application/json; charset=utf-8", true},
		{"/", "text/html, application/json", false},
		{"/", "application/json, text/html", true},
		{"/", "text/html;q=0.5, application/json", true},
		{"/", "application/json;q=0.4, text/html;q=0.9", false},
		{"/", "application/json;q=0", false},
		{"/", "text/plain, application/*", false},
		{"/?format=html", "application/json", false},
		{"/?format=json", "text/html", true},
	} {
		ct := get(h, c.target, "Accept", c.accept).Header().Get("Content-Type")
		if got := ct == "application/json"; got != c.json {
			t.Errorf("%s with Accept %q: Content-Type %q, want JSON %v", c.target, c.accept, ct, c.json)
		}
	}
}

func TestBadRequests(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{})
	if rec := get(h, "/?format=xml"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"xml"`) {
		t.Errorf("format=xml: %d %q, want 400 naming it", rec.Code, rec.Body.String())
	}
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q; want 405, GET, HEAD", rec.Code, rec.Header().Get("Allow"))
	}
	req = httptest.NewRequest(http.MethodHead, "/?format=json", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("HEAD: %d %q, want 200 application/json", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestNewErrors(t *testing.T) {
	snap := func() transport.Snapshot { return transport.Snapshot{} }
	for name, cfg := range map[string]statusz.Config{
		"nil Snapshot":      {},
		"sub-second reload": {Snapshot: snap, Refresh: 500 * time.Millisecond},
	} {
		if h, err := statusz.New(cfg); !errors.Is(err, statusz.ErrInvalidConfig) || h != nil {
			t.Errorf("%s: New = %v, %v; want nil and ErrInvalidConfig", name, h, err)
		}
	}
	if _, err := statusz.New(statusz.Config{Snapshot: snap, Refresh: 2500 * time.Millisecond}); err != nil {
		t.Errorf("Refresh 2.5s: %v", err)
	}
}

func TestRefreshWholeSeconds(t *testing.T) {
	h := newHandler(t, snapshot, statusz.Config{Refresh: 2500 * time.Millisecond})
	if body := get(h, "/").Body.String(); !strings.Contains(body, `<meta http-equiv="refresh" content="2">`) {
		t.Error("Refresh 2.5s does not reload every 2 s")
	}
}

func TestHTMLNoBudget(t *testing.T) {
	h := newHandler(t, func() transport.Snapshot { return transport.Snapshot{} }, statusz.Config{})
	if body := get(h, "/").Body.String(); !strings.Contains(body, `<span class="warn">No retry available now</span> (or retries are off).`) {
		t.Error("an empty budget is not shown as such")
	}
}

// Endpoints sorted by address; all in rotation and healthy: the summary
// says so.
func TestHTMLEndpointsQuiet(t *testing.T) {
	h := newHandler(t, func() transport.Snapshot {
		return transport.Snapshot{Endpoints: []balancer.EndpointStats{
			{Endpoint: discovery.Endpoint{Addr: "10.0.0.9:80"}, Healthy: true, TimesEjected: 1},
			{Endpoint: discovery.Endpoint{Addr: "10.0.0.1:80"}, Healthy: true},
		}}
	}, statusz.Config{})
	body := get(h, "/").Body.String()
	if want := `<p id="summary" class="summary good">All breakers closed, no host paused, no endpoint ejected</p>`; !strings.Contains(body, want) {
		t.Errorf("page lacks %s", want)
	}
	first, second := strings.Index(body, `data-host="10.0.0.1:80"`), strings.Index(body, `data-host="10.0.0.9:80"`)
	if first < 0 || second < first {
		t.Errorf("endpoint rows out of address order (at %d and %d)", first, second)
	}
	if r := row(t, body, "endpoints", "10.0.0.9:80"); !strings.Contains(r, "<td>–</td>\n<td>1</td>\n<td>healthy</td>") {
		t.Errorf("an endpoint back in rotation after one ejection: %s", r)
	}
}
