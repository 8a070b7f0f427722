package discoverystatic_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the recipe when its code leaves a goroutine behind: an
// unclosed server, body or idle connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
