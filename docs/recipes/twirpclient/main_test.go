package twirpclient_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The examples close their servers and connections: nothing may outlive
// them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
