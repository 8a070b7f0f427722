package promx_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/transport"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// okStub answers every request with a fresh 200 and no I/O.
var okStub = transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
})

// get makes one GET through rt and says how it ended, reading and closing
// the body.
func get(rt http.RoundTripper, url string) (status int, err error) {
	return do(rt, http.MethodGet, url)
}

func do(rt http.RoundTripper, method, url string) (status int, err error) {
	req, _ := http.NewRequestWithContext(context.Background(), method, url, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// series gathers reg and renders the samples of the named metric families
// in the text format, without HELP and TYPE lines: one line per series,
// names, labels and values exactly as a scrape shows them.
func series(t *testing.T, reg prometheus.Gatherer, names ...string) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if !slices.Contains(names, mf.GetName()) {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	for l := range strings.SplitSeq(buf.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// wantSeries fails t unless the named families hold exactly want (lines
// in any order, leading tabs ignored).
func wantSeries(t *testing.T, reg prometheus.Gatherer, want string, names ...string) {
	t.Helper()
	got := series(t, reg, names...)
	var w []string
	for l := range strings.SplitSeq(want, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			w = append(w, l)
		}
	}
	g := strings.Split(got, "\n")
	if got == "" {
		g = nil
	}
	slices.Sort(w)
	slices.Sort(g)
	if !slices.Equal(g, w) {
		t.Errorf("series of %v:\ngot:\n%s\nwant:\n%s", names, strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}
