package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// cause is why a call failed, as far as its caller can tell.
type cause int

const (
	succeeded     cause = iota
	refusedStatus       // the backend answered, with an error status (503, 429)
	deadline            // the caller's deadline passed first
	breakerOpen         // resilient: its breaker failed the call fast
	paused              // resilient: its limiter failed it fast, in a pause the server asked for
	shed                // resilient: its concurrency limit and queue failed it fast
	otherError          // anything else (a reset, a refused connection)
	numCauses
)

var causeNames = [numCauses]string{
	succeeded:     "succeeded",
	refusedStatus: "answered with an error status",
	deadline:      "past their deadline",
	breakerOpen:   "failed fast by the open breaker",
	paused:        "refused by the host's pushback gate or adaptive rate (no turn before the deadline)",
	shed:          "shed fast by the concurrency limit and queue",
	otherError:    "failed otherwise",
}

func (c cause) String() string { return causeNames[c] }

// outcome tells why a call ended as it did, from its response or error.
// Our own rejections are checked first: their errors may also match the
// context's.
func outcome(resp *http.Response, err error) cause {
	switch {
	case err == nil && resp.StatusCode == http.StatusOK:
		return succeeded
	case err == nil:
		return refusedStatus
	case errors.Is(err, breaker.ErrOpen):
		return breakerOpen
	case errors.Is(err, limiter.ErrLimited):
		// Without a Rate, the limiter refuses during a pause, or (rarely)
		// when the queue has not yet seen a lowered concurrency limit.
		return paused
	case errors.Is(err, queue.ErrFull), errors.Is(err, queue.ErrTimeout):
		return shed
	case errors.Is(err, context.DeadlineExceeded):
		return deadline
	}
	return otherError
}
