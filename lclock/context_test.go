package lclock_test

import (
	"context"
	"testing"

	"github.com/resilient-go/resilient/lclock"
)

func TestContext(t *testing.T) {
	if _, ok := lclock.FromContext(context.Background()); ok {
		t.Fatal("an empty context carries a stamp")
	}
	ctx := lclock.NewContext(context.Background(), 42)
	if s, ok := lclock.FromContext(ctx); !ok || s != 42 {
		t.Fatalf("FromContext = %v, %v; want 42, true", s, ok)
	}
}
