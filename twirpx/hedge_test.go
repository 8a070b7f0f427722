package twirpx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twitchtv/twirp/example"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// Hedging a Twirp call: the first attempt hangs until it is cancelled, the
// hedge sent after Delay answers, the call succeeds with the hedge's hat,
// and the losing attempt is cancelled (its server context ends). A method
// not marked idempotent is never hedged: it waits out its own timeout.
func TestHedgedTwirpCall(t *testing.T) {
	var n atomic.Int32
	lostCanceled := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// The slow first attempt waits to be abandoned. It reads its
			// body first: net/http notices a client's hang-up (and ends
			// r.Context()) only once the request body has been read.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			lostCanceled <- struct{}{}
			return
		}
		example.NewHaberdasherServer(&hats{}).ServeHTTP(w, r)
	}))
	defer srv.Close()

	c := newClient(t, twirpx.Config{
		Methods:   idempotentHats,
		Transport: transport.Config{Hedge: &transport.HedgeConfig{Delay: 20 * time.Millisecond}},
	})
	client := example.NewHaberdasherProtobufClient(srv.URL, c.HTTPClient(), c.ClientOptions()...)
	hat, err := client.MakeHat(context.Background(), &example.Size{Inches: 9})
	if err != nil || hat.Size != 9 {
		t.Fatalf("MakeHat = %v, %v; want the hedge's hat", hat, err)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("server saw %d attempts, want 2 (the first and its hedge)", got)
	}
	select {
	case <-lostCanceled:
	case <-time.After(10 * time.Second):
		t.Fatal("the losing attempt was never cancelled")
	}

	// Not idempotent: no hedge, the call is bounded by its method timeout.
	n.Store(0)
	plain := newClient(t, twirpx.Config{
		Methods:   map[string]twirpx.MethodPolicy{"Haberdasher/MakeHat": {Timeout: 100 * time.Millisecond}},
		Transport: transport.Config{Hedge: &transport.HedgeConfig{Delay: 20 * time.Millisecond}},
	})
	client = example.NewHaberdasherProtobufClient(srv.URL, plain.HTTPClient(), plain.ClientOptions()...)
	if _, err := client.MakeHat(context.Background(), &example.Size{Inches: 9}); err == nil {
		t.Fatal("a non-idempotent call against a hanging server succeeded; it must time out unhedged")
	}
	<-lostCanceled
	if got := n.Load(); got != 1 {
		t.Fatalf("server saw %d attempts of a non-idempotent call, want 1 (never hedged)", got)
	}
}

// A method's own hedge: MethodPolicy.Hedge hedges that method alone (the
// first attempt hangs, the hedge answers); another idempotent method of
// the same client is not hedged. A hedge on a method that is not
// idempotent, or beside Config.Transport.Hedge, is refused.
func TestMethodHedge(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		example.NewHaberdasherServer(&hats{}).ServeHTTP(w, r)
	}))
	defer srv.Close()
	hedged := newClient(t, twirpx.Config{Methods: map[string]twirpx.MethodPolicy{
		"Haberdasher/MakeHat": {Idempotent: true, Hedge: &transport.HedgeConfig{Delay: 20 * time.Millisecond}},
	}})
	client := example.NewHaberdasherProtobufClient(srv.URL, hedged.HTTPClient(), hedged.ClientOptions()...)
	if hat, err := client.MakeHat(context.Background(), &example.Size{Inches: 9}); err != nil || hat.Size != 9 || n.Load() != 2 {
		t.Fatalf("MakeHat = %v, %v after %d requests; want the hedge's hat, 2 requests", hat, err, n.Load())
	}

	n.Store(0)
	unhedged := newClient(t, twirpx.Config{Methods: map[string]twirpx.MethodPolicy{
		"Haberdasher/MakeHat": {Idempotent: true, Timeout: 200 * time.Millisecond},
	}})
	client = example.NewHaberdasherProtobufClient(srv.URL, unhedged.HTTPClient(), unhedged.ClientOptions()...)
	if _, err := client.MakeHat(context.Background(), &example.Size{Inches: 9}); err == nil {
		t.Fatal("without a hedge, the hanging first attempt should have timed out the call")
	}

	for name, cfg := range map[string]twirpx.Config{
		"not idempotent": {Methods: map[string]twirpx.MethodPolicy{
			"Haberdasher/MakeHat": {Hedge: &transport.HedgeConfig{Delay: time.Millisecond}},
		}},
		"beside the transport's": {
			Methods: map[string]twirpx.MethodPolicy{
				"Haberdasher/MakeHat": {Idempotent: true, Hedge: &transport.HedgeConfig{Delay: time.Millisecond}},
			},
			Transport: transport.Config{Hedge: &transport.HedgeConfig{}},
		},
		"bad hedge": {Methods: map[string]twirpx.MethodPolicy{
			"Haberdasher/MakeHat": {Idempotent: true, Hedge: &transport.HedgeConfig{Delay: -time.Second}},
		}},
	} {
		if _, err := twirpx.New(cfg); !errors.Is(err, twirpx.ErrInvalidConfig) || !strings.Contains(err.Error(), `Config.Methods["Haberdasher/MakeHat"].Hedge`) {
			t.Errorf("%s: New = %v, want ErrInvalidConfig naming the method's Hedge", name, err)
		}
	}
}
