package statusz

import (
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"time"
)

//go:embed page.html
var pageFS embed.FS

// pageTemplate is parsed once; html/template escapes every value, host
// names included.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"pct":  pct,
	"secs": secs,
}).ParseFS(pageFS, "page.html"))

// page is what the HTML template renders: the Status and what people
// want first (what is not closed, what is paused, what is ejected).
type page struct {
	Status
	// Refresh is the reload period in whole seconds; 0 turns it off.
	Refresh int
	// Problems holds the summary's findings, worst first; none means all
	// is well.
	Problems []string
}

func newPage(st Status, refresh time.Duration) page {
	p := page{Status: st}
	if refresh > 0 {
		p.Refresh = int(refresh / time.Second)
	}
	for _, b := range st.Breakers {
		if b.State != "closed" {
			p.Problems = append(p.Problems, "breaker "+b.State+": "+b.Host)
		}
	}
	paused := 0
	for _, h := range st.Hosts {
		if h.PausedUntil.After(st.Time) {
			paused++
		}
	}
	if paused > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("%d host(s) paused by server pushback", paused))
	}
	ejected, unhealthy := 0, 0
	for _, e := range st.Endpoints {
		if e.Ejected {
			ejected++
		}
		if !e.Healthy {
			unhealthy++
		}
	}
	if ejected > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("%d of %d endpoint(s) ejected", ejected, len(st.Endpoints)))
	}
	if unhealthy > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("%d of %d endpoint(s) failing health checks", unhealthy, len(st.Endpoints)))
	}
	for _, sec := range st.Sections {
		if sec.Error != "" {
			p.Problems = append(p.Problems, sec.Title+": "+sec.Error)
		}
		for _, r := range sec.Rows {
			if r.Bad {
				p.Problems = append(p.Problems, sec.Title+": "+r.Name+" "+r.Value)
			}
		}
	}
	return p
}

// Until says how long until t, from the snapshot's time.
func (p page) Until(t time.Time) string {
	d := t.Sub(p.Time)
	if d <= 0 {
		return "due"
	}
	return "in " + d.Round(100*time.Millisecond).String()
}

func pct(f float64) string {
	return strconv.FormatFloat(100*f, 'f', 1, 64) + " %"
}

func secs(s float64) string {
	if s == 0 {
		return "–"
	}
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}
