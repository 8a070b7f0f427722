package faulttest_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/faulttest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// okBackend is an in-process backend that answers 200 with body, counting calls.
type okBackend struct {
	body  string
	calls atomic.Int64
}

func (b *okBackend) RoundTrip(req *http.Request) (*http.Response, error) {
	b.calls.Add(1)
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          io.NopCloser(strings.NewReader(b.body)),
		ContentLength: int64(len(b.body)),
		Request:       req,
	}, nil
}

// mustNew builds an Injector and closes it when the test ends.
func mustNew(t testing.TB, cfg faulttest.Config) *faulttest.Injector {
	t.Helper()
	in, err := faulttest.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(in.Close)
	return in
}

// always is a Config with one phase that lasts forever.
func always(p faulttest.Phase) faulttest.Config {
	return faulttest.Config{Seed: 1, Phases: []faulttest.Phase{p}}
}
