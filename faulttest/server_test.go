package faulttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello, world") })

func TestServerResetIsARealReset(t *testing.T) {
	srv, err := faulttest.NewServer(one(faulttest.Phase{Reset: 1}), hello)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	resp, err := client.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %s; want a connection error", resp.Status)
	}
	if s := srv.Faults.Stats(); s.Reset != 1 {
		t.Errorf("reset %d, want 1", s.Reset)
	}
}

func TestServerStatusAndTruncate(t *testing.T) {
	srv, err := faulttest.NewServer(faulttest.Config{Phases: []faulttest.Phase{{Status: 0.5, StatusCode: 429, RetryAfter: "1", Truncate: 0.5}}}, hello)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	var throttled, truncated int
	for range 30 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "1":
			throttled++
		case errors.Is(rerr, io.ErrUnexpectedEOF) && len(body) < len("hello, world"):
			truncated++
		default:
			t.Fatalf("got %s %q, %v; want a 429 or a truncated body", resp.Status, body, rerr)
		}
	}
	s := srv.Faults.Stats()
	if uint64(throttled) != s.Status || uint64(truncated) != s.Truncated || throttled == 0 || truncated == 0 {
		t.Errorf("saw %d throttled and %d truncated; stats %+v", throttled, truncated, s.Counts)
	}
}

// Close must not wait forever for a handler held by a Hang.
func TestServerCloseReleasesHangs(t *testing.T) {
	srv, err := faulttest.NewServer(one(faulttest.Phase{Hang: 1}), hello)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	done := make(chan error, 1)
	go func() {
		resp, err := client.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// Wait, on the real clock, until the server holds the request.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for srv.Faults.Stats().Hung == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the request never reached the server")
		case <-time.After(time.Millisecond):
		}
	}
	srv.Close() // would block for ever without releasing the hang first
	if err := <-done; err == nil {
		t.Fatal("a hung request got a response; want an aborted connection")
	}
	client.CloseIdleConnections()
}
