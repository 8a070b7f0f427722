package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
)

// service is one of the end-to-end test's services: a wall clock skewed
// from real time, a logical clock reading it, a propagator, and a JSON
// logger that stamps lines with both (the logger's time is the skewed
// wall clock too, as a machine with a wrong clock would write it).
type service struct {
	name   string
	prop   *lclockhttp.Propagator
	log    *slog.Logger
	file   *os.File
	client *http.Client
}

func newService(t *testing.T, dir, name string, skew time.Duration, hlc bool) *service {
	t.Helper()
	wall := func() time.Time { return time.Now().Add(skew) }
	var clock lclock.Clock = new(lclock.Lamport)
	if hlc {
		h, err := lclock.NewHLC(lclock.Config{WallClock: wall})
		if err != nil {
			t.Fatal(err)
		}
		clock = h
	}
	prop, err := lclockhttp.New(lclockhttp.Config{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	json := slog.NewJSONHandler(f, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Time(slog.TimeKey, wall())
		}
		return a
	}})
	h, err := lclock.NewHandler(json, lclock.HandlerConfig{Clock: clock, Service: name})
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &service{name: name, prop: prop, log: slog.New(h), file: f, client: &http.Client{Transport: prop.Middleware(tr)}}
}

func (s *service) get(t *testing.T, url string) string {
	resp, err := s.client.Get(url)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestEndToEnd: three services on loopback, A → B → C and back, with wall
// clocks skewed (B 200ms behind, C 150ms ahead). Their JSON logs, merged
// by logmerge, come out in causal order, while sorting them by wall time
// gets it wrong.
func TestEndToEnd(t *testing.T) {
	for _, kind := range []string{"HLC", "Lamport"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			hlc := kind == "HLC"
			a := newService(t, dir, "A", 0, hlc)
			b := newService(t, dir, "B", -200*time.Millisecond, hlc)
			c := newService(t, dir, "C", 150*time.Millisecond, hlc)

			srvC := httptest.NewServer(c.prop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.log.Info("C: request received")
				c.log.Info("C: replying")
				io.WriteString(w, "from C")
			})))
			defer srvC.Close()
			srvB := httptest.NewServer(b.prop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b.log.Info("B: request received")
				body := b.get(t, srvC.URL)
				b.log.Info("B: reply from C", "body", body)
				b.log.Info("B: replying")
				io.WriteString(w, "from B")
			})))
			defer srvB.Close()

			a.log.Info("A: calling B")
			body := a.get(t, srvB.URL)
			a.log.Info("A: reply from B", "body", body)
			for _, s := range []*service{a, b, c} {
				s.file.Sync()
			}

			causal := []string{
				"A: calling B", "B: request received", "C: request received",
				"C: replying", "B: reply from C", "B: replying", "A: reply from B",
			}
			files := []string{filepath.Join(dir, "C.log"), filepath.Join(dir, "B.log"), filepath.Join(dir, "A.log")}

			// The merged JSON lines, in causal order.
			var out, errOut bytes.Buffer
			if code := run(files, &out, &errOut); code != 0 {
				t.Fatalf("logmerge exit %d: %s", code, errOut.String())
			}
			var msgs, byWall []string
			type line struct {
				Msg  string    `json:"msg"`
				Time time.Time `json:"time"`
			}
			var lines []line
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var x line
				if err := json.Unmarshal([]byte(l), &x); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, x)
				msgs = append(msgs, x.Msg)
			}
			if !slices.Equal(msgs, causal) {
				t.Fatalf("merged order:\n %q\nwant\n %q", msgs, causal)
			}

			// Sorted by wall time, the same lines are out of causal order.
			slices.SortStableFunc(lines, func(x, y line) int { return x.Time.Compare(y.Time) })
			for _, x := range lines {
				byWall = append(byWall, x.Msg)
			}
			if slices.Equal(byWall, causal) {
				t.Fatalf("wall-clock order is causal too: the skew did not show: %q", byWall)
			}

			// The table marks the lines that wall time gets wrong.
			out.Reset()
			if code := run(append([]string{"-table"}, files...), &out, &errOut); code != 0 {
				t.Fatalf("logmerge -table exit %d: %s", code, errOut.String())
			}
			table := out.String()
			t.Logf("logmerge -table:\n%s", table)
			if !strings.Contains(table, "7 lines; ") || strings.Contains(table, "; 0 out of order") {
				t.Fatalf("table does not report wall-clock disorder:\n%s", table)
			}
			for _, l := range strings.Split(table, "\n") {
				if strings.Contains(l, "B: request received") && !strings.HasPrefix(l, "!") {
					t.Errorf("B's receipt (wall clock 200ms behind A's send) is not marked: %q", l)
				}
			}
			for _, s := range []*service{a, b, c} {
				if st := s.prop.Stats(); st.Malformed+st.Rejected != 0 {
					t.Errorf("%s: Stats %+v", s.name, st)
				}
			}
		})
	}
}
