package bench

import "testing"

// BenchmarkAll runs every comparison under go test -bench:
//
//	go test -run x -bench . -benchmem
//
// For the table with ratios, run go run ./cmd/compare instead.
func BenchmarkAll(b *testing.B) {
	for _, cmp := range All() {
		for _, c := range cmp.Cases {
			b.Run(cmp.Name+"/"+c.Name, c.Run)
			b.Run(cmp.Name+"/"+c.Name+"/parallel", c.Parallel)
		}
	}
}

// Every case must run and succeed once, so a broken peer setup fails CI.
func TestCasesRun(t *testing.T) {
	for _, cmp := range All() {
		for _, c := range cmp.Cases {
			if err := c.Check(); err != nil {
				t.Errorf("%s / %s: %v", cmp.Name, c.Name, err)
			}
		}
	}
}
