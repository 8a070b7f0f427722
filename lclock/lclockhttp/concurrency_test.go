package lclockhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
)

// TestConcurrentCalls runs many calls at once through one client and one
// server propagator (run with -race). For every call: the server received
// it after it was sent, replied after it received it, and the client's
// clock passed the reply.
func TestConcurrentCalls(t *testing.T) {
	srvP := newProp(t, lclockhttp.Config{Clock: new(lclock.Lamport)})
	srv := httptest.NewServer(srvP.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recv, _ := lclock.FromContext(r.Context())
		w.Write(lclock.AppendLamport(nil, recv))
	})))
	defer srv.Close()
	cliClock := new(lclock.Lamport)
	cliP := newProp(t, lclockhttp.Config{Clock: cliClock})
	client := &http.Client{Transport: cliP.Middleware(srv.Client().Transport)}

	const goroutines, calls = 8, 25
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				resp, err := client.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				recv, err1 := lclock.ParseLamport(string(body))
				reply, err2 := lclock.ParseLamport(resp.Header.Get("Lclock-Stamp"))
				if err1 != nil || err2 != nil {
					t.Errorf("bad stamps: %v, %v", err1, err2)
					return
				}
				if reply <= recv {
					t.Errorf("reply %v not after receipt %v", reply, recv)
				}
				if now := cliClock.Now(); now <= reply {
					t.Errorf("client clock %v not past reply %v", now, reply)
				}
			}
		})
	}
	wg.Wait()
	if st := cliP.Stats(); st != (lclockhttp.Stats{}) {
		t.Errorf("client Stats = %+v", st)
	}
	srv.Client().CloseIdleConnections()
}
