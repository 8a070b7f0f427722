package statusz

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Handler serves the status page: HTML for people, JSON for machines. It
// answers GET and HEAD; it is safe for concurrent use. Build one with New.
type Handler struct {
	cfg Config
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for cfg, or an error wrapping ErrInvalidConfig
// that names the field at fault.
func New(cfg Config) (*Handler, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: c}, nil
}

// ServeHTTP takes one snapshot, calls the Rows of each of
// Config.Sections once, and writes it as JSON when the request asks
// for it (?format=json, or an Accept header that prefers application/json
// to text/html), as HTML otherwise (?format=html forces it). Any other
// format is a 400; a method other than GET and HEAD a 405. Responses are
// never cached.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	asJSON := false
	switch f := r.URL.Query().Get("format"); f {
	case "json":
		asJSON = true
	case "html":
	case "":
		asJSON = prefersJSON(r.Header.Values("Accept"))
	default:
		http.Error(w, "unknown format "+quote(f)+": use json or html", http.StatusBadRequest)
		return
	}

	st := FromSnapshot(h.cfg.Snapshot(), h.cfg.Now())
	st.Title = h.cfg.Title
	st.Sections = render(h.cfg.Sections)
	var buf bytes.Buffer
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Vary", "Accept")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if asJSON {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			http.Error(w, "statusz: "+err.Error(), http.StatusInternalServerError)
			return
		}
		hdr.Set("Content-Type", "application/json")
	} else {
		if err := pageTemplate.Execute(&buf, newPage(st, h.cfg.Refresh)); err != nil {
			http.Error(w, "statusz: "+err.Error(), http.StatusInternalServerError)
			return
		}
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		// No script, no remote resource: only the inline style sheet.
		hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	}
	// Rendered whole first, so that a failure is a clean 500, not half a
	// page.
	_, _ = w.Write(buf.Bytes())
}

// quote bounds and quotes a user-given value for an error message.
func quote(s string) string {
	const maxLen = 32
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
