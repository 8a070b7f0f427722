package transport

import (
	"context"
	"log/slog"

	"github.com/resilient-go/resilient/breaker"
)

// SlogHooks returns Hooks that log the stack's events to l as structured
// records, at levels chosen so that a healthy service logs nothing above
// Debug:
//
//   - Debug: every call's end while it succeeds, every attempt, retries,
//     and our own rejections (frequent under overload by design);
//   - Info: a server's pushback pause, a breaker closing or half-opening;
//   - Warn: a call that ended in failure, the retry budget refusing a
//     retry, a breaker opening or being isolated.
//
// Nothing is logged unless a logger is given: a nil l returns zero Hooks.
// A hook whose level the logger does not enable returns before building
// its record, so Debug events cost little on a logger set to Info.
// The records carry the method, host and path, never the query or
// headers, which may hold secrets; an error is logged as the error value
// (slog.Any("error", err)), so that a handler may unwrap it.
//
// A record of a request's event (a call's end, an attempt, a retry, a
// rejection) is logged with the request's context, so that a handler that
// reads it (a trace id, a request id) correlates the record with the
// request. A breaker's transition and a server's pushback pause belong to
// a host, not to one request: they are logged with context.Background().
func SlogHooks(l *slog.Logger) Hooks {
	if l == nil {
		return Hooks{}
	}
	bg := context.Background()
	return Hooks{
		OnCallEnd: func(e CallEnd) {
			level := slog.LevelDebug
			if e.Verdict.Outcome == Failure || (e.Err != nil && e.Verdict.Outcome != Ignored) {
				level = slog.LevelWarn
			}
			ctx := e.Request.Context()
			if !l.Enabled(ctx, level) {
				return
			}
			attrs := []slog.Attr{
				slog.String("method", e.Request.Method),
				slog.String("host", e.Request.URL.Host),
				slog.String("path", e.Request.URL.Path),
				slog.Int("status", e.StatusCode),
				slog.Int("attempts", e.Attempts),
				slog.Duration("duration", e.Duration),
				slog.String("outcome", e.Verdict.Outcome.String()),
			}
			if e.Err != nil {
				attrs = append(attrs, slog.Any("error", e.Err))
			}
			l.LogAttrs(ctx, level, "resilient: call", attrs...)
		},
		OnAttempt: func(e RetryEvent) {
			ctx := e.Request.Context()
			if !l.Enabled(ctx, slog.LevelDebug) {
				return
			}
			l.LogAttrs(ctx, slog.LevelDebug, "resilient: attempt",
				slog.String("host", e.Request.URL.Host), slog.Int("attempt", e.Attempt))
		},
		OnAttemptEnd: func(e AttemptEnd) {
			ctx := e.Request.Context()
			if !l.Enabled(ctx, slog.LevelDebug) {
				return
			}
			attrs := []slog.Attr{slog.String("host", e.Request.URL.Host), slog.Int("attempt", e.Attempt),
				slog.Int("status", e.StatusCode), slog.Duration("duration", e.Duration)}
			if e.Err != nil {
				attrs = append(attrs, slog.Any("error", e.Err))
			}
			l.LogAttrs(ctx, slog.LevelDebug, "resilient: attempt end", attrs...)
		},
		OnRetry: func(e RetryEvent) {
			ctx := e.Request.Context()
			if !l.Enabled(ctx, slog.LevelDebug) {
				return
			}
			l.LogAttrs(ctx, slog.LevelDebug, "resilient: retry",
				slog.String("host", e.Request.URL.Host), slog.Int("attempt", e.Attempt),
				slog.Duration("delay", e.Delay), slog.String("reason", e.Verdict.Reason.String()),
				slog.Int("status", e.StatusCode))
		},
		OnBudgetExhausted: func(e RetryEvent) {
			l.LogAttrs(e.Request.Context(), slog.LevelWarn, "resilient: retry budget exhausted",
				slog.String("host", e.Request.URL.Host), slog.Int("attempt", e.Attempt),
				slog.String("reason", e.Verdict.Reason.String()))
		},
		OnBreakerStateChange: func(c breaker.StateChange) {
			level := slog.LevelInfo
			if c.To == breaker.Open || c.To == breaker.Isolated {
				level = slog.LevelWarn
			}
			l.LogAttrs(bg, level, "resilient: breaker "+c.To.String(),
				slog.String("host", c.Name), slog.String("from", c.From.String()),
				slog.Uint64("failures", c.Snapshot.Failures), slog.Uint64("calls", c.Snapshot.Calls))
		},
		OnRejected: func(r Rejection) {
			ctx := r.Request.Context()
			if !l.Enabled(ctx, slog.LevelDebug) {
				return
			}
			l.LogAttrs(ctx, slog.LevelDebug, "resilient: rejected",
				slog.String("host", r.Request.URL.Host), slog.String("stage", r.Stage),
				slog.Any("error", r.Err))
		},
		OnPushback: func(p Pushback) {
			l.LogAttrs(bg, slog.LevelInfo, "resilient: server pushback",
				slog.String("host", p.Host), slog.Time("until", p.Until))
		},
	}
}
