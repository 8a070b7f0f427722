package faulttest

import (
	"net/http"
	"net/http/httptest"
)

// Server is an httptest.Server whose handler is wrapped by an Injector:
// the real loopback server of a fault-injection test.
//
// Its embedded *httptest.Server gives URL and Client as usual; Faults gives
// Stats, Phase and Restart.
type Server struct {
	*httptest.Server

	// Faults is the Injector in front of the handler.
	Faults *Injector
}

// NewServer starts a loopback server that serves h behind an Injector built
// from cfg, as httptest.NewServer does. A bad cfg gives an error wrapping
// ErrInvalidConfig, and no server. The caller must Close the Server.
func NewServer(cfg Config, h http.Handler) (*Server, error) {
	in, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Server{Server: httptest.NewServer(in.Handler(h)), Faults: in}, nil
}

// Close releases the requests held by a Hang fault, then shuts the server
// down: in that order, because httptest.Server.Close waits for its handlers,
// and a hanging one would never return.
func (s *Server) Close() {
	s.Faults.Close()
	s.Server.Close()
}
