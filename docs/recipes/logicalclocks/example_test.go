package logicalclocks_test

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

// service is what each process sets up once: one clock, shared by the
// propagator (HTTP in and out) and the logger (every line).
type service struct {
	prop *lclockhttp.Propagator
	log  *slog.Logger
	logs bytes.Buffer // stands for the service's log file
}

func newService(name string, wall func() time.Time) *service {
	clock, err := lclock.NewHLC(lclock.Config{WallClock: wall}) // production: lclock.Config{}
	if err != nil {
		panic(err)
	}
	prop, err := lclockhttp.New(lclockhttp.Config{Clock: clock})
	if err != nil {
		panic(err)
	}
	s := &service{prop: prop}
	json := slog.NewJSONHandler(&s.logs, &slog.HandlerOptions{
		// The machine's own (wrong) clock dates its lines, as it would in production.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Time(slog.TimeKey, wall())
			}
			return a
		},
	})
	h, err := lclock.NewHandler(json, lclock.HandlerConfig{Clock: clock, Service: name})
	if err != nil {
		panic(err)
	}
	s.log = slog.New(h)
	return s
}

// client returns an HTTP client whose every attempt carries the clock: the
// propagator's middleware goes innermost in the chain (below retries).
func (s *service) client(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: transport.Chain(base, s.prop.Middleware)}
}

// Checkout calls orders, which calls inventory, and the answers come back.
// The three machines' wall clocks disagree (orders is 200ms slow,
// inventory 150ms fast; frozen here so that the output is stable): sorted
// by wall time, orders seems to receive the order before checkout placed
// it. Sorted by the HLC stamp that every line carries, the merged logs are
// in causal order, and the stamps still read as times.
func Example() {
	noon := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) func() time.Time { return func() time.Time { return noon.Add(d) } }
	checkout := newService("checkout", at(300*time.Millisecond))
	orders := newService("orders", at(100*time.Millisecond))
	inventory := newService("inventory", at(450*time.Millisecond))

	inv := httptest.NewServer(inventory.prop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inventory.log.Info("stock reserved")
		io.WriteString(w, "reserved")
	})))
	defer inv.Close()
	ord := httptest.NewServer(orders.prop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orders.log.Info("order received")
		resp, err := orders.client(inv.Client().Transport).Get(inv.URL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		orders.log.Info("inventory answered")
		io.WriteString(w, "accepted")
	})))
	defer ord.Close()

	checkout.log.Info("placing order")
	resp, err := checkout.client(ord.Client().Transport).Get(ord.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	checkout.log.Info("order placed")

	// Merge the three logs by stamp (the logmerge command does this for
	// files: go run github.com/resilient-go/resilient/lclock/cmd/logmerge -table *.log).
	type line struct {
		Stamp   string    `json:"lclock"`
		Time    time.Time `json:"time"`
		Service string    `json:"service"`
		Msg     string    `json:"msg"`
		stamp   lclock.Stamp
	}
	var lines []line
	for _, s := range []*service{checkout, orders, inventory} {
		sc := bufio.NewScanner(&s.logs)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				panic(err)
			}
			if l.stamp, err = lclock.ParseHLC(l.Stamp); err != nil {
				panic(err)
			}
			lines = append(lines, l)
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return cmp.Compare(a.stamp, b.stamp) })
	for _, l := range lines {
		fmt.Printf("%s  wall %s  %-9s  %s\n", l.Stamp, l.Time.Format("15:04:05.000"), l.Service, l.Msg)
	}
	// Output:
	// 1795694400300.00000  wall 12:00:00.300  checkout   placing order
	// 1795694400300.00003  wall 12:00:00.100  orders     order received
	// 1795694400450.00001  wall 12:00:00.450  inventory  stock reserved
	// 1795694400450.00004  wall 12:00:00.100  orders     inventory answered
	// 1795694400450.00007  wall 12:00:00.300  checkout   order placed
}
