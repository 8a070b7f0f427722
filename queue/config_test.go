package queue_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/queue"
)

func TestNewDefaults(t *testing.T) {
	q := mustNew(t, queue.Config{})
	if got := q.Limit(); got != queue.DefaultConfig().Limit {
		t.Errorf("zero Config: Limit() = %d, want %d", got, queue.DefaultConfig().Limit)
	}
	if queue.DefaultConfig().Limit != 64 || queue.DefaultConfig().MaxWait != time.Second ||
		queue.DefaultConfig().Target != 5*time.Millisecond || queue.DefaultConfig().Interval != 100*time.Millisecond ||
		queue.DefaultConfig().Policy != queue.AdaptiveLIFO || queue.DefaultConfig().MaxDepth != 0 {
		t.Errorf("DefaultConfig = %+v", queue.DefaultConfig())
	}
}

func TestNewInvalid(t *testing.T) {
	for _, tc := range []struct {
		c     queue.Config
		field string
	}{
		{queue.Config{Limit: -1}, "Limit -1"},
		{queue.Config{MaxDepth: -1}, "MaxDepth -1"},
		{queue.Config{MaxDepth: 3, NoQueue: true}, "MaxDepth 3"},
		{queue.Config{MaxWait: -time.Second}, "MaxWait -1s"},
		{queue.Config{Target: -time.Millisecond}, "Target -1ms"},
		{queue.Config{Interval: -time.Millisecond}, "Interval -1ms"},
		{queue.Config{Policy: queue.Policy(7)}, "Policy Policy(7)"},
		{queue.Config{Policy: queue.Policy(-1)}, "Policy Policy(-1)"},
	} {
		q, err := queue.New(tc.c)
		if q != nil || !errors.Is(err, queue.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, %v; want nil, ErrInvalidConfig", tc.c, q, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("New(%+v): %q does not name %q", tc.c, err, tc.field)
		}
	}
}

func TestPolicyString(t *testing.T) {
	for p, want := range map[queue.Policy]string{
		queue.AdaptiveLIFO: "AdaptiveLIFO",
		queue.FIFO:         "FIFO",
		queue.Policy(9):    "Policy(9)",
	} {
		if got := p.String(); got != want {
			t.Errorf("Policy(%d).String() = %q, want %q", int(p), got, want)
		}
	}
}
