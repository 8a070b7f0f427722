package retryablehttpx_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/transport"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// errReset is a connection reset, a retryable transport error.
var errReset = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

// stubFunc turns a function into a RoundTripper.
type stubFunc = transport.RoundTripperFunc

// script is a RoundTripper that plays a fixed sequence of results, one per
// attempt, repeating the last one.
type script struct {
	mu    sync.Mutex
	steps []step
	calls int
}

type step struct {
	status     int
	retryAfter string
	err        error
	body       string
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	s.mu.Lock()
	st := s.steps[min(s.calls, len(s.steps)-1)]
	s.calls++
	s.mu.Unlock()
	if st.err != nil {
		return nil, st.err
	}
	resp := &http.Response{
		StatusCode: st.status,
		Header:     http.Header{},
		Body:       io.NopCloser(strings.NewReader(st.body)),
		Request:    req,
	}
	if st.retryAfter != "" {
		resp.Header.Set("Retry-After", st.retryAfter)
	}
	return resp, nil
}

// Calls is the number of attempts the script answered.
func (s *script) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
