package transport

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidConfig is wrapped by every configuration error of this package.
var ErrInvalidConfig = errors.New("transport: invalid config")

// ConfigError is the error that New, and each stage constructor (Retry,
// Hedge, Breaker, Limit, Balance, Coalesce, TotalTimeout, AttemptTimeout,
// NewHealthCheck), returns for a config it refuses. It matches
// ErrInvalidConfig and, when a core package refused its part (breaker,
// limiter, queue, pool, balancer, backoff), that package's own
// ErrInvalidConfig too:
//
//	transport: invalid config: Config.Breaker.Window.Period: breaker: invalid config: Window.Period -1s is negative
type ConfigError struct {
	// Field is the refused field's path from the config that was given:
	// "Config.Retry.MaxAttempts" from New, "RetryConfig.MaxAttempts"
	// from Retry. A refusal of two fields together names the first and
	// says the other in Reason.
	Field string

	// Reason says what is wrong with the field; empty when Err says it.
	Reason string

	// Err is a core package's refusal of the config that Field holds, or
	// nil.
	Err error
}

// Error implements error.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("transport: invalid config: ")
	b.WriteString(e.Field)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrInvalidConfig and, if set, Err.
func (e *ConfigError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidConfig}
	}
	return []error{ErrInvalidConfig, e.Err}
}

// fieldError returns the error that refuses field.
func fieldError(field, format string, args ...any) error {
	return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// coreError returns the error that refuses a core's config held in field,
// or nil when err is nil. The cores' messages begin with the field of
// their config that they refuse ("breaker: invalid config: Window.Period
// -1s is negative"); that field is appended to the path, so that the path
// reaches the setting itself.
func coreError(field string, err error) error {
	if err == nil {
		return nil
	}
	if sub := coreField(err.Error()); sub != "" {
		field += "." + sub
	}
	return &ConfigError{Field: field, Err: err}
}

// coreField returns the field path that a core's error message begins
// with, after its "pkg: invalid config: " prefix (and a "Config." that
// some cores put first), or "" when it begins with none.
func coreField(msg string) string {
	const sep = "invalid config: "
	i := strings.Index(msg, sep)
	if i < 0 {
		return ""
	}
	msg = strings.TrimPrefix(msg[i+len(sep):], "Config.")
	end := 0
	for end < len(msg) {
		// A path is capitalised identifiers joined by dots.
		if msg[end] < 'A' || msg[end] > 'Z' {
			break
		}
		j := end + 1
		for j < len(msg) && isIdentByte(msg[j]) {
			j++
		}
		end = j
		if end+1 < len(msg) && msg[end] == '.' && msg[end+1] >= 'A' && msg[end+1] <= 'Z' {
			end++
			continue
		}
		break
	}
	if end == len(msg) || (end > 0 && msg[end] != ' ' && msg[end] != ':') {
		// Not a field followed by its complaint: leave the path as it is.
		return ""
	}
	return msg[:end]
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// within re-roots err's path: a ConfigError whose Field begins with from
// (a constructor's "RetryConfig") is returned with it replaced by to
// (New's "Config.Retry"); any other non-nil error, a core's refusal, is
// returned as refusing the field to itself. nil stays nil.
func within(err error, from, to string) error {
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		if rest, ok := strings.CutPrefix(ce.Field, from); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			c := *ce
			c.Field = to + rest
			return &c
		}
		return err
	}
	return coreError(to, err)
}
