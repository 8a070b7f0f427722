package lclock_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

func TestHLCTextRoundTrip(t *testing.T) {
	for _, s := range []lclock.Stamp{
		0, 1, 65535, 65536,
		lclock.HLCStamp(time.UnixMilli(1764190881123), 7),
		lclock.Stamp(math.MaxUint64),
	} {
		text := string(lclock.AppendHLC(nil, s))
		got, err := lclock.ParseHLC(text)
		if err != nil || got != s {
			t.Errorf("ParseHLC(%q) = %v, %v; want %v", text, got, err, s)
		}
	}
	if got := string(lclock.AppendHLC(nil, lclock.HLCStamp(time.UnixMilli(1764190881123), 7))); got != "1764190881123.00007" {
		t.Errorf("AppendHLC = %q, want 1764190881123.00007", got)
	}
	if got := string(lclock.AppendHLC(nil, lclock.Stamp(math.MaxUint64))); got != "281474976710655.65535" {
		t.Errorf("AppendHLC(max) = %q", got)
	}
}

func TestLamportTextRoundTrip(t *testing.T) {
	for _, s := range []lclock.Stamp{0, 1, 42, 1 << 40, math.MaxUint64} {
		text := string(lclock.AppendLamport(nil, s))
		got, err := lclock.ParseLamport(text)
		if err != nil || got != s {
			t.Errorf("ParseLamport(%q) = %v, %v; want %v", text, got, err, s)
		}
	}
}

// hostile holds text that is not a stamp of either kind.
var hostile = []string{
	"", " ", "-1", "+1", " 1", "1 ", "0x10", "1e9", "abc", "１２", "\x00", "1\n",
	"18446744073709551616",    // 2^64: overflows a Lamport stamp
	"99999999999999999999",    // 20 digits, above 2^64
	"999999999999999999999",   // 21 digits
	strings.Repeat("9", 4096), // huge
	".", "1.", ".1", "1..2", "1.2.3", "-1.0", "1.-1", "1.+1",
	"281474976710656.0",    // ms one past the 48 bits
	"1764190881123.65536",  // logical past 16 bits
	"1764190881123.000007", // six logical digits
	"9999999999999999.0",   // 16 ms digits
	"1764190881123.1 ",
}

func TestParseHostile(t *testing.T) {
	for _, text := range hostile {
		if s, err := lclock.ParseHLC(text); !errors.Is(err, lclock.ErrMalformed) {
			t.Errorf("ParseHLC(%q) = %v, %v; want ErrMalformed", text, s, err)
		}
		if strings.Contains(text, ".") {
			continue
		}
		if s, err := lclock.ParseLamport(text); !errors.Is(err, lclock.ErrMalformed) {
			t.Errorf("ParseLamport(%q) = %v, %v; want ErrMalformed", text, s, err)
		}
	}
	// The kinds do not parse as each other.
	if _, err := lclock.ParseLamport("1764190881123.00007"); !errors.Is(err, lclock.ErrMalformed) {
		t.Errorf("ParseLamport(HLC text) = %v, want ErrMalformed", err)
	}
	if _, err := lclock.ParseHLC("42"); !errors.Is(err, lclock.ErrMalformed) {
		t.Errorf("ParseHLC(Lamport text) = %v, want ErrMalformed", err)
	}
}

func TestParseAllocatesNothing(t *testing.T) {
	texts := append([]string{"1764190881123.00007", "42"}, hostile...)
	allocs := testing.AllocsPerRun(100, func() {
		for _, s := range texts {
			_, _ = lclock.ParseHLC(s)
			_, _ = lclock.ParseLamport(s)
		}
	})
	if allocs != 0 {
		t.Errorf("parsing allocated %v times per run, want 0", allocs)
	}
}

// FuzzParseHLC checks that any text either fails with ErrMalformed or
// parses to a stamp whose text form parses back to the same stamp.
func FuzzParseHLC(f *testing.F) {
	for _, s := range append([]string{"1764190881123.00007", "0.0", "42"}, hostile...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := lclock.ParseHLC(text)
		if err != nil {
			if !errors.Is(err, lclock.ErrMalformed) {
				t.Fatalf("ParseHLC(%q) error %v is not ErrMalformed", text, err)
			}
			return
		}
		back, err := lclock.ParseHLC(string(lclock.AppendHLC(nil, s)))
		if err != nil || back != s {
			t.Fatalf("round trip of %q: %v, %v; want %v", text, back, err, s)
		}
		if s2, err := lclock.ParseLamport(text); err == nil {
			t.Fatalf("%q parses as both kinds (Lamport %v)", text, s2)
		}
	})
}

// FuzzParseLamport is FuzzParseHLC for Lamport stamps.
func FuzzParseLamport(f *testing.F) {
	for _, s := range append([]string{"0", "42", "18446744073709551615"}, hostile...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := lclock.ParseLamport(text)
		if err != nil {
			if !errors.Is(err, lclock.ErrMalformed) {
				t.Fatalf("ParseLamport(%q) error %v is not ErrMalformed", text, err)
			}
			return
		}
		back, err := lclock.ParseLamport(string(lclock.AppendLamport(nil, s)))
		if err != nil || back != s {
			t.Fatalf("round trip of %q: %v, %v; want %v", text, back, err, s)
		}
	})
}

func TestStampParts(t *testing.T) {
	wall := time.Date(2026, 11, 26, 21, 1, 21, 123456789, time.UTC)
	s := lclock.HLCStamp(wall, 9)
	if got, want := s.Wall(), wall.Truncate(time.Millisecond); !got.Equal(want) {
		t.Errorf("Wall = %v, want %v", got, want)
	}
	if s.Logical() != 9 || s.Millis() != wall.UnixMilli() {
		t.Errorf("Logical, Millis = %d, %d", s.Logical(), s.Millis())
	}
	if lclock.HLCStamp(time.Unix(-5, 0), 1) != 1 {
		t.Error("a wall time before 1970 is not clamped to 0")
	}
	if got := lclock.HLCStamp(time.Unix(1<<50, 0), 0).Millis(); got != lclock.MaxHLCMillis {
		t.Errorf("a wall time past the 48 bits gives Millis %d, want %d", got, int64(lclock.MaxHLCMillis))
	}
}
