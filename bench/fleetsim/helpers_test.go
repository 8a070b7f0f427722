package fleetsim_test

import (
	"strconv"
	"strings"

	"github.com/resilient-go/resilient/bench/fleetsim"
)

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func recovery(s fleetsim.Summary) string {
	if !s.Recovered {
		return "still down " + s.Recovery.String() + " after it, at the end of the run"
	}
	return "recovered after " + s.Recovery.String()
}
