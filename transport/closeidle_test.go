package transport_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// idleCloser is a Base that counts CloseIdleConnections.
type idleCloser struct {
	http.RoundTripper
	closed atomic.Int32
}

func (b *idleCloser) CloseIdleConnections() { b.closed.Add(1) }

// CloseIdleConnections reaches a Base of the caller's that has the method
// (it used to look for it on the top of the stack, which never has it).
func TestCloseIdleConnectionsReachesBase(t *testing.T) {
	base := &idleCloser{RoundTripper: http.DefaultTransport}
	rt, err := transport.New(transport.Config{Base: base})
	mustNoErr(t, err)
	rt.CloseIdleConnections()
	if got := base.closed.Load(); got != 1 {
		t.Errorf("Base.CloseIdleConnections called %d times, want 1", got)
	}
}
