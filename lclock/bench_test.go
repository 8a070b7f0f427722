package lclock_test

import (
	"testing"

	"github.com/resilient-go/resilient/lclock"
)

// The clocks' hot paths: each must report 0 allocs/op, single-threaded and
// under RunParallel (where every goroutine contends for the one word).

func BenchmarkLamportTick(b *testing.B) {
	var c lclock.Lamport
	b.ReportAllocs()
	for b.Loop() {
		c.Tick()
	}
}

func BenchmarkLamportWitness(b *testing.B) {
	var c lclock.Lamport
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Witness(c.Now() + 3)
	}
}

func BenchmarkLamportTickParallel(b *testing.B) {
	var c lclock.Lamport
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Tick()
		}
	})
}

func BenchmarkLamportWitnessParallel(b *testing.B) {
	var c lclock.Lamport
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = c.Witness(c.Now() + 3)
		}
	})
}

func BenchmarkHLCTick(b *testing.B) {
	var c lclock.HLC
	b.ReportAllocs()
	for b.Loop() {
		c.Tick()
	}
}

func BenchmarkHLCWitness(b *testing.B) {
	var c lclock.HLC
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Witness(c.Now() + 3)
	}
}

func BenchmarkHLCTickParallel(b *testing.B) {
	var c lclock.HLC
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Tick()
		}
	})
}

func BenchmarkHLCWitnessParallel(b *testing.B) {
	var c lclock.HLC
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = c.Witness(c.Now() + 3)
		}
	})
}

// BenchmarkHLCWitnessRejected is the hostile path: a peer sending the
// largest stamp.
func BenchmarkHLCWitnessRejected(b *testing.B) {
	var c lclock.HLC
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Witness(1<<64 - 1)
	}
}

func BenchmarkParseHLC(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = lclock.ParseHLC("1764190881123.00007")
	}
}

func TestClockAllocatesNothing(t *testing.T) {
	var l lclock.Lamport
	var h lclock.HLC
	var buf [32]byte
	allocs := testing.AllocsPerRun(1000, func() {
		l.Tick()
		_, _ = l.Witness(l.Now() + 1)
		_, _ = l.Witness(1<<64 - 1)
		h.Tick()
		_, _ = h.Witness(h.Now() + 1)
		_, _ = h.Witness(1<<64 - 1)
		_ = h.AppendStamp(buf[:0], h.Now())
	})
	if allocs != 0 {
		t.Errorf("clocks allocated %v times per run, want 0", allocs)
	}
}
