package statusz_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

func quiet() transport.Snapshot { return transport.Snapshot{RetryBudget: 10} }

// sections are a healthy cache, a fleet limiter whose Redis is away (one
// Bad row), an empty section and one whose Rows panics.
func sections(calls *atomic.Int64) []statusz.Section {
	return []statusz.Section{
		{Title: "Cache", Rows: func() []statusz.Row {
			calls.Add(1)
			return []statusz.Row{{Name: "entries", Value: "12"}, {Name: "hit ratio", Value: "93.0 %"}}
		}},
		{Title: "Fleet limit", Rows: func() []statusz.Row {
			return []statusz.Row{{Name: "Redis breaker", Value: "open", Bad: true}, {Name: "fallback decisions", Value: "8"}}
		}},
		{Title: "Idle", Rows: func() []statusz.Row { return nil }},
		{Title: "Broken", Rows: func() []statusz.Row { panic("no lock held") }},
	}
}

// section returns the extra section titled title of an HTML page.
func section(t *testing.T, body, title string) string {
	t.Helper()
	sec := regexp.MustCompile(`(?s)<section class="extra" data-title="` + regexp.QuoteMeta(title) + `">.*?</section>`).FindString(body)
	if sec == "" {
		t.Fatalf("no section %q in:\n%s", title, body)
	}
	return sec
}

func TestSectionsHTML(t *testing.T) {
	var calls atomic.Int64
	h := newHandler(t, quiet, statusz.Config{Sections: sections(&calls)})
	rec := get(h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200 despite the panicking section:\n%s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	if n := calls.Load(); n != 1 {
		t.Errorf("Rows called %d times for one request, want 1", n)
	}
	if want := `<p id="summary" class="summary bad">Fleet limit: Redis breaker open; Broken: Rows panicked: no lock held</p>`; !strings.Contains(body, want) {
		t.Errorf("page lacks %s", want)
	}
	// After the built-in tables, in their order.
	pool, cache, fleet := strings.Index(body, `<section id="pool">`), strings.Index(body, `data-title="Cache"`), strings.Index(body, `data-title="Fleet limit"`)
	if pool < 0 || cache < pool || fleet < cache {
		t.Errorf("sections out of order: pool at %d, Cache at %d, Fleet limit at %d", pool, cache, fleet)
	}
	for _, c := range []struct{ title, want string }{
		{"Cache", `<h2>Cache</h2>`},
		{"Cache", `<tr data-name="entries"><td>entries</td><td class="value">12</td></tr>`},
		{"Cache", `<tr data-name="hit ratio"><td>hit ratio</td><td class="value">93.0 %</td></tr>`},
		{"Fleet limit", `<tr data-name="Redis breaker" class="bad"><td>Redis breaker</td><td class="value">open</td></tr>`},
		{"Fleet limit", `<tr data-name="fallback decisions"><td>fallback decisions</td>`},
		{"Idle", `<p class="empty">Nothing to show.</p>`},
		{"Broken", `<tr class="bad" data-name="error"><td>Error</td><td class="value error">Rows panicked: no lock held</td></tr>`},
	} {
		if sec := section(t, body, c.title); !strings.Contains(sec, c.want) {
			t.Errorf("section %s lacks %s:\n%s", c.title, c.want, sec)
		}
	}
	if strings.Count(body, `class="bad"`) != 2 {
		t.Errorf("want exactly the Redis breaker and the error row marked bad:\n%s", body)
	}
}

func TestSectionsJSON(t *testing.T) {
	var calls atomic.Int64
	h := newHandler(t, quiet, statusz.Config{Sections: sections(&calls)})
	rec := get(h, "/?format=json")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	var got statusz.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []statusz.SectionStatus{
		{Title: "Cache", Rows: []statusz.Row{{Name: "entries", Value: "12"}, {Name: "hit ratio", Value: "93.0 %"}}},
		{Title: "Fleet limit", Rows: []statusz.Row{{Name: "Redis breaker", Value: "open", Bad: true}, {Name: "fallback decisions", Value: "8"}}},
		{Title: "Idle", Rows: []statusz.Row{}},
		{Title: "Broken", Rows: []statusz.Row{}, Error: "Rows panicked: no lock held"},
	}
	if !reflect.DeepEqual(got.Sections, want) {
		t.Errorf("sections\n%+v\nwant\n%+v", got.Sections, want)
	}
	body := rec.Body.String()
	for _, s := range []string{
		`"sections": [`, `"title": "Cache",`, `"rows": [`, `"name": "entries",`, `"value": "12"`,
		`"value": "open",`, `"bad": true`, `"rows": [],`, `"error": "Rows panicked: no lock held"`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("JSON lacks %s:\n%s", s, body)
		}
	}
	// bad and error are omitted when false or empty.
	if n := strings.Count(body, `"bad"`); n != 1 {
		t.Errorf(`"bad" appears %d times, want 1`, n)
	}
	if n := strings.Count(body, `"error"`); n != 1 {
		t.Errorf(`"error" appears %d times, want 1`, n)
	}
}

// Names and values come from other components (keys, error texts):
// escaped, never markup.
func TestSectionsEscape(t *testing.T) {
	h := newHandler(t, quiet, statusz.Config{Sections: []statusz.Section{{
		Title: `<i>t</i>`,
		Rows: func() []statusz.Row {
			return []statusz.Row{{Name: `<b>n</b>`, Value: `<script>alert(1)</script>`, Bad: true}}
		},
	}}})
	body := get(h, "/").Body.String()
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>n</b>") || strings.Contains(body, "<i>t</i>") {
		t.Errorf("unescaped markup in page:\n%s", body)
	}
	if !strings.Contains(body, `&lt;script&gt;alert(1)&lt;/script&gt;`) {
		t.Error("escaped value missing")
	}
}

func TestSectionsConfigErrors(t *testing.T) {
	rows := func() []statusz.Row { return nil }
	for name, secs := range map[string][]statusz.Section{
		"empty title":     {{Rows: rows}},
		"nil rows":        {{Title: "Cache"}},
		"duplicate title": {{Title: "Cache", Rows: rows}, {Title: "Cache", Rows: rows}},
	} {
		h, err := statusz.New(statusz.Config{Snapshot: quiet, Sections: secs})
		if !errors.Is(err, statusz.ErrInvalidConfig) || h != nil {
			t.Errorf("%s: New = %v, %v; want nil and ErrInvalidConfig", name, h, err)
		}
	}
}

// The handler keeps its own copy of Config.Sections: a caller changing
// its slice afterwards changes nothing on the page.
func TestSectionsCopied(t *testing.T) {
	secs := []statusz.Section{{Title: "Cache", Rows: func() []statusz.Row { return []statusz.Row{{Name: "entries", Value: "1"}} }}}
	h := newHandler(t, quiet, statusz.Config{Sections: secs})
	secs[0] = statusz.Section{Title: "Other", Rows: func() []statusz.Row { return nil }}
	if body := get(h, "/").Body.String(); !strings.Contains(body, `data-title="Cache"`) || strings.Contains(body, "Other") {
		t.Errorf("page does not show the section given to New:\n%s", body)
	}
}

// Without sections, the summary and the page are as before.
func TestNoSectionsQuiet(t *testing.T) {
	h := newHandler(t, quiet, statusz.Config{})
	body := get(h, "/").Body.String()
	if strings.Contains(body, `class="extra"`) || !strings.Contains(body, `class="summary good"`) {
		t.Errorf("a page without sections shows one, or a problem:\n%s", body)
	}
}
