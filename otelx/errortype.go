package otelx

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// errorType returns the error.type of a failed request: a short, stable
// name of the kind of failure (the semantic conventions want a value of
// low cardinality, not the message): "breaker_open", "limited",
// "queue_full", "queue_timeout" for our own refusals, "canceled",
// "timeout", or else the error's Go type ("*url.Error", "*net.OpError").
func errorType(err error) string {
	switch {
	case errors.Is(err, breaker.ErrOpen):
		return "breaker_open"
	case errors.Is(err, limiter.ErrLimited):
		return "limited"
	case errors.Is(err, queue.ErrFull):
		return "queue_full"
	case errors.Is(err, queue.ErrTimeout):
		return "queue_timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return fmt.Sprintf("%T", err)
}
