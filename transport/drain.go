package transport

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// maxDrain bounds how much of a discarded response body is read before it
// is closed. Reading the rest lets net/http put the connection back in its
// pool; past this size a new connection is cheaper than the read.
const maxDrain = 64 << 10

// drainWait bounds how long a discarded body is read when nothing else
// sets the bound: a body that has not ended by then has stalled, or is
// slow enough that a new connection costs less than the wait. It is the
// default backoff's first wait: long enough that a busy machine, whose
// goroutines (the server's, on loopback) wait tens of milliseconds for a
// CPU, still gets its connections back.
const drainWait = 100 * time.Millisecond

// drainAndClose discards a response that the caller will never see (a
// losing hedge, a late answer): it reads up to maxDrain bytes of the body,
// for at most drainWait, and closes it, so the connection can be reused.
func drainAndClose(resp *http.Response) { discard(resp, drainWait, nil) }

// discard drains up to maxDrain bytes of resp's body and closes it,
// spending at most d on it: a stalled body never holds its caller. When
// the body has not ended within d, abort (if not nil) cancels the attempt
// and the body is closed, while the read is in progress: either ends the
// read with net/http's bodies, and a releasingBody below (AttemptTimeout,
// Hedge) cancels its attempt on Close, which ends it for any RoundTripper
// that honours its request's context. The connection is then lost, which
// costs less than the caller's time.
func discard(resp *http.Response, d time.Duration, abort func()) {
	if resp == nil || resp.Body == nil {
		return
	}
	body := resp.Body
	if body == http.NoBody {
		return
	}
	var once sync.Once
	timer := time.AfterFunc(d, func() {
		once.Do(func() {
			if abort != nil {
				abort()
			}
			_ = body.Close()
		})
	})
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	timer.Stop()
	// Waits for the timer's Close when it has begun, so that nothing of
	// this response is left running.
	once.Do(func() { _ = body.Close() })
}
