package lclock_test

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

// fakeWall is a settable wall clock, safe for concurrent use.
type fakeWall struct{ ms atomic.Int64 }

func newFakeWall(ms int64) *fakeWall {
	w := new(fakeWall)
	w.ms.Store(ms)
	return w
}

func (w *fakeWall) now() time.Time { return time.UnixMilli(w.ms.Load()) }
func (w *fakeWall) set(ms int64)   { w.ms.Store(ms) }

func newHLC(t testing.TB, w *fakeWall, offset time.Duration) *lclock.HLC {
	t.Helper()
	h, err := lclock.NewHLC(lclock.Config{WallClock: w.now, MaxOffset: offset})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// hlc builds the stamp (ms, c).
func hlc(ms int64, c uint16) lclock.Stamp { return lclock.HLCStamp(time.UnixMilli(ms), c) }

func TestHLCConfig(t *testing.T) {
	for _, off := range []time.Duration{-1, time.Microsecond, (1<<40 + 1) * time.Millisecond} {
		if _, err := lclock.NewHLC(lclock.Config{MaxOffset: off}); !errors.Is(err, lclock.ErrInvalidConfig) {
			t.Errorf("MaxOffset %v: err = %v, want ErrInvalidConfig", off, err)
		}
	}
	for _, off := range []time.Duration{0, time.Millisecond, time.Hour} {
		if _, err := lclock.NewHLC(lclock.Config{MaxOffset: off}); err != nil {
			t.Errorf("MaxOffset %v: err = %v", off, err)
		}
	}
}

func TestHLCZeroValueFollowsWallTime(t *testing.T) {
	var h lclock.HLC
	before := time.Now().UnixMilli()
	s := h.Tick()
	after := time.Now().UnixMilli()
	if s.Millis() < before || s.Millis() > after {
		t.Fatalf("Tick wall part %d not within [%d, %d]", s.Millis(), before, after)
	}
	if h.Now() != s {
		t.Fatalf("Now = %v, want the last tick %v", h.Now(), s)
	}
	// The largest stamp is refused by the default 500ms bound.
	if _, err := h.Witness(math.MaxUint64); !errors.Is(err, lclock.ErrAhead) {
		t.Fatalf("Witness(max) err = %v, want ErrAhead", err)
	}
}

func TestHLCRules(t *testing.T) {
	w := newFakeWall(1000)
	h := newHLC(t, w, 100*time.Millisecond)
	steps := []struct {
		name    string
		wall    int64
		witness *lclock.Stamp // nil: Tick
		want    lclock.Stamp
		err     error
	}{
		{"tick takes wall time", 1000, nil, hlc(1000, 0), nil},
		{"same ms: counter", 1000, nil, hlc(1000, 1), nil},
		{"wall went back: counter", 990, nil, hlc(1000, 2), nil},
		{"wall ahead: counter reset", 1005, nil, hlc(1005, 0), nil},
		{"witness behind", 1005, ptr(hlc(900, 50)), hlc(1005, 1), nil},
		{"witness same l, bigger c", 1005, ptr(hlc(1005, 40)), hlc(1005, 41), nil},
		{"witness ahead within offset", 1006, ptr(hlc(1100, 3)), hlc(1100, 4), nil},
		{"tick after adopting", 1007, nil, hlc(1100, 5), nil},
		{"wall catches up", 1101, nil, hlc(1101, 0), nil},
		{"witness beyond offset: refused", 1101, ptr(hlc(1202, 0)), hlc(1101, 1), lclock.ErrAhead},
		{"witness max: refused", 1101, ptr(lclock.Stamp(math.MaxUint64)), hlc(1101, 2), lclock.ErrAhead},
		{"witness at the offset: adopted", 1101, ptr(hlc(1201, 9)), hlc(1201, 10), nil},
		{"wall below 1970 is 0", -5000, nil, hlc(1201, 11), nil},
	}
	for _, st := range steps {
		w.set(st.wall)
		var got lclock.Stamp
		var err error
		if st.witness == nil {
			got = h.Tick()
		} else {
			got, err = h.Witness(*st.witness)
		}
		if got != st.want || !errors.Is(err, st.err) {
			t.Fatalf("%s: got %s, %v; want %s, %v", st.name, lclock.AppendHLC(nil, got), err, lclock.AppendHLC(nil, st.want), st.err)
		}
	}
	if got := h.Stats().Rejected; got != 2 {
		t.Errorf("Rejected = %d, want 2", got)
	}
}

func ptr(s lclock.Stamp) *lclock.Stamp { return &s }

func TestHLCCounterCarriesInsteadOfWrapping(t *testing.T) {
	w := newFakeWall(5000) // frozen
	h := newHLC(t, w, 0)
	if s, err := h.Witness(hlc(5000, math.MaxUint16-1)); s != hlc(5000, math.MaxUint16) || err != nil {
		t.Fatalf("Witness = %v, %v", s, err)
	}
	// The next event carries into the wall part: still ordered.
	if s := h.Tick(); s != hlc(5001, 0) {
		t.Fatalf("Tick past the counter = %s, want 5001.00000", lclock.AppendHLC(nil, s))
	}
	if got := h.Stats().Overflowed; got != 1 {
		t.Errorf("Overflowed = %d, want 1", got)
	}
	// A received stamp at the counter's end carries too.
	if s, _ := h.Witness(hlc(5001, math.MaxUint16)); s != hlc(5002, 0) {
		t.Fatalf("Witness at counter end = %s, want 5002.00000", lclock.AppendHLC(nil, s))
	}
	// Wall time reaching a ms by itself is no overflow.
	w.set(5003)
	h.Tick()
	if got := h.Stats().Overflowed; got != 2 {
		t.Errorf("Overflowed = %d, want 2", got)
	}
}

func TestHLCSaturatesAtTheEnd(t *testing.T) {
	w := newFakeWall(math.MaxInt64) // read as MaxHLCMillis
	h := newHLC(t, w, 0)
	if s := h.Tick(); s.Millis() != lclock.MaxHLCMillis || s.Logical() != 0 {
		t.Fatalf("Tick at the end of wall time = %v", s)
	}
	if s, err := h.Witness(math.MaxUint64); s != math.MaxUint64 || err != nil {
		t.Fatalf("Witness(max) = %v, %v", s, err)
	}
	for range 2 {
		if s := h.Tick(); s != math.MaxUint64 {
			t.Fatalf("Tick at max = %v, want to stay at max", s)
		}
	}
	if got := h.Stats().Overflowed; got != 3 {
		t.Errorf("Overflowed = %d, want 3", got)
	}
}

func TestHLCDefaultConfig(t *testing.T) {
	h, err := lclock.NewHLC(lclock.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// 400ms ahead is within the default offset, 600ms is not.
	if _, err := h.Witness(lclock.HLCStamp(time.Now().Add(400*time.Millisecond), 0)); err != nil {
		t.Errorf("400ms ahead: %v", err)
	}
	if _, err := h.Witness(lclock.HLCStamp(time.Now().Add(time.Second), 0)); !errors.Is(err, lclock.ErrAhead) {
		t.Errorf("1s ahead: err = %v, want ErrAhead", err)
	}
}
