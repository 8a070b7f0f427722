package chaos_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// roundTripperFunc adapts a function to http.RoundTripper.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// A schedule of an outage then a brownout, in front of an in-process backend.
// The example drives the schedule with a hand-set clock (Config.Now); tests
// use testing/synctest and the real time.Now instead.
func ExampleNew() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in, err := chaos.New(chaos.Config{
		Seed: 1,
		Now:  func() time.Time { return now },
		Phases: []chaos.Phase{
			{Name: "outage", Duration: time.Minute, Refuse: 1},
			{Name: "brownout", Duration: time.Minute, Status: 0.5, RetryAfter: "2"},
			{Name: "healthy"},
		},
	})
	if err != nil {
		panic(err)
	}
	defer in.Close()

	backend := roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(strings.NewReader("ok")), Request: req}, nil
	})
	client := &http.Client{Transport: in.RoundTripper(backend)}

	get := func() {
		resp, err := client.Get("http://backend.test/")
		if err != nil {
			fmt.Printf("%s: refused=%v\n", in.Phase(), errors.Is(err, syscall.ECONNREFUSED))
			return
		}
		resp.Body.Close()
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			fmt.Printf("%s: %s, Retry-After %s\n", in.Phase(), resp.Status, ra)
			return
		}
		fmt.Printf("%s: %s\n", in.Phase(), resp.Status)
	}
	get()
	now = now.Add(time.Minute)
	for range 4 {
		get()
	}
	now = now.Add(time.Minute)
	get()

	s := in.Stats()
	fmt.Printf("requests=%d passed=%d refused=%d status=%d\n", s.Requests, s.Passed, s.Refused, s.Status)
	// Output:
	// outage: refused=true
	// brownout: 200 OK
	// brownout: 200 OK
	// brownout: 503 Service Unavailable, Retry-After 2
	// brownout: 200 OK
	// healthy: 200 OK
	// requests=6 passed=4 refused=1 status=1
}

// A handler wrapper on a real loopback server: here every response is
// injected as 429 Too Many Requests with a Retry-After header.
func ExampleInjector_Handler() {
	in, err := chaos.New(chaos.Config{Phases: []chaos.Phase{
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
