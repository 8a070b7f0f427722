package statusz

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// ErrInvalidConfig is wrapped by every configuration error of New.
var ErrInvalidConfig = errors.New("statusz: invalid config")

// DefaultRefresh is how often the HTML page reloads itself when
// Config.Refresh is zero.
const DefaultRefresh = 5 * time.Second

// DefaultTitle heads the page when Config.Title is empty.
const DefaultTitle = "resilient"

// Config configures a Handler. Each field says what its zero value means;
// only Snapshot is required.
type Config struct {
	// Snapshot returns the state to show. It is called once per request
	// to the page and must be safe for concurrent use; the Snapshot
	// method of a *transport.Transport is the usual value. Nil is an
	// error.
	Snapshot func() transport.Snapshot

	// Title names what the page is about (the client, or the backend it
	// calls). Empty means DefaultTitle.
	Title string

	// Refresh is how often the HTML page reloads itself. Zero means
	// DefaultRefresh (5s); negative turns reloading off. It counts whole
	// seconds: a positive value under one second is an error, and a
	// fraction of a second is rounded down.
	Refresh time.Duration

	// Now tells the time stamped on the page, from which the remaining
	// time of open breakers and paused hosts is shown. Nil means
	// time.Now.
	Now func() time.Time

	// Sections are extra tables shown after the built-in ones, in this
	// order, and listed under "sections" in the JSON document: the
	// state of components outside the stack, such as the fleet-wide
	// limiter of package fleet (fleet.StatusSection). Each needs a
	// Title, unique among them, and a Rows function. Nil means none.
	Sections []Section
}

func (c Config) withDefaults() (Config, error) {
	if c.Snapshot == nil {
		return c, fmt.Errorf("%w: Config.Snapshot is nil; pass the Snapshot method of a *transport.Transport", ErrInvalidConfig)
	}
	if c.Refresh > 0 && c.Refresh < time.Second {
		return c, fmt.Errorf("%w: Config.Refresh is %v; the page reloads in whole seconds, so use at least 1s (0 means %v, negative turns reloading off)",
			ErrInvalidConfig, c.Refresh, DefaultRefresh)
	}
	if err := validateSections(c.Sections); err != nil {
		return c, err
	}
	// A copy, so that the caller's slice can change without a race
	// with the requests.
	c.Sections = slices.Clone(c.Sections)
	if c.Refresh == 0 {
		c.Refresh = DefaultRefresh
	}
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}
