package balancer

import "github.com/resilient-go/resilient/discovery"

// maxSequence bounds RoundRobin's sequence: weights whose sum exceeds it
// are scaled down (each endpoint keeps at least one slot).
const maxSequence = 4096

// smoothSequence returns one round of smooth weighted round robin (the
// nginx algorithm) over eps: each endpoint appears as often as its
// weight, spread out rather than in bursts.
//
// The arithmetic is int64 and cannot overflow: Update validates eps first
// (discovery.Validate), so each weight is at most discovery.MaxWeight
// (< 2^20); the sum of any set that fits in memory stays far below 2^63,
// and w·maxSequence below 2^32. The clamp below keeps that true should a
// caller skip the validation.
func smoothSequence(eps []discovery.Endpoint) []int32 {
	weights := make([]int64, len(eps))
	var total int64
	for i, e := range eps {
		weights[i] = int64(min(max(e.EffectiveWeight(), 1), discovery.MaxWeight))
		total += weights[i]
	}
	if g := gcdAll(weights); g > 1 {
		total = 0
		for i := range weights {
			weights[i] /= g
			total += weights[i]
		}
	}
	if total > maxSequence {
		var scaled int64
		for i, w := range weights {
			weights[i] = max(1, w*maxSequence/total)
			scaled += weights[i]
		}
		total = scaled
	}
	seq := make([]int32, 0, total)
	current := make([]int64, len(weights))
	for range total {
		best := 0
		for i, w := range weights {
			current[i] += w
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		seq = append(seq, int32(best))
	}
	return seq
}

func gcdAll(ws []int64) int64 {
	var g int64
	for _, w := range ws {
		a, b := g, w
		for b != 0 {
			a, b = b, a%b
		}
		g = a
	}
	return g
}
