package fleet

import (
	"strconv"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/statusz"
)

// StatusTitle heads the section of StatusSection.
const StatusTitle = "Fleet limit (Redis)"

// StatusSection returns a section of the stack's live status page
// (statusz.Config.Sections) that shows l.Stats() each time the page is
// looked at: the state of the breaker around Redis first (marked bad, in
// red and in the page's summary, while it is not closed, that is while
// calls go to Config.Fallback), then the calls decided locally, by Redis
// and by the fallback, allowed and rejected, the lease requests, grants
// and the last lease's size, the Redis errors and the keys tracked.
//
//	page, err := statusz.New(statusz.Config{
//		Snapshot: stack.Snapshot,
//		Sections: []statusz.Section{fleet.StatusSection(limits)},
//	})
//
// Its title is StatusTitle; a page that shows several limiters sets a
// Title of its own on each section (titles must differ). The counts are
// since l was created, like those of Stats and Collector; calls pay
// nothing for the section, which reads l only when the page is
// requested. A nil l gives a section without Rows, which statusz.New
// refuses with an error.
func StatusSection(l *Limiter) statusz.Section {
	s := statusz.Section{Title: StatusTitle}
	if l != nil {
		s.Rows = func() []statusz.Row { return statusRows(l.Stats()) }
	}
	return s
}

func statusRows(s Stats) []statusz.Row {
	decided := s.Local + s.Fleet + s.Fallback
	breakerValue := s.Breaker.String()
	switch s.Breaker {
	case breaker.Open:
		breakerValue += " (Redis away: calls go to the fallback)"
	case breaker.HalfOpen:
		breakerValue += " (probing Redis)"
	}
	last := "–"
	if s.LastLease > 0 {
		last = count(uint64(s.LastLease)) + " permits"
	}
	return []statusz.Row{
		{Name: "Redis breaker", Value: breakerValue, Bad: s.Breaker != breaker.Closed},
		{Name: "Decided locally (lease or cached answer)", Value: share(s.Local, decided)},
		{Name: "Decided by Redis", Value: share(s.Fleet, decided)},
		{Name: "Decided by the fallback", Value: share(s.Fallback, decided)},
		{Name: "Allowed", Value: count(s.Allowed)},
		{Name: "Rejected", Value: count(s.Rejected)},
		{Name: "Rejected by a pushback pause", Value: count(s.Paused)},
		{Name: "Canceled waiting for Redis", Value: count(s.Canceled)},
		{Name: "Lease requests", Value: count(s.RoundTrips)},
		{Name: "Lease grants", Value: count(s.Grants)},
		{Name: "Permits leased", Value: count(s.Leased)},
		{Name: "Permits expired unused", Value: count(s.Expired)},
		{Name: "Last lease", Value: last},
		{Name: "Redis errors", Value: count(s.RedisErrors)},
		{Name: "Keys tracked", Value: strconv.Itoa(s.Keys)},
		{Name: "Keys evicted", Value: count(s.Evictions)},
	}
}

func count(n uint64) string { return strconv.FormatUint(n, 10) }

// share is n with its percentage of total, when there is any.
func share(n, total uint64) string {
	if total == 0 {
		return count(n)
	}
	return count(n) + " (" + strconv.FormatFloat(100*float64(n)/float64(total), 'f', 1, 64) + " %)"
}
