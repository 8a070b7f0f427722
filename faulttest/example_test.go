package faulttest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"time"

	"github.com/resilient-go/resilient/faulttest"
	"github.com/resilient-go/resilient/transport"
)

// A fault-injecting RoundTripper under a plain http.Client: a minute of
// outage, then a brownout of 503s with Retry-After. The example steps a
// hand-set clock through the schedule (Config.Now); a test would rather use
// testing/synctest and the real time.Now.
func ExampleNew() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	faults, err := faulttest.New(faulttest.Config{
		Seed: 1,
		Now:  func() time.Time { return now },
		Phases: []faulttest.Phase{
			{Name: "outage", Duration: time.Minute, Refuse: 1},
			{Name: "brownout", Status: 0.5, RetryAfter: "2"},
		},
	})
	if err != nil {
		panic(err)
	}
	defer faults.Close()

	backend := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(strings.NewReader("ok")), Request: req}, nil
	})
	client := &http.Client{Transport: faults.RoundTripper(backend)}

	get := func() {
		resp, err := client.Get("http://backend.test/")
		if err != nil {
			fmt.Printf("%s: refused=%v\n", faults.Phase(), errors.Is(err, syscall.ECONNREFUSED))
			return
		}
		resp.Body.Close()
		fmt.Printf("%s: %s, Retry-After %q\n", faults.Phase(), resp.Status, resp.Header.Get("Retry-After"))
	}
	get()
	now = now.Add(time.Minute)
	for range 4 {
		get()
	}
	s := faults.Stats()
	fmt.Printf("requests=%d passed=%d refused=%d status=%d\n", s.Requests, s.Passed, s.Refused, s.Status)
	// Output:
	// outage: refused=true
	// brownout: 200 OK, Retry-After ""
	// brownout: 200 OK, Retry-After ""
	// brownout: 503 Service Unavailable, Retry-After "2"
	// brownout: 200 OK, Retry-After ""
	// requests=5 passed=3 refused=1 status=1
}

// A real loopback server that resets 30 % of its connections (real TCP
// RSTs), and the recommended stack (transport.New) in front of it: retries
// hide the resets, even from the call that met three in a row (it has a
// fourth attempt). The seed makes the run the same every time.
func ExampleNewServer() {
	srv, err := faulttest.NewServer(faulttest.Config{
		Seed:   7,
		Phases: []faulttest.Phase{{Reset: 0.3}},
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	ok := 0
	for i := range 10 {
		resp, err := client.Get(srv.URL)
		var re *transport.RetryError
		if errors.As(err, &re) {
			fmt.Printf("call %d failed after %d attempts: exhausted=%v\n", i+1, re.Attempts, errors.Is(err, transport.ErrAttemptsExhausted))
			continue
		}
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ok++
	}
	s := srv.Faults.Stats()
	fmt.Printf("%d of 10 calls succeeded; the server reset %d of %d requests\n", ok, s.Reset, s.Requests)
	// Output:
	// 10 of 10 calls succeeded; the server reset 7 of 17 requests
}

// A handler wrapper on a real loopback server: here every response is
// injected as 429 Too Many Requests with a Retry-After header.
func ExampleInjector_Handler() {
	in, err := faulttest.New(faulttest.Config{Phases: []faulttest.Phase{
		{Status: 1, StatusCode: http.StatusTooManyRequests, RetryAfter: "3"},
	}})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(in.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})))
	defer srv.Close()
	defer in.Close() // runs first: releases any hanging request

	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "Retry-After:", resp.Header.Get("Retry-After"))
	// Output:
	// 429 Too Many Requests Retry-After: 3
}
