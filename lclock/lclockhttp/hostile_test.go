package lclockhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

// hostileValues are header values a buggy or malicious peer may send, and
// what the propagator must make of them: malformed (ignored) or refused as
// too far ahead. Never a failed call, never a clock dragged away.
var hostileValues = []struct {
	value string
	kind  string // "malformed" or "rejected"
}{
	{"", "malformed"},
	{"-1", "malformed"},
	{"-1764190881123.00001", "malformed"},
	{"+1764190881123.00001", "malformed"},
	{"18446744073709551615", "malformed"}, // a Lamport max sent to an HLC
	{"99999999999999999999999999", "malformed"},
	{strings.Repeat("9", 64<<10), "malformed"}, // 64 KiB
	{"1764190881123.99999", "malformed"},
	{"1e12.0", "malformed"},
	{"NaN", "malformed"},
	{"<script>", "malformed"},
	{"1764190881123.00001, 5.0", "malformed"},
	{"281474976710655.65535", "rejected"}, // the largest HLC stamp
	{"99999999999999.0", "rejected"},      // the year 5138
}

// TestServerIgnoresHostileStamps sends each hostile value to a real server
// with an HLC: the call succeeds, the value is counted, and the server's
// clock stays within MaxOffset of its wall clock.
func TestServerIgnoresHostileStamps(t *testing.T) {
	p := newProp(t, lclockhttp.Config{})
	srv := httptest.NewServer(p.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	})))
	defer srv.Close()
	var malformed, rejected uint64
	for _, hv := range hostileValues {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header["Lclock-Stamp"] = []string{hv.value}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("value %.40q: %v", hv.value, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "ok" {
			t.Errorf("value %.40q: status %d body %q", hv.value, resp.StatusCode, body)
		}
		if hv.kind == "malformed" {
			malformed++
		} else {
			rejected++
		}
		st := p.Stats()
		if st.Malformed != malformed || st.Rejected != rejected {
			t.Errorf("after %.40q: Stats %+v, want %d malformed, %d rejected", hv.value, st, malformed, rejected)
		}
		if ahead := time.Until(p.Clock().Now().Wall()); ahead > lclock.DefaultMaxOffset {
			t.Fatalf("after %.40q: the clock is %v ahead of wall time", hv.value, ahead)
		}
	}
}

// TestClientIgnoresHostileReplies: the same values on responses.
func TestClientIgnoresHostileReplies(t *testing.T) {
	clock := new(lclock.HLC)
	p := newProp(t, lclockhttp.Config{Clock: clock})
	for _, hv := range hostileValues {
		stub := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Lclock-Stamp": {hv.value}}, Body: http.NoBody, Request: r}, nil
		})
		before := clock.Now()
		req, _ := http.NewRequest("GET", "http://example.invalid/", nil)
		resp, err := p.Middleware(stub).RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("value %.40q: %v", hv.value, err)
		}
		if clock.Now() <= before {
			t.Errorf("value %.40q: the receipt was not recorded as an event", hv.value)
		}
		if ahead := time.Until(clock.Now().Wall()); ahead > lclock.DefaultMaxOffset {
			t.Fatalf("after %.40q: the clock is %v ahead of wall time", hv.value, ahead)
		}
	}
	st := p.Stats()
	if st.Malformed != 12 || st.Rejected != 2 {
		t.Errorf("Stats = %+v, want 12 malformed, 2 rejected", st)
	}
}

// TestLamportIgnoresHostileStamps: a Lamport propagator refuses the largest
// stamp and HLC text.
func TestLamportIgnoresHostileStamps(t *testing.T) {
	clock := new(lclock.Lamport)
	p := newProp(t, lclockhttp.Config{Clock: clock})
	for _, v := range []string{"18446744073709551615", "1764190881123.00007", "-5", "18446744073709551616"} {
		_, _ = p.Extract(http.Header{"Lclock-Stamp": {v}})
	}
	if st := p.Stats(); st.Rejected != 1 || st.Malformed != 3 {
		t.Errorf("Stats = %+v, want 1 rejected, 3 malformed", st)
	}
	if clock.Now() != 4 {
		t.Errorf("clock = %v, want 4 (four local events)", clock.Now())
	}
}
