package lclock_test

import (
	"errors"
	"math"
	"testing"

	"github.com/resilient-go/resilient/lclock"
)

func TestLamportZeroValue(t *testing.T) {
	var l lclock.Lamport
	if l.Now() != 0 {
		t.Fatalf("Now of a zero clock = %v", l.Now())
	}
	for want := lclock.Stamp(1); want <= 3; want++ {
		if got := l.Tick(); got != want {
			t.Fatalf("Tick = %v, want %v", got, want)
		}
	}
	if l.Now() != 3 {
		t.Fatalf("Now = %v, want 3", l.Now())
	}
	// A stamp behind us: max(3, 1)+1.
	if s, err := l.Witness(1); s != 4 || err != nil {
		t.Fatalf("Witness(1) = %v, %v; want 4, nil", s, err)
	}
	// A stamp ahead: max(4, 100)+1.
	if s, err := l.Witness(100); s != 101 || err != nil {
		t.Fatalf("Witness(100) = %v, %v; want 101, nil", s, err)
	}
}

func TestLamportRejectsFarAhead(t *testing.T) {
	l, err := lclock.NewLamport(lclock.LamportConfig{MaxJump: 10})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := l.Witness(10); s != 11 || err != nil { // exactly MaxJump ahead: adopted
		t.Fatalf("Witness(10) = %v, %v; want 11, nil", s, err)
	}
	for _, m := range []lclock.Stamp{22, 1 << 40, math.MaxUint64} {
		before := l.Now()
		s, err := l.Witness(m)
		if !errors.Is(err, lclock.ErrAhead) || s != before+1 {
			t.Errorf("Witness(%v) at %v = %v, %v; want %v, ErrAhead", m, before, s, err, before+1)
		}
	}
	if got := l.Stats().Rejected; got != 3 {
		t.Errorf("Rejected = %d, want 3", got)
	}

	// The zero clock refuses the largest stamp with the default bound.
	var z lclock.Lamport
	if _, err := z.Witness(math.MaxUint64); !errors.Is(err, lclock.ErrAhead) {
		t.Errorf("zero Lamport Witness(max) err = %v, want ErrAhead", err)
	}
	if _, err := z.Witness(lclock.DefaultMaxJump); err != nil {
		t.Errorf("zero Lamport Witness(DefaultMaxJump) err = %v, want nil", err)
	}
}

func TestLamportSaturatesInsteadOfWrapping(t *testing.T) {
	l, _ := lclock.NewLamport(lclock.LamportConfig{MaxJump: math.MaxUint64}) // no bound
	if s, err := l.Witness(math.MaxUint64 - 1); s != math.MaxUint64 || err != nil {
		t.Fatalf("Witness(max-1) = %v, %v", s, err)
	}
	for range 3 {
		if s := l.Tick(); s != math.MaxUint64 {
			t.Fatalf("Tick at the end = %v, want to stay at max", s)
		}
	}
	if s, err := l.Witness(math.MaxUint64); s != math.MaxUint64 || err != nil {
		t.Fatalf("Witness(max) at the end = %v, %v", s, err)
	}
	if got := l.Stats().Overflowed; got != 4 {
		t.Errorf("Overflowed = %d, want 4", got)
	}
}
