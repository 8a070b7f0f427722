package lclockhttp_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

// A client and a server, each with its own clock, propagator and stamped
// logger. Lamport clocks keep the output deterministic; use an HLC
// (the zero Config's default) in production.
func ExamplePropagator() {
	// The server: its handler is wrapped, its logger stamped.
	srvClock := new(lclock.Lamport)
	srvProp, _ := lclockhttp.New(lclockhttp.Config{Clock: srvClock})
	srvLog := newLogger(srvClock, "inventory")
	srv := httptest.NewServer(srvProp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recv, _ := lclock.FromContext(r.Context())
		srvLog.Info("reserve", "received_at", uint64(recv))
		io.WriteString(w, "reserved")
	})))
	defer srv.Close()

	// The client: the propagator's middleware goes innermost in the chain.
	cliClock := new(lclock.Lamport)
	cliProp, _ := lclockhttp.New(lclockhttp.Config{Clock: cliClock})
	cliLog := newLogger(cliClock, "checkout")
	client := &http.Client{Transport: transport.Chain(srv.Client().Transport, cliProp.Middleware)}

	cliClock.Witness(9) // as if the client had heard of time 9 earlier
	cliLog.Info("calling inventory")
	resp, err := client.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cliLog.Info("inventory answered", "body", string(body), "reply_stamp", resp.Header.Get(lclockhttp.DefaultHeader))
	// Output:
	// {"level":"INFO","msg":"calling inventory","lclock":"11","service":"checkout"}
	// {"level":"INFO","msg":"reserve","lclock":"14","service":"inventory","received_at":13}
	// {"level":"INFO","msg":"inventory answered","lclock":"17","service":"checkout","body":"reserved","reply_stamp":"15"}
}

// newLogger returns a JSON logger to stdout, without times (which vary),
// that stamps each line with clock and service.
func newLogger(clock lclock.Clock, service string) *slog.Logger {
	json := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	})
	h, err := lclock.NewHandler(json, lclock.HandlerConfig{Clock: clock, Service: service})
	if err != nil {
		panic(err)
	}
	return slog.New(h)
}

// Stamps a peer sends that are garbage, or too far ahead, are ignored and
// counted; the call goes on.
func ExamplePropagator_Stats() {
	p, _ := lclockhttp.New(lclockhttp.Config{})
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for _, v := range []string{"-1", "not a stamp", "281474976710655.65535"} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set(lclockhttp.DefaultHeader, v)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	fmt.Printf("%+v\n", p.Stats())
	// Output:
	// 200
	// 200
	// 200
	// {Missing:0 Malformed:2 Rejected:1}
}
