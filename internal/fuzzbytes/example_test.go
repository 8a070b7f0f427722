package fuzzbytes_test

import (
	"fmt"
	"math"
	"time"

	"github.com/resilient-go/resilient/internal/fuzzbytes"
)

// Selector 0 and 1 pick the tables' first values, 2 and 3 the second;
// 224 and above read a raw value; an exhausted stream reads zeros.
func Example() {
	d := fuzzbytes.New([]byte{2, 3, 40, 255, 1, 0, 0, 0, 0, 0, 0, 0},
		[]int{0, math.MaxInt}, []time.Duration{0, time.Hour}, []float64{0, math.NaN()})
	fmt.Println(d.Int(), d.Duration(), d.Float(), d.Int(), d.Bool()) // 40: 0.40, a small value
	// Output:
	// 9223372036854775807 1h0m0s 0.4 1 false
}
