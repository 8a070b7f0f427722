package transport_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

func TestChainOrderFirstIsOutermost(t *testing.T) {
	var trace []string
	mark := func(name string) transport.Middleware {
		return func(next http.RoundTripper) http.RoundTripper {
			return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				trace = append(trace, name+">")
				resp, err := next.RoundTrip(r)
				trace = append(trace, "<"+name)
				return resp, err
			})
		}
	}
	base := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		trace = append(trace, "base")
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	rt := transport.Chain(base, mark("a"), nil, mark("b"))
	req, _ := http.NewRequest("GET", "http://example.test/", nil)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(trace, " "), "a> b> base <b <a"; got != want {
		t.Fatalf("trace = %q, want %q", got, want)
	}
}

func TestChainNilBaseIsDefaultTransport(t *testing.T) {
	if got := transport.Chain(nil); got != http.DefaultTransport {
		t.Fatalf("Chain(nil) = %T, want http.DefaultTransport", got)
	}
}
