package twirpx

import (
	"net/http"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// DefaultClassifier returns the transport.Classifier that New gives every stage
// unless Config.Transport.Classifier names another. It judges a Twirp
// server's answer by its error code, which HTTP statuses blur (internal,
// unknown and dataloss are all a 500; canceled and deadline_exceeded both
// a 408):
//
//   - unavailable: Failure, retryable, after the server's Retry-After or
//     retry_after meta if any (which also pauses the host, see
//     transport.LimitConfig);
//   - resource_exhausted: Ignored (the server is up and asks us to slow
//     down, as with a 429), retryable, after its Retry-After or
//     retry_after meta;
//   - deadline_exceeded: Failure (the server was too slow), retryable;
//   - internal, unknown, dataloss: Failure, not retryable: a server that
//     fails this way is broken for that method, and repeating the call
//     repeats the bug (transport.ReasonOther, so it does not read as
//     overload to an adaptive limit);
//   - canceled: Ignored, not retryable;
//   - every application code (invalid_argument, malformed, not_found,
//     bad_route, already_exists, permission_denied, unauthenticated,
//     failed_precondition, aborted, out_of_range, unimplemented): Success,
//     not retryable: the server answered soundly, the request was wrong.
//
// Anything that is not a Twirp error body (a transport error, an
// intermediary's 502, 503 or 504, a 429 from a proxy) is judged by
// transport.DefaultClassifier: transport errors and 5xx are retryable
// failures, our own rejections and the caller's cancellation are Ignored.
//
// "Retryable" is a necessary condition, never a sufficient one: Retry also
// requires the method to be idempotent (Config.Methods) unless the error
// proves the request was never sent, a replayable body, attempts and
// budget left, and time for the wait before the deadline.
func DefaultClassifier() transport.Classifier { return defaultClassifier }

// defaultClassifier is DefaultClassifier's classifier.
var defaultClassifier transport.Classifier = transport.ClassifierFunc(classify)

func classify(req *http.Request, resp *http.Response, err error) transport.Verdict {
	if err != nil || resp == nil || resp.StatusCode == http.StatusOK {
		return transport.DefaultClassifier().Classify(req, resp, err)
	}
	info := responseError(resp)
	if info.code == "" {
		return transport.DefaultClassifier().Classify(req, resp, err)
	}
	retryAfter := info.retryAfter
	if v := resp.Header.Get("Retry-After"); v != "" {
		if d, ok := backoff.ParseRetryAfter(v, time.Now(), 0); ok && d > retryAfter {
			retryAfter = d // the header and the meta may differ: the longer wins
		}
	}
	switch info.code {
	case twirp.Unavailable:
		return transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError, RetryAfter: retryAfter}
	case twirp.ResourceExhausted:
		return transport.Verdict{Outcome: transport.Ignored, Retryable: true, Reason: transport.ReasonThrottled, RetryAfter: retryAfter}
	case twirp.DeadlineExceeded:
		return transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonTimeout}
	case twirp.Internal, twirp.Unknown, twirp.DataLoss:
		return transport.Verdict{Outcome: transport.Failure, Reason: transport.ReasonOther}
	case twirp.Canceled:
		return transport.Verdict{Outcome: transport.Ignored, Reason: transport.ReasonCanceled}
	}
	return transport.Verdict{Outcome: transport.Success}
}
