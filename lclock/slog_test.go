package lclock_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/lclock"
)

// decodeLines parses JSON log lines.
func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestHandlerStampsEveryRecord(t *testing.T) {
	var buf bytes.Buffer
	var clock lclock.Lamport
	h, err := lclock.NewHandler(slog.NewJSONHandler(&buf, nil), lclock.HandlerConfig{Clock: &clock, Service: "billing"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(h)
	log.Info("one", "k", 1)
	clock.Witness(100) // a message from a peer
	log.Info("two")
	log.Debug("not enabled: not an event")
	log.Warn("three")

	lines := decodeLines(t, &buf)
	want := []struct{ msg, stamp string }{{"one", "1"}, {"two", "102"}, {"three", "103"}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if lines[i]["msg"] != w.msg || lines[i]["lclock"] != w.stamp || lines[i]["service"] != "billing" {
			t.Errorf("line %d = %v; want msg %q, lclock %q, service billing", i, lines[i], w.msg, w.stamp)
		}
	}
	if lines[0]["k"] != 1.0 {
		t.Errorf("the record's own attribute was lost: %v", lines[0])
	}
}

func TestHandlerKeepsStampAtTopLevelUnderGroups(t *testing.T) {
	var buf bytes.Buffer
	h, err := lclock.NewHandler(slog.NewJSONHandler(&buf, nil), lclock.HandlerConfig{
		Clock: new(lclock.Lamport), Service: "s", StampKey: "ts", ServiceKey: "svc",
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(h).With("top", 1).WithGroup("req").With("id", "r1").WithGroup("db").With("table", "t")
	log.Info("query", "rows", 3)
	slog.New(h).WithGroup("empty").Info("no attrs")

	got := strings.TrimSpace(buf.String())
	want := `{"msg":"query","ts":"1","svc":"s","top":1,"req":{"id":"r1","db":{"table":"t","rows":3}}}` + "\n" +
		`{"msg":"no attrs","ts":"2","svc":"s"}`
	// Drop the time and level, which vary.
	var lines []string
	for _, l := range strings.Split(got, "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "time")
		delete(m, "level")
		b, _ := json.Marshal(m)
		lines = append(lines, string(b))
	}
	// encoding/json sorts keys: compare as normalised JSON.
	for i, w := range strings.Split(want, "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(w), &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		if lines[i] != string(b) {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], b)
		}
	}
}

func TestHandlerConfig(t *testing.T) {
	if _, err := lclock.NewHandler(slog.DiscardHandler, lclock.HandlerConfig{}); !errors.Is(err, lclock.ErrInvalidConfig) {
		t.Errorf("nil Clock: err = %v, want ErrInvalidConfig", err)
	}
	if _, err := lclock.NewHandler(nil, lclock.HandlerConfig{Clock: new(lclock.HLC)}); !errors.Is(err, lclock.ErrInvalidConfig) {
		t.Errorf("nil next: err = %v, want ErrInvalidConfig", err)
	}
}

// TestHandlerConcurrent logs from many goroutines through one Handler and
// its derived loggers (run with -race): every line carries a distinct
// stamp.
func TestHandlerConcurrent(t *testing.T) {
	var buf bytes.Buffer
	clock := new(lclock.HLC)
	h, err := lclock.NewHandler(slog.NewJSONHandler(&buf, nil), lclock.HandlerConfig{Clock: clock, Service: "s"})
	if err != nil {
		t.Fatal(err)
	}
	base := slog.New(h)
	const goroutines, per = 8, 100
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			log := base.With("g", g).WithGroup("req")
			for i := range per {
				log.Info("line", "i", i)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, l := range decodeLines(t, &buf) {
		s, ok := l["lclock"].(string)
		if !ok || seen[s] {
			t.Fatalf("line %v: stamp missing or repeated", l)
		}
		if _, err := lclock.ParseHLC(s); err != nil {
			t.Fatal(err)
		}
		seen[s] = true
	}
	if len(seen) != goroutines*per {
		t.Fatalf("%d stamped lines, want %d", len(seen), goroutines*per)
	}
}
