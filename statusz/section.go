package statusz

import "fmt"

// Section is an extra table on the page, for state that a
// transport.Snapshot does not hold: a component that lives outside the
// stack (a fleet-wide limiter in Redis, a cache, a connection to a
// queue) shows itself through Config.Sections without this package
// importing it. A package that wants a place on the page exports a
// function returning a Section, such as fleet.StatusSection.
//
// A Section is shown after the built-in tables, as a two-column table of
// name and value, and in the JSON document under "sections" (see
// SectionStatus).
type Section struct {
	// Title heads the section's table and names it in the JSON
	// document and in the page's summary. Required, and unique among
	// Config.Sections.
	Title string

	// Rows returns the rows to show, in order. It is called once per
	// request to the page, on the request's goroutine, possibly from
	// several requests at once: it must be safe for concurrent use and
	// quick (read counters, do no I/O). The page reads the returned
	// slice only while it serves the request. A Rows that panics does not take the
	// page down: the panic is recovered and the section shows it as an
	// error, in red. Nil is an error.
	Rows func() []Row
}

// Row is one line of a Section: a name and its value, both shown as
// given (escaped). Values are text, so that any component can show what
// it has (a count, a state, a size with its unit) without the page
// knowing its types; machines that want numbers to graph should read the
// component's own metrics.
type Row struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Bad marks a value that needs a person's attention now (a breaker
	// not closed, a backend unreachable): the page highlights it like an
	// open breaker and names it in the summary line. Omitted from JSON
	// when false.
	Bad bool `json:"bad,omitempty"`
}

// SectionStatus is a Section as rendered for one request, in
// Status.Sections.
type SectionStatus struct {
	Title string `json:"title"`
	// Rows is what Section.Rows returned ([] rather than null when
	// none).
	Rows []Row `json:"rows"`
	// Error says why the rows are missing: Section.Rows panicked.
	// Omitted when empty.
	Error string `json:"error,omitempty"`
}

// validateSections checks Config.Sections.
func validateSections(secs []Section) error {
	seen := make(map[string]bool, len(secs))
	for i, s := range secs {
		switch {
		case s.Title == "":
			return fmt.Errorf("%w: Config.Sections[%d].Title is empty; a section needs a title to head its table", ErrInvalidConfig, i)
		case s.Rows == nil:
			return fmt.Errorf("%w: Config.Sections[%d] (%q): Rows is nil", ErrInvalidConfig, i, s.Title)
		case seen[s.Title]:
			return fmt.Errorf("%w: Config.Sections[%d]: title %q is used twice; JSON readers find a section by its title", ErrInvalidConfig, i, s.Title)
		}
		seen[s.Title] = true
	}
	return nil
}

// render calls every section's Rows, recovering from a panic in any one
// of them so that the rest of the page still shows.
func render(secs []Section) []SectionStatus {
	out := make([]SectionStatus, 0, len(secs))
	for _, s := range secs {
		out = append(out, renderOne(s))
	}
	return out
}

func renderOne(s Section) (st SectionStatus) {
	st.Title = s.Title
	defer func() {
		if v := recover(); v != nil {
			st.Rows = []Row{}
			st.Error = fmt.Sprint("Rows panicked: ", v)
		}
	}()
	st.Rows = s.Rows()
	if st.Rows == nil {
		st.Rows = []Row{}
	}
	return st
}
