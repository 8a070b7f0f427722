package twirpx

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/twitchtv/twirp"
)

// maxErrorBody is the largest error body that is read to find its Twirp
// code. A Twirp server's error is a short JSON object; anything longer is
// left alone and judged by its status, like an intermediary's page.
const maxErrorBody = 64 << 10

// errorBody replaces the body of a non-200 response once its Twirp error
// has been looked for: it gives back the same bytes, followed by what
// followed them (the read error, or the rest of a body too long to be a
// Twirp error), so the generated client decodes the error exactly as it
// would have, and it remembers what it found for every stage that
// classifies the response after the first.
type errorBody struct {
	io.Reader
	orig io.ReadCloser // closed by Close
	info errorInfo
}

// errorInfo is what a Twirp error body says to the stack.
type errorInfo struct {
	code       twirp.ErrorCode // "" when the body is not a Twirp error
	retryAfter time.Duration   // from its retry_after meta, 0 when none
}

func (b *errorBody) Close() error { return b.orig.Close() }

// failedRead returns, after the bytes read, the error that ended them.
type failedRead struct{ err error }

func (r failedRead) Read([]byte) (int, error) { return 0, r.err }

// twirpError is the JSON of a Twirp error response, as the generated
// clients decode it.
type twirpError struct {
	Code string            `json:"code"`
	Msg  string            `json:"msg"`
	Meta map[string]string `json:"meta,omitempty"`
}

// ResponseErrorCode returns the Twirp error code that a non-200 response
// of a Twirp server carries in its JSON body, so that a Classifier of your
// own can judge it: ok is false for a 200, a body that is not a Twirp error
// (an intermediary's page, a proxy's 502) or one too long to be one (over
// 64 KiB).
//
// The first call reads the body (it must not have been read before) and
// puts in its place one that gives back the same bytes, so that the
// generated client still decodes the error; later calls on the same
// response read nothing. It is what DefaultClassifier does, and the reason
// why it may touch a body that a transport.Classifier otherwise must not.
func ResponseErrorCode(resp *http.Response) (code twirp.ErrorCode, ok bool) {
	info := responseError(resp)
	return info.code, info.code != ""
}

// responseError decodes resp's Twirp error, once per response.
func responseError(resp *http.Response) errorInfo {
	if resp == nil || resp.StatusCode == http.StatusOK || resp.Body == nil || resp.Body == http.NoBody {
		return errorInfo{}
	}
	if b, ok := resp.Body.(*errorBody); ok {
		return b.info
	}
	if resp.ContentLength > maxErrorBody || !isJSON(resp.Header.Get("Content-Type")) {
		return errorInfo{}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	b := &errorBody{orig: resp.Body}
	switch {
	case err != nil:
		b.Reader = io.MultiReader(bytes.NewReader(data), failedRead{err})
	case len(data) > maxErrorBody:
		// Longer than any Twirp error: judged by its status.
		b.Reader = io.MultiReader(bytes.NewReader(data), resp.Body)
	default:
		b.Reader = bytes.NewReader(data)
		b.info = decodeError(data)
	}
	resp.Body = b
	return b.info
}

// decodeError decodes a Twirp error body with the generated clients'
// rules (unknown fields make it an intermediary's, and so does a code that
// Twirp does not know), so that the stack and the caller agree on it.
func decodeError(data []byte) errorInfo {
	var tj twirpError
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tj); err != nil || !twirp.IsValidErrorCode(twirp.ErrorCode(tj.Code)) {
		return errorInfo{}
	}
	return errorInfo{code: twirp.ErrorCode(tj.Code), retryAfter: parseRetryAfterMeta(tj.Meta[MetaRetryAfter])}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// parseRetryAfterMeta reads the retry_after meta convention: a Go duration
// ("1.5s", "200ms") or a number of seconds ("2", "0.5"). Anything else,
// zero or negative, is no delay.
func parseRetryAfterMeta(s string) time.Duration {
	if s == "" {
		return 0
	}
	if d, err := time.ParseDuration(s); err == nil {
		return max(d, 0)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) {
		return 0
	}
	if f >= math.MaxInt64/float64(time.Second) {
		// Too long for a Duration: the server asked for a very long wait,
		// not for none; the retry stage caps it at MaxRetryAfter.
		return math.MaxInt64
	}
	return time.Duration(f * float64(time.Second))
}
