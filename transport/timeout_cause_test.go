package transport_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// The stage below AttemptTimeout learns why its context ended: the cause
// is the attempt timeout (a tracer types the attempt's span "timeout",
// not the caller's cancel), while the error returned keeps its meaning.
func TestAttemptTimeoutCancelsWithACause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cause error
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			cause = context.Cause(req.Context())
			return nil, req.Context().Err()
		})
		at, err := transport.AttemptTimeout(time.Second)
		mustNoErr(t, err)
		req, _ := http.NewRequest("GET", "http://x/", nil)
		_, err = transport.Chain(base, at).RoundTrip(req)
		if !errors.Is(err, transport.ErrAttemptTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want ErrAttemptTimeout and DeadlineExceeded", err)
		}
		if !errors.Is(cause, transport.ErrAttemptTimeout) || !errors.Is(cause, context.DeadlineExceeded) {
			t.Fatalf("cause below = %v; want ErrAttemptTimeout and DeadlineExceeded", cause)
		}
	})
}
