package lclockhttp

import (
	"net/http"

	"github.com/resilient-go/resilient/lclock"
)

// Handler returns an http.Handler that witnesses the stamp on each
// request, puts the receive stamp in the request's context (read it with
// lclock.FromContext), calls next, and stamps the response with a fresh
// tick taken when the response header is written, so that the response
// is ordered after everything the handler did (and logged) before
// answering.
//
// A request without a stamp, or with a malformed or refused one, is served
// as usual and counted ([Stats]). A Twirp server is an http.Handler, so
// Handler wraps one unchanged.
//
// The response writer that next sees supports Flush (through
// http.ResponseController or http.Flusher) and Unwrap, so
// http.ResponseController reaches the underlying writer's other features.
// Informational (1xx) responses other than 101 are not stamped.
func (p *Propagator) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := p.Extract(r.Header) // errors are counted; serve anyway
		r = r.WithContext(lclock.NewContext(r.Context(), s))
		sw := &stampWriter{ResponseWriter: w, p: p}
		next.ServeHTTP(sw, r)
		sw.stamp() // a handler that wrote nothing: net/http sends this header
	})
}

// stampWriter stamps the response header once, just before it is sent.
type stampWriter struct {
	http.ResponseWriter
	p       *Propagator
	stamped bool
}

func (w *stampWriter) stamp() {
	if !w.stamped {
		w.stamped = true
		w.p.Inject(w.ResponseWriter.Header())
	}
}

// WriteHeader stamps the header, unless code is informational, and writes
// it.
func (w *stampWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.stamp()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write stamps the header if it was not written yet, and writes b.
func (w *stampWriter) Write(b []byte) (int, error) {
	w.stamp()
	return w.ResponseWriter.Write(b)
}

// FlushError stamps the header and flushes the underlying writer.
func (w *stampWriter) FlushError() error {
	w.stamp()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush stamps the header and flushes the underlying writer, if it can.
func (w *stampWriter) Flush() { _ = w.FlushError() }

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *stampWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var _ http.Flusher = (*stampWriter)(nil)
