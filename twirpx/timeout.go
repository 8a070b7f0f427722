package twirpx

import (
	"strconv"
	"time"
)

// The units of the timeout header, finest first: gRPC's grpc-timeout
// encoding (PROTOCOL-HTTP2.md), at most eight digits and one unit.
var timeoutUnits = [...]struct {
	unit byte
	d    time.Duration
}{
	{'n', time.Nanosecond},
	{'u', time.Microsecond},
	{'m', time.Millisecond},
	{'S', time.Second},
	{'M', time.Minute},
	{'H', time.Hour},
}

const maxTimeoutDigits = 99_999_999

// appendTimeout appends d, which must be positive, in the header's
// encoding: the finest unit in which it fits eight digits, rounded up, so
// that the server never gets less time than the client gives (a
// microsecond's rounding is far below a network hop).
func appendTimeout(b []byte, d time.Duration) []byte {
	for _, u := range timeoutUnits {
		v := (d + u.d - 1) / u.d
		if v <= maxTimeoutDigits {
			b = strconv.AppendInt(b, int64(v), 10)
			return append(b, u.unit)
		}
	}
	// Unreachable: 99,999,999 hours exceed every time.Duration.
	return append(b, "99999999H"...)
}

// parseTimeout reads a header value written by appendTimeout (or by any
// gRPC-style sender). ok is false for anything else: an empty value, more
// than eight digits, a sign, an unknown unit.
func parseTimeout(s string) (d time.Duration, ok bool) {
	if len(s) < 2 || len(s) > 9 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s)-1; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	unit := s[len(s)-1]
	for _, u := range timeoutUnits {
		if u.unit == unit {
			if v > int64(maxDuration/u.d) {
				return maxDuration, true
			}
			return time.Duration(v) * u.d, true
		}
	}
	return 0, false
}

const maxDuration = time.Duration(1<<63 - 1)
