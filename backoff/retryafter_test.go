package backoff_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// now is the injected clock for Retry-After tests:
// Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110.
var now = time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		value  string
		max    time.Duration
		want   time.Duration
		wantOK bool
	}{
		// delta-seconds
		{"120", 0, 120 * time.Second, true},
		{"0", 0, 0, true},
		{"1", 0, time.Second, true},
		{"007", 0, 7 * time.Second, true},
		{"  120\t", 0, 120 * time.Second, true},
		{"\r\n 5 \n", 0, 5 * time.Second, true},
		{"9223372036", 0, 9223372036 * time.Second, true}, // largest that fits
		{"120", time.Minute, time.Minute, true},           // clamped
		{"120", 120 * time.Second, 120 * time.Second, true},
		{"120", -time.Second, 120 * time.Second, true}, // max <= 0: no clamp
		{"3600", 0, time.Hour, true},
		{"61", 60500 * time.Millisecond, 60500 * time.Millisecond, true}, // clamp to a fraction of a second
		{"60", 60500 * time.Millisecond, time.Minute, true},
		{"000000000000000000000000000001", 0, time.Second, true}, // leading zeros do not overflow

		// delta-seconds too long for a Duration: the server asked for a
		// long wait, so it saturates (at the clamp when there is one)
		// rather than counting as malformed and falling back to a short
		// backoff.
		{"9223372037", 0, math.MaxInt64, true},                    // overflows Duration
		{"99999999999", 30 * time.Second, 30 * time.Second, true}, // the reported case
		{"99999999999999999999", 0, math.MaxInt64, true},          // overflows int64
		{"99999999999999999999", time.Minute, time.Minute, true},  // clamped
		{strings.Repeat("9", 400), time.Hour, time.Hour, true},    // any number of digits
		{"99999999999999999999x", time.Minute, 0, false},          // still malformed

		// HTTP-date, IMF-fixdate (http.TimeFormat)
		{"Sun, 06 Nov 1994 08:51:37 GMT", 0, 2 * time.Minute, true},
		{"Sun, 06 Nov 1994 08:49:37 GMT", 0, 0, true},
		{"Sun, 06 Nov 1994 08:49:36 GMT", 0, 0, true}, // past: 0, ok
		{"Sat, 01 Jan 1994 00:00:00 GMT", 0, 0, true}, // far past
		{"Mon, 07 Nov 1994 08:49:37 GMT", 0, 24 * time.Hour, true},
		{"Mon, 07 Nov 1994 08:49:37 GMT", 30 * time.Second, 30 * time.Second, true}, // clamped
		{"  Sun, 06 Nov 1994 08:50:37 GMT  ", 0, time.Minute, true},
		// RFC 850
		{"Sunday, 06-Nov-94 08:51:37 GMT", 0, 2 * time.Minute, true},
		{"Saturday, 05-Nov-94 08:49:37 GMT", 0, 0, true},
		// ANSI C asctime
		{"Sun Nov  6 08:51:37 1994", 0, 2 * time.Minute, true},
		{"Sun Nov  6 08:49:30 1994", 0, 0, true},
		{"Mon Nov  7 08:49:37 1994", time.Hour, time.Hour, true},

		// malformed
		{"", 0, 0, false},
		{"   ", 0, 0, false},
		{"-1", 0, 0, false},
		{"-0", 0, 0, false},
		{"+5", 0, 0, false},
		{"1.5", 0, 0, false},
		{"1e3", 0, 0, false},
		{"12 0", 0, 0, false},
		{"0x10", 0, 0, false},
		{"120s", 0, 0, false},
		{"soon", 0, 0, false},
		{"Sun, 06 Nov 1994 08:49:37", 0, 0, false}, // no zone
		{"Sun, 32 Nov 1994 08:49:37 GMT", 0, 0, false},
		{"2024-01-01T00:00:00Z", 0, 0, false}, // RFC 3339 is not an HTTP-date
		{"٣", 0, 0, false},                    // a non-ASCII digit
	}
	for _, tt := range tests {
		got, ok := backoff.ParseRetryAfter(tt.value, now, tt.max)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q, now, %v) = %v, %v; want %v, %v", tt.value, tt.max, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestParseRetryAfterFarFuture checks that a date beyond the range of a
// Duration saturates instead of overflowing.
func TestParseRetryAfterFarFuture(t *testing.T) {
	d, ok := backoff.ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", time.Unix(0, 0), 0)
	if !ok || d <= 0 {
		t.Errorf("far-future date = %v, %v; want a large positive duration", d, ok)
	}
	d, ok = backoff.ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", time.Unix(0, 0), time.Hour)
	if !ok || d != time.Hour {
		t.Errorf("far-future date clamped to 1h = %v, %v", d, ok)
	}
}

func TestParseRetryAfterNoAlloc(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, ok := backoff.ParseRetryAfter(" 120 ", now, time.Minute); !ok {
			panic("not ok")
		}
	})
	if n != 0 {
		t.Errorf("delta-seconds ParseRetryAfter allocates %v times per call", n)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, v := range []string{
		"120", "0", " 7 ", "-1", "1.5", "", "99999999999999999999", "9223372036", "9223372037",
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "garbage",
	} {
		f.Add(v, int64(784111777), int64(0))
		f.Add(v, int64(0), int64(time.Minute))
		f.Add(v, int64(-1<<40), int64(-1))
	}
	f.Fuzz(func(t *testing.T, value string, nowUnix int64, maxNanos int64) {
		max := time.Duration(maxNanos)
		d, ok := backoff.ParseRetryAfter(value, time.Unix(nowUnix, 0), max)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, negative", value, d)
		}
		if max > 0 && d > max {
			t.Fatalf("ParseRetryAfter(%q, max %v) = %v, above max", value, max, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false; want 0 when not ok", value, d)
		}
		trimmed := strings.TrimSpace(value)
		// Any run of ASCII digits parses: one too large for a Duration
		// saturates.
		if trimmed != "" && strings.Trim(trimmed, "0123456789") == "" {
			if !ok {
				t.Fatalf("ParseRetryAfter(%q) not ok for delta-seconds", value)
			}
			if len(strings.TrimLeft(trimmed, "0")) > 10 && d != max && (max > 0 || d != math.MaxInt64) {
				t.Fatalf("ParseRetryAfter(%q, max %v) = %v, want it saturated", value, max, d)
			}
		}
		// Accepted values are stable under surrounding white space.
		if d2, ok2 := backoff.ParseRetryAfter(" \t"+value+" ", time.Unix(nowUnix, 0), max); d2 != d || ok2 != ok {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v but with white space = %v, %v", value, d, ok, d2, ok2)
		}
	})
}
