package backoff

import (
	"math"
	"strings"
	"time"
)

// HTTP-date layouts, in the order net/http's ParseTime tries them (RFC 9110
// section 5.6.7). They are spelled out here because this package does not
// import net/http.
const (
	imfFixdate  = "Mon, 02 Jan 2006 15:04:05 GMT" // http.TimeFormat, preferred
	rfc850Date  = "Monday, 02-Jan-06 15:04:05 MST"
	asctimeDate = "Mon Jan _2 15:04:05 2006"
)

// maxDeltaSeconds is the largest delta-seconds value that fits a Duration.
const maxDeltaSeconds = int64(math.MaxInt64 / int64(time.Second))

// maxDuration is the longest Duration, what a delta-seconds value too
// large for one saturates to.
const maxDuration = time.Duration(math.MaxInt64)

// ParseRetryAfter parses the value of an HTTP Retry-After header (RFC 9110
// section 10.2.3) and returns how long to wait from now.
//
// value is either delta-seconds ("120": one or more ASCII digits, no sign)
// or an HTTP-date in any of the three formats net/http's ParseTime accepts:
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday,
// 06-Nov-94 08:49:37 GMT") or ANSI C asctime ("Sun Nov  6 08:49:37 1994").
// Leading and trailing white space is ignored.
//
// The result is never negative: a date in the past gives 0 with ok true
// (retry now). When max > 0 the result is clamped to max, so a server
// cannot park a client for a day; max <= 0 means no clamp. A wait too long
// for a Duration (about 292 years: "99999999999", a date in the year 9999)
// saturates: it is max, or the longest Duration without a clamp, never an
// error, since the server asked for a long wait and falling back to a
// short backoff would do the opposite. ok is false, and d is 0, for an
// empty or malformed value: a sign, a fraction, garbage. A caller then
// falls back to its own backoff.
//
// The delta-seconds form does not allocate.
func ParseRetryAfter(value string, now time.Time, max time.Duration) (d time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if c := value[0]; c >= '0' && c <= '9' {
		secs, ok := parseDeltaSeconds(value)
		if !ok {
			return 0, false
		}
		if secs > maxDeltaSeconds {
			d = maxDuration
		} else {
			d = time.Duration(secs) * time.Second
		}
	} else {
		t, ok := parseHTTPDate(value)
		if !ok {
			return 0, false
		}
		d = t.Sub(now) // saturates instead of overflowing
	}
	if d < 0 {
		d = 0
	}
	if max > 0 && d > max {
		d = max
	}
	return d, true
}

// parseDeltaSeconds parses 1*DIGIT into seconds. A value above
// maxDeltaSeconds, however many digits it has, gives maxDeltaSeconds+1:
// the caller saturates it.
func parseDeltaSeconds(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= maxDeltaSeconds {
			n = n*10 + int64(c-'0') // < 10·(maxDeltaSeconds+1): no overflow
		}
		n = min(n, maxDeltaSeconds+1)
	}
	return n, true
}

// parseHTTPDate parses s with the three HTTP-date layouts, as
// net/http.ParseTime does.
func parseHTTPDate(s string) (time.Time, bool) {
	for _, layout := range [...]string{imfFixdate, rfc850Date, asctimeDate} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
