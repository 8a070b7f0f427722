package twirpx

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/transport"
)

// ErrInvalidConfig is wrapped by every configuration error of New and
// DeadlineHandler, and the message names the field's path from the config
// given ("twirpx: invalid config: Config.Methods["S/M"].Timeout: ...").
// A refusal of Config.Transport by the stack below also matches
// transport.ErrInvalidConfig (and a core's own sentinel, such as
// breaker.ErrInvalidConfig, where a core refused it), with its path from
// twirpx's Config ("Config.Transport.Retry.MaxAttempts").
var ErrInvalidConfig = errors.New("twirpx: invalid config")

// errorf returns the error that refuses field.
func errorf(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: "+format, append([]any{ErrInvalidConfig, field}, args...)...)
}

// stackError returns the stack's refusal of Config.Transport (err, from
// transport.New) as twirpx's: it names the field from twirpx's Config and
// matches ErrInvalidConfig as well as what err matches.
func stackError(err error) error {
	var ce *transport.ConfigError
	if !errors.As(err, &ce) {
		return &configError{field: "Config.Transport", err: err}
	}
	field := "Config.Transport"
	if rest, ok := strings.CutPrefix(ce.Field, "Config"); ok {
		field += rest
	}
	e := &configError{field: field, reason: ce.Reason, err: err}
	if ce.Err != nil {
		e.detail = ce.Err.Error()
	}
	return e
}

// configError is a refusal of a field that a package below twirpx judged:
// its message is twirpx's, and it matches both packages' sentinels.
type configError struct {
	field, reason string
	detail        string // the core's message, if a core refused it
	err           error
}

func (e *configError) Error() string {
	msg := "twirpx: invalid config: " + e.field
	switch {
	case e.reason != "" || e.detail != "":
		for _, s := range []string{e.reason, e.detail} {
			if s != "" {
				msg += ": " + s
			}
		}
	default:
		msg += ": " + e.err.Error()
	}
	return msg
}

func (e *configError) Unwrap() []error { return []error{ErrInvalidConfig, e.err} }

// DefaultTimeoutHeader is the request header that carries a call's
// remaining time to the server, unless Config.TimeoutHeader names another.
//
// It carries a duration, not a point in time, so that clocks that disagree
// do not matter, in the encoding of gRPC's grpc-timeout header: at most
// eight digits and a unit, H, M, S, m (milliseconds), u or n ("1500m"). The
// name is ours, not Twirp's: Twirp's protocol has no deadline header, and a
// Twirp-* name could collide with a future one.
const DefaultTimeoutHeader = "Resilient-Timeout"

// Config configures New. The zero Config gives the recommended stack for a
// Twirp client: transport.New's defaults, Twirp-aware classification, one
// breaker per Twirp method and host, no method retried after it was sent
// (Twirp calls are POSTs), and the remaining time sent in
// DefaultTimeoutHeader. Each field says what its zero value means.
type Config struct {
	// Transport configures the resilient stack under the client (see
	// transport.Config, whose zero value is the recommended stack). twirpx
	// fills in, where they are zero:
	//   - Classifier: DefaultClassifier, which judges Twirp error codes;
	//   - Breaker.Key: one breaker per Twirp method and host (see
	//     Client.MethodKey);
	//   - Limit.Key: per method too when LimitPerMethod is set.
	// Base, nil or not, gets twirpx's wire stage on top of it, as the
	// innermost of Attempt (below your own attempt middlewares): it sends
	// the timeout header on each attempt and reads Twirp error bodies for
	// the classifier. The pool, when Base is nil, is the stack's own.
	Transport transport.Config

	// Methods sets each method's policy, keyed by "Service/Method", with
	// the names that twirp.ServiceName and twirp.MethodName report (the
	// service without its proto package, as in "Haberdasher/MakeHat");
	// "Service/*" covers every method of a service and "*" every method.
	// The most specific key wins. Nil means every method gets the zero
	// MethodPolicy: not idempotent, no timeout of its own.
	Methods map[string]MethodPolicy

	// LimitPerMethod keys the load control of Transport.Limit (rate and
	// concurrency limits, queues, server pushback pauses) per Twirp method
	// and host instead of per host, when Transport.Limit.Key is nil. False
	// (the default) keeps it per host: a server that asks this client to
	// slow down (resource_exhausted or unavailable with a retry_after)
	// pauses every method to that host.
	LimitPerMethod bool

	// TimeoutHeader names the request header that carries each attempt's
	// remaining time (see DefaultTimeoutHeader). Empty means
	// DefaultTimeoutHeader. DisableTimeoutHeader sends none, which saves
	// the copy of the request headers that adding one takes.
	TimeoutHeader        string
	DisableTimeoutHeader bool

	// ClientHooks are Twirp client hooks to install on the generated
	// client, chained in order (twirp.ChainClientHooks) into the one
	// ClientHooks value that ClientOptions returns, since
	// twirp.WithClientHooks replaces any hooks set before it. Their Error
	// hook sees errors as the caller does: with the code that twirpx gives
	// a transport failure (unavailable, deadline_exceeded...), not the
	// generated client's internal. Nil means no hooks.
	ClientHooks []*twirp.ClientHooks
}

// MethodPolicy is the policy of the methods that one Config.Methods key
// names. The zero MethodPolicy is the default of every method.
type MethodPolicy struct {
	// Idempotent says that the method may run twice for one call: its
	// effect is the same (a read, a set, an upsert keyed by the request),
	// so a failed attempt that may have reached the server can be retried
	// and hedged. False, the default, retries the method only when the
	// error proves the request was never sent (a refused connection, our
	// own breaker or limiter rejecting it).
	Idempotent bool

	// Timeout bounds every call of the method, retries and waits
	// included, like Transport.Timeout.Total but for this method; the
	// caller's own deadline still wins when it is sooner. Zero means the
	// method has no timeout of its own (Transport.Timeout.Total applies).
	// Negative is an error, and so is a Timeout longer than
	// Transport.Timeout.Total, which would
	// never be reached.
	Timeout time.Duration

	// Hedge, when set, hedges this method's calls (see
	// transport.HedgeConfig): after the delay a second call goes, and the
	// first good answer wins. The method must be Idempotent (a hedge runs
	// it twice), and Config.Transport.Hedge must be nil (it would hedge
	// the method twice over). Each hedge is a whole call through the
	// stack, with its own retries, within the method's Timeout; it draws
	// on Config.Transport.Retry.Budget when that is set, else on a budget
	// of its own (HedgeConfig.Budget to choose). Nil means no hedging of
	// its own.
	Hedge *transport.HedgeConfig
}

// validate checks c and returns it with its defaults filled in, the
// Transport ones aside (New sets those, as they need the client).
func (c Config) validate() (Config, error) {
	if c.TimeoutHeader == "" {
		c.TimeoutHeader = DefaultTimeoutHeader
	}
	if !validHeaderName(c.TimeoutHeader) {
		return c, errorf("Config.TimeoutHeader", "%q is not a valid header name", c.TimeoutHeader)
	}
	// The stage sets the header map directly: the name must be in the
	// canonical form that Header.Get looks up on the server.
	c.TimeoutHeader = http.CanonicalHeaderKey(c.TimeoutHeader)
	total := c.Transport.Timeout.Total
	if total == 0 {
		total = transport.DefaultConfig().Timeout.Total
	}
	// Sorted, so that the first error reported does not depend on map order.
	keys := make([]string, 0, len(c.Methods))
	for k := range c.Methods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, _, err := parseMethodKey(k); err != nil {
			return c, err
		}
		p := c.Methods[k]
		if p.Timeout < 0 {
			return c, errorf(fmt.Sprintf("Config.Methods[%q].Timeout", k), "is %v, must be >= 0 (0 means no timeout of its own)", p.Timeout)
		}
		if p.Hedge != nil {
			switch {
			case !p.Idempotent:
				return c, errorf(fmt.Sprintf("Config.Methods[%q].Hedge", k), "is set on a method that is not Idempotent: a hedge runs the call twice")
			case c.Transport.Hedge != nil:
				return c, errorf(fmt.Sprintf("Config.Methods[%q].Hedge", k), "is set with Config.Transport.Hedge, which hedges every idempotent method already: set one of them")
			}
		}
		if p.Timeout > total && !c.Transport.Timeout.TotalOff && c.Transport.Timeout.Total >= 0 {
			return c, errorf(fmt.Sprintf("Config.Methods[%q].Timeout", k), "%v exceeds Config.Transport.Timeout.Total %v, which would end the call first: raise it or set Config.Transport.Timeout.TotalOff", p.Timeout, total)
		}
	}
	return c, nil
}

// parseMethodKey splits a Config.Methods key into its service and method
// ("*" for a wildcard).
func parseMethodKey(k string) (service, method string, err error) {
	if k == "*" {
		return "*", "*", nil
	}
	service, method, ok := strings.Cut(k, "/")
	if !ok || service == "" || method == "" || strings.Contains(method, "/") ||
		strings.Contains(service, "*") || (strings.Contains(method, "*") && method != "*") {
		return "", "", errorf(fmt.Sprintf("Config.Methods[%q]", k), `the key must be "Service/Method", "Service/*" or "*"`)
	}
	return service, method, nil
}

// validHeaderName reports whether s is an RFC 9110 token, as a header
// name must be. (golang.org/x/net/http/httpguts has this check, but its
// package pulls golang.org/x/text into the module for one loop.)
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
