package transport_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// recorder collects the events every hook reports.
type recorder struct {
	mu     sync.Mutex
	events []string
	ends   []transport.CallEnd
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *recorder) hooks() transport.Hooks {
	return transport.Hooks{
		OnCallStart: func(transport.CallStart) { r.add("start") },
		OnCallEnd: func(e transport.CallEnd) {
			r.add("end " + itoa(e.StatusCode) + " " + e.Verdict.Outcome.String() + " attempts=" + itoa(e.Attempts))
			r.mu.Lock()
			r.ends = append(r.ends, e)
			r.mu.Unlock()
		},
		OnAttempt: func(e transport.RetryEvent) { r.add("attempt " + itoa(e.Attempt)) },
		OnAttemptEnd: func(e transport.AttemptEnd) {
			r.add("attempt-end " + itoa(e.Attempt) + " " + itoa(e.StatusCode) + " " + e.Verdict.Outcome.String())
		},
		OnRetry:           func(e transport.RetryEvent) { r.add("retry " + e.Verdict.Reason.String()) },
		OnBudgetExhausted: func(transport.RetryEvent) { r.add("budget") },
		OnBreakerStateChange: func(c breaker.StateChange) {
			r.add("breaker " + c.Name + " " + c.From.String() + "->" + c.To.String())
		},
		OnRejected: func(j transport.Rejection) { r.add("rejected " + j.Stage) },
		OnPushback: func(p transport.Pushback) { r.add("pushback " + p.Host) },
	}
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, " | ")
}

func TestHooksSeeEveryStage(t *testing.T) {
	rec := &recorder{}
	s := &script{steps: []step{{status: 503}, {status: 200}, {status: 500}, {status: 500}}}
	rt, err := transport.New(transport.Config{
		Base:  s,
		Hooks: rec.hooks(),
		Retry: transport.RetryConfig{Backoff: backoff.Constant(0), MaxAttempts: 2},
		// FailFast: the call that meets the open breaker is refused
		// (by default it would wait for the probe and become it).
		Breaker: transport.BreakerConfig{FailFast: true, ConsecutiveFailures: 2},
	})
	mustNoErr(t, err)

	get(t, rt, "http://a.test/") // 503, retried, 200
	want := "start | attempt 1 | attempt-end 1 503 failure | retry server_error | attempt 2 | attempt-end 2 200 success | end 200 success attempts=2"
	if got := rec.String(); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	if d := rec.ends[0].Duration; d <= 0 || d > time.Minute {
		t.Fatalf("duration %v", d)
	}

	rec.events = nil
	get(t, rt, "http://a.test/") // 500, retried, 500: two failures in a row open the breaker
	get(t, rt, "http://a.test/") // the breaker is open: refused
	got := rec.String()
	for _, want := range []string{"breaker a.test closed->open", "rejected breaker"} {
		if !strings.Contains(got, want) {
			t.Errorf("events %q lack %q", got, want)
		}
	}
}

func TestHooksPushbackAndLimitRejection(t *testing.T) {
	rec := &recorder{}
	s := &script{steps: []step{{status: 429, retryAfter: "60"}, {status: 200}}}
	// FailFast: the second call is refused (by default it would wait
	// for the pushback gate's probe, 3 s later, and be it).
	rt, err := transport.New(transport.Config{Base: s, Hooks: rec.hooks(), Retry: transport.RetryConfig{Off: true}, Limit: transport.LimitConfig{FailFast: true}})
	mustNoErr(t, err)
	get(t, rt, "http://b.test/")
	get(t, rt, "http://b.test/")
	got := rec.String()
	// The pushback is reported from inside the call, before its end.
	want := "start | attempt-end 1 429 ignored | pushback b.test | end 429 ignored attempts=1 | start | rejected limit | end 0 ignored attempts=0"
	if got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
}

func TestSlogHooks(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := &script{steps: []step{{status: 200}, {status: 500}}}
	rt, err := transport.New(transport.Config{Base: s, Hooks: transport.SlogHooks(logger), Retry: transport.RetryConfig{Off: true}})
	mustNoErr(t, err)
	get(t, rt, "http://c.test/ok?token=secret")
	if buf.Len() != 0 {
		t.Fatalf("a healthy call logged at Info: %s", buf.String())
	}
	get(t, rt, "http://c.test/fail?token=secret")
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "status=500") || !strings.Contains(out, "path=/fail") {
		t.Fatalf("failed call not logged at Warn with its status and path: %s", out)
	}
	if strings.Contains(out, "secret") {
		t.Fatalf("the query leaked into the log: %s", out)
	}
	if h := transport.SlogHooks(nil); h.OnCallEnd != nil || h.OnRetry != nil {
		t.Fatal("SlogHooks(nil) returned hooks")
	}
}
