package transport

import (
	"io"
	"net/http"
)

// maxDrain bounds how much of a discarded response body is read before it
// is closed. Reading the rest lets net/http put the connection back in its
// pool; past this size a new connection is cheaper than the read.
const maxDrain = 64 << 10

// drainAndClose discards a response that the caller will never see (a
// retried attempt, a losing hedge): it reads up to maxDrain bytes of the
// body and closes it, so the connection can be reused.
func drainAndClose(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
}
