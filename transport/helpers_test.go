package transport_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/transport"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// okStub answers every request with a fresh 200 and no I/O: the floor that
// benchmarks compare against.
var okStub = stubFunc(func(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
})

// stubFunc is the package's own RoundTripperFunc, under a shorter name.
type stubFunc = transport.RoundTripperFunc

// script is a RoundTripper that plays a fixed sequence of results, one per
// attempt, repeating the last one, and records what it was sent.
type script struct {
	mu      sync.Mutex
	steps   []step
	calls   int
	bodies  []string
	methods []string
}

type step struct {
	status     int
	retryAfter string
	err        error
	body       string
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	var sent string
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		sent = string(b)
	}
	s.mu.Lock()
	st := s.steps[min(s.calls, len(s.steps)-1)]
	s.calls++
	s.bodies = append(s.bodies, sent)
	s.methods = append(s.methods, req.Method)
	s.mu.Unlock()
	if st.err != nil {
		return nil, st.err
	}
	resp := &http.Response{
		StatusCode: st.status,
		Header:     http.Header{},
		Body:       &trackedBody{Reader: strings.NewReader(st.body)},
		Request:    req,
	}
	if st.retryAfter != "" {
		resp.Header.Set("Retry-After", st.retryAfter)
	}
	return resp, nil
}

func (s *script) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
