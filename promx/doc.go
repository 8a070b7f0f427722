// Package promx exports the assembled resilience stack (transport.New) to
// Prometheus, with github.com/prometheus/client_golang: what the retries,
// breakers, limits and queues are doing, in the tool operators already run.
// The alert rules in docs/alerts are written against these names.
//
// It is a module of its own (github.com/resilient-go/resilient/promx,
// requiring the toolkit's root module), so that a program that imports
// transport and not promx requires no Prometheus library: `go mod tidy` in
// your module never moves your client_golang for ours.
//
// # Use
//
// Build a Metrics on your registry, give its Hooks to the stack, and hand it
// the Transport so that gauges are read from its Snapshot at scrape time:
//
//	m, err := promx.New(promx.Config{Registerer: reg})
//	rt, err := transport.New(transport.Config{Hooks: m.Hooks()})
//	m.Observe(rt)
//	client := &http.Client{Transport: rt}
//
// Join the hooks with others (tracing, logging) with transport.JoinHooks.
// There is no global state: nothing is registered on
// prometheus.DefaultRegisterer unless you pass it, and a stack built without
// the Hooks pays nothing. Several stacks on one registry take a Metrics
// each, told apart by Config.ConstLabels.
//
// # Metrics
//
// Counted from the hooks, as events happen (prefix resilient_, the default
// Config.Namespace):
//
//	calls_total{host, outcome}              calls leaving the stack, as their callers saw them: success,
//	                                        error_status, refused, deadline, canceled, transport_error
//	call_duration_seconds{host}             histogram of whole calls, retries and waits included
//	attempts_total{host, code}              attempts sent, by status class: 1xx…5xx, error
//	retries_total{host, reason}             retries decided: server_error, throttled, transport, timeout…
//	retry_budget_exhausted_total{host}      retries the budget refused
//	breaker_transitions_total{host, from, to}
//	rejections_total{host, stage}           calls our own stages refused: breaker, limit, queue
//	pushback_pauses_total{host}             pauses a server asked for (429/503 with Retry-After)
//
// Read from Transport.Snapshot at each scrape (after Observe):
//
//	breaker_state{host, state}              1 for the current state, 0 for the others, from the first scrape
//	breaker_window_calls{host}, breaker_window_failures{host}
//	retry_budget_available                  retries the budget allows now
//	limit_concurrency{host}, limit_in_flight{host}, queue_depth{host}
//	queue_wait_seconds{host}                histogram of admitted requests' wait (the queue's own buckets, 1ms to 500ms)
//	throttle_reject_probability{host}
//	adaptive_rate_limit{host}               the adaptive rate (LimitConfig.AdaptiveRate), +Inf until a throttle
//	pool_connections_total{host, kind}      connections handed out: new or reused
//
// For a stack that balances over the replicas of a service
// (transport.Config.Balance), also read from the Snapshot, one series per
// endpoint (its host:port) for the first Config.MaxEndpoints of the set:
//
//	endpoint_in_flight{endpoint}            attempts sent to it and not finished
//	endpoint_attempts_total{endpoint, outcome}  its attempts' outcomes: success, failure, ignored
//	endpoint_latency_seconds{endpoint}      the balancer's Peak EWMA latency
//	endpoint_ejected{endpoint}              1 while ejected for failing, else 0
//	endpoint_healthy{endpoint}              0 while failing active health checks, else 1
//	endpoints, endpoints_ejected, endpoints_unhealthy   counts over the whole set
//
// and, counted by the balancer's hooks (Metrics.BalancerHooks, passed in
// transport.BalanceConfig.Hooks):
//
//	endpoint_ejections_total{endpoint, reason}  ejections: consecutive_failures, failure_ratio
//
// Names follow the Prometheus conventions: base units (seconds), _total for
// counters. The host label is req.URL.Host, never the URL, and the hook
// metrics count at most Config.MaxHosts hosts (the rest as host="other"),
// the endpoint label at most Config.MaxEndpoints values; every other label
// takes a small fixed set of values.
//
// Queue waits come from the queue's own fixed histogram, which the Snapshot
// carries: the buckets are the queue package's, not configurable here, and
// a request that gave up waiting (queue timeout, CoDel drop, full queue)
// shows in rejections_total{stage="queue"}, not in the histogram.
// The outcome of calls_total is the caller's view, not the breaker's: a
// call that an open breaker, a limit or the queue refused is "refused"
// (an error for its caller, though the breaker ignores it for the host's
// health), and the error ratio is every outcome but success over all
// outcomes, canceled calls left out of both (docs/alerts records it as
// resilient:call_error_ratio:rate5m). The Outcome* constants name the
// values.
//
// Attempts are labelled by status class rather than classified: the
// attempt hook carries the status, not the classifier's verdict. The
// classifier's verdicts (success, failure, ignored) are the breaker's
// business: its window gauges count them per host, and
// endpoint_attempts_total per balanced endpoint.
package promx
