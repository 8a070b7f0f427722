package backoff_test

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// ParseRetryAfter's HTTP-date form must accept exactly what net/http's
// ParseTime accepts, and read the same instant: backoff spells the layouts
// out rather than import net/http, so this test holds the two together.

// httpDateWant is what ParseRetryAfter should return for value according
// to net/http: ok when ParseTime parses the trimmed value (and it is not
// delta-seconds, which starts with a digit), the wait until that instant.
func httpDateWant(value string, now time.Time, max time.Duration) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if v == "" || v[0] >= '0' && v[0] <= '9' {
		return 0, false // not an HTTP-date: the caller skips the comparison
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := max0(t.Sub(now))
	if max > 0 && d > max {
		d = max
	}
	return d, true
}

func max0(d time.Duration) time.Duration { return max(d, 0) }

// comparable reports whether value is for the HTTP-date form (not
// delta-seconds, which is checked elsewhere).
func comparable(value string) bool {
	v := strings.TrimSpace(value)
	return v != "" && !(v[0] >= '0' && v[0] <= '9')
}

// httpDates returns n inputs: valid dates in the three layouts over the
// whole range of years each allows, the same with one mutation each, and
// random strings built from the characters dates are made of.
func httpDates(r *rand.Rand, n int) []string {
	layouts := []string{http.TimeFormat, time.RFC850, time.ANSIC}
	const alphabet = "0123456789 ,:-MonTueWedThuFriSatSunJanFebMarAprMayJunJulAugSepOctNovDecGMTUTCPSTday\t+"
	out := make([]string, 0, n)
	for len(out) < n {
		// Years 0 to 9999; RFC 850's two-digit year folds them.
		t := time.Unix(r.Int64N(253402300800+62135596800)-62135596800, 0).UTC()
		layout := layouts[r.IntN(len(layouts))]
		s := t.Format(layout)
		switch r.IntN(4) {
		case 0: // valid as is
		case 1: // one byte changed
			b := []byte(s)
			b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
			s = string(b)
		case 2: // one byte dropped or doubled
			i := r.IntN(len(s))
			if r.IntN(2) == 0 {
				s = s[:i] + s[i+1:]
			} else {
				s = s[:i] + s[i:i+1] + s[i:]
			}
		case 3: // random
			b := make([]byte, r.IntN(34))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			s = string(b)
		}
		if r.IntN(8) == 0 {
			s = " " + s + "\t"
		}
		out = append(out, s)
	}
	return out
}

func TestHTTPDateMatchesNetHTTP(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := append(httpDates(r, 50000),
		// Edge cases of each layout.
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Sun Nov 6 08:49:37 1994", "Sun, 6 Nov 1994 08:49:37 GMT", "sun, 06 nov 1994 08:49:37 gmt",
		"Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 PST", "Sunday, 06-Nov-94 08:49:37 +0100",
		"Mon, 06 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1995 08:49:37 GMT", "Thu, 29 Feb 1996 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 23:59:60 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
		"Mon, 01 Jan 0001 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sun, 06 Nov 1994 08:49:37.5 GMT", "Sun Nov  6 08:49:37 1994 ", "Sunday, 06-Nov-1994 08:49:37 GMT",
	)
	nows := []time.Time{now, time.Unix(0, 0), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	valid, mismatches := 0, 0
	for i, v := range inputs {
		if !comparable(v) {
			continue
		}
		n := nows[i%len(nows)]
		for _, max := range []time.Duration{0, time.Minute} {
			want, wantOK := httpDateWant(v, n, max)
			got, ok := backoff.ParseRetryAfter(v, n, max)
			if got != want || ok != wantOK {
				mismatches++
				if mismatches <= 10 {
					t.Errorf("ParseRetryAfter(%q, %v, %v) = %v, %v; net/http.ParseTime says %v, %v", v, n, max, got, ok, want, wantOK)
				}
			}
			if ok && max == 0 {
				valid++
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d mismatches with net/http.ParseTime over %d inputs", mismatches, len(inputs))
	}
	// The generator must exercise both sides: many dates valid, many not.
	if valid < len(inputs)/5 || valid > len(inputs)*4/5 {
		t.Errorf("%d of %d inputs are valid dates: the generator is lopsided", valid, len(inputs))
	}
	t.Logf("%d inputs, %d valid HTTP-dates, %d mismatches", len(inputs), valid, mismatches)
}

func FuzzHTTPDateMatchesNetHTTP(f *testing.F) {
	for _, v := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sunday, 06-Nov-94 08:49:37 PST",
		"Sun, 06 Nov 1994 08:49:37 UTC", "garbage", " Sun Nov 6 08:49:37 1994 ",
	} {
		f.Add(v, int64(784111777))
	}
	f.Fuzz(func(t *testing.T, value string, nowUnix int64) {
		if !comparable(value) {
			return
		}
		n := time.Unix(nowUnix, 0)
		want, wantOK := httpDateWant(value, n, 0)
		got, ok := backoff.ParseRetryAfter(value, n, 0)
		if got != want || ok != wantOK {
			t.Fatalf("ParseRetryAfter(%q, %v) = %v, %v; net/http.ParseTime says %v, %v", value, n, got, ok, want, wantOK)
		}
	})
}
