package faulttest_test

import (
	"context"
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

// stub is a base RoundTripper that answers 200 with body, counting calls.
type stub struct {
	body  string
	cl    int64 // Content-Length to report; -2 means len(body)
	calls atomic.Int64
}

func newStub(body string) *stub { return &stub{body: body, cl: -2} }

func (s *stub) RoundTrip(req *http.Request) (*http.Response, error) {
	s.calls.Add(1)
	cl := s.cl
	if cl == -2 {
		cl = int64(len(s.body))
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          io.NopCloser(strings.NewReader(s.body)),
		ContentLength: cl,
		Request:       req,
	}, nil
}

// trackedBody is a request body that records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

// newRequest returns a POST with a tracked body.
func newRequest(t testing.TB, ctx context.Context) (*http.Request, *trackedBody) {
	t.Helper()
	body := &trackedBody{Reader: strings.NewReader("payload")}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://backend.test/x", body)
	if err != nil {
		t.Fatal(err)
	}
	return req, body
}

func mustNew(t testing.TB, cfg faulttest.Config) *faulttest.Injector {
	t.Helper()
	in, err := faulttest.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(in.Close)
	return in
}

// one returns a config with a single forever phase.
func one(p faulttest.Phase) faulttest.Config {
	return faulttest.Config{Seed: 1, Phases: []faulttest.Phase{p}}
}
