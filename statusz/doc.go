// Package statusz serves a live status page of the resilience stack, the
// "topz" of a service's outgoing calls: which breakers are open and how
// often each host failed recently, the per-host limits, queues and
// pushback pauses, the retry budget left, how well the connection pool
// reuses its connections, and, when the stack balances over the replicas
// of a service (transport.Config.Balance), each replica's picks in flight,
// outcomes, latency, ejection and health. The summary line at the top
// names what is wrong: breakers not closed, hosts paused, endpoints
// ejected or failing their health checks, rows of extra sections marked
// bad.
//
// Mount a Handler in the service's own mux, or on a side port kept off the
// public network:
//
//	stack, err := transport.New(transport.Config{})
//	…
//	page, err := statusz.New(statusz.Config{Title: "payments client", Snapshot: stack.Snapshot})
//	…
//	mux.Handle("/debug/resilience", page)
//
// People get an HTML page that reloads itself (a meta refresh: no script
// at all, readable in any browser or a text one); machines get the same
// data as JSON, by asking for it with "Accept: application/json" or with
// "?format=json". The JSON document is a Status, whose field names and
// units (rates in [0, 1], durations in seconds, times in RFC 3339) are
// part of the API.
//
// Each request calls the snapshot function once: the page costs nothing
// while nobody looks, and reading it takes no lock that a request holds
// (see transport.Transport.Snapshot). The page shows host names and
// counters, never URLs, headers or bodies; still, it tells a reader which
// backends a service calls, so do not expose it publicly.
//
// Components that live outside the stack add tables of their own through
// Config.Sections: a Section is a title and a function returning rows of
// name and value, called once per request, a row marked Bad showing in
// red and in the summary. Package fleet (the nested module of fleet-wide
// limits on Redis) offers one with fleet.StatusSection, so that local and
// fleet decisions, lease sizes, Redis errors and fallbacks show beside
// the stack's breakers:
//
//	page, err := statusz.New(statusz.Config{
//		Snapshot: stack.Snapshot,
//		Sections: []statusz.Section{fleet.StatusSection(limits)},
//	})
//
// For alerting and history, export the same state as metrics; the page
// is for the moment someone asks "what is the client doing right now?".
package statusz
