package lclockhttp_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

func newProp(t testing.TB, c lclockhttp.Config) *lclockhttp.Propagator {
	t.Helper()
	p, err := lclockhttp.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfig(t *testing.T) {
	for _, h := range []string{"bad header", "a:b", "é", "x\n"} {
		if _, err := lclockhttp.New(lclockhttp.Config{Header: h}); !errors.Is(err, lclockhttp.ErrInvalidConfig) || !errors.Is(err, lclock.ErrInvalidConfig) {
			t.Errorf("Header %q: err = %v, want ErrInvalidConfig", h, err)
		}
	}
	p := newProp(t, lclockhttp.Config{})
	if p.Header() != "Lclock-Stamp" {
		t.Errorf("default Header = %q", p.Header())
	}
	if _, ok := p.Clock().(*lclock.HLC); !ok {
		t.Errorf("default Clock is %T, want *lclock.HLC", p.Clock())
	}
	if p := newProp(t, lclockhttp.Config{Header: "x-my-clock"}); p.Header() != "X-My-Clock" {
		t.Errorf("Header not canonicalised: %q", p.Header())
	}
}

// TestClientStampsAndWitnesses checks the client side against a stub: the
// request sent carries a fresh stamp, the caller's request is untouched,
// and the response's stamp is witnessed.
func TestClientStampsAndWitnesses(t *testing.T) {
	clock := new(lclock.Lamport)
	p := newProp(t, lclockhttp.Config{Clock: clock})
	var sent string
	stub := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		sent = r.Header.Get("Lclock-Stamp")
		r.Header.Add("Other", "added by an inner layer")
		h := http.Header{"Lclock-Stamp": {"500"}}
		return &http.Response{StatusCode: 200, Header: h, Body: http.NoBody, Request: r}, nil
	})
	client := &http.Client{Transport: transport.Chain(stub, p.Middleware)}
	req, _ := http.NewRequest("GET", "http://example.invalid/", nil)
	req.Header["Other"] = make([]string, 1, 4) // spare capacity that an inner Add must not write into
	req.Header["Other"][0] = "mine"
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if sent != "1" {
		t.Errorf("request stamped %q, want 1", sent)
	}
	if len(req.Header) != 1 || req.Header.Get("Lclock-Stamp") != "" || req.Header["Other"][:2][1] != "" {
		t.Errorf("the caller's request was modified: %v", req.Header)
	}
	if clock.Now() != 501 {
		t.Errorf("clock after the response = %v, want 501", clock.Now())
	}

	// A transport error is returned as is, and nothing is witnessed.
	boom := errors.New("boom")
	failing := p.Middleware(transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	if _, err := failing.RoundTrip(req); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if clock.Now() != 502 {
		t.Errorf("clock after a failed attempt = %v, want 502 (the send only)", clock.Now())
	}
}

// TestServerWitnessesAndStamps checks the server side: the receive stamp
// is in the context, after the request's; the response is stamped after
// everything the handler did.
func TestServerWitnessesAndStamps(t *testing.T) {
	clock := new(lclock.Lamport)
	p := newProp(t, lclockhttp.Config{Clock: clock})
	var inCtx lclock.Stamp
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inCtx, _ = lclock.FromContext(r.Context())
		clock.Tick() // the handler logs something
		io.WriteString(w, "ok")
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Lclock-Stamp", "100")
	h.ServeHTTP(rec, req)
	if inCtx != 101 {
		t.Errorf("receive stamp in context = %v, want 101", inCtx)
	}
	if got := rec.Result().Header.Get("Lclock-Stamp"); got != "103" {
		t.Errorf("response stamped %q, want 103 (after the handler's own event)", got)
	}
}

func TestServerStampsEveryKindOfResponse(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"writes nothing": func(http.ResponseWriter, *http.Request) {},
		"WriteHeader":    func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) },
		"Write":          func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "body") },
		"Flush": func(w http.ResponseWriter, _ *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
			io.WriteString(w, "streamed")
		},
		"Flusher": func(w http.ResponseWriter, _ *http.Request) { w.(http.Flusher).Flush() },
		"1xx first": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusOK)
		},
	}
	for name, hf := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProp(t, lclockhttp.Config{Clock: new(lclock.Lamport)})
			srv := httptest.NewServer(p.Handler(hf))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// The request had no stamp: receive at 1, response at 2.
			if got := resp.Header.Get("Lclock-Stamp"); got != "2" {
				t.Errorf("response stamp %q, want 2", got)
			}
			if st := p.Stats(); st.Missing != 1 {
				t.Errorf("Missing = %d, want 1", st.Missing)
			}
		})
	}
}

// TestRoundTripOverLoopback: a client and a server with their own HLCs,
// over a real connection.
func TestRoundTripOverLoopback(t *testing.T) {
	srvP := newProp(t, lclockhttp.Config{})
	srv := httptest.NewServer(srvP.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := lclock.FromContext(r.Context()); !ok {
			t.Error("no stamp in the server's context")
		}
	})))
	defer srv.Close()
	cliP := newProp(t, lclockhttp.Config{})
	client := &http.Client{Transport: cliP.Middleware(srv.Client().Transport)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	replied, err := lclock.ParseHLC(resp.Header.Get("Lclock-Stamp"))
	if err != nil {
		t.Fatal(err)
	}
	if cliP.Clock().Now() <= replied {
		t.Errorf("client clock %v not past the reply %v", cliP.Clock().Now(), replied)
	}
	if st := cliP.Stats(); st != (lclockhttp.Stats{}) {
		t.Errorf("client Stats = %+v, want zero", st)
	}
}
