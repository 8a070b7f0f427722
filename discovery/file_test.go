package discovery_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/discovery"
)

// writeFile replaces path's content atomically, with a modification time
// of its own so that a poll sees the change even on coarse clocks.
func writeFile(t *testing.T, path, content string, mtime time.Time) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestFileReReadsOnChangeAndKeepsLastGoodSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.endpoints")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	writeFile(t, path, "# users\n10.0.0.1:80 weight=2 zone=a\n10.0.0.2:80 version=v2\n", base)

	// In a bubble the polls come at 1s, 2s, … of the fake clock: sleeping
	// through one and waiting for the poller to block again runs it.
	synctest.Test(t, func(t *testing.T) {
		errs := make(chan *discovery.ResolveError, 8)
		f, err := discovery.NewFile(discovery.FileConfig{
			Path:     path,
			Interval: time.Second,
			Hooks:    discovery.Hooks{OnError: func(e *discovery.ResolveError) { errs <- e }},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		poll := func() {
			time.Sleep(time.Second)
			synctest.Wait()
		}

		var first []discovery.Endpoint
		r := newRecorder()
		f.Subscribe(func(eps []discovery.Endpoint) {
			if first == nil {
				first = eps
			}
			r.fn(eps)
		})
		if got := r.next(t); !slices.Equal(got, []string{"10.0.0.1:80", "10.0.0.2:80"}) {
			t.Fatalf("first set %v", got)
		}
		if first[0].Weight != 2 || first[0].Zone != "a" || first[1].Meta["version"] != "v2" {
			t.Fatalf("fields not parsed: %+v", first)
		}

		// No change: a poll publishes nothing.
		poll()
		poll()
		r.none(t)

		// A change is published at the next poll, Interval after the last,
		// not before.
		writeFile(t, path, "10.0.0.3:80\n", base.Add(time.Minute))
		time.Sleep(time.Second - time.Millisecond)
		synctest.Wait()
		r.none(t)
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := r.next(t); !slices.Equal(got, []string{"10.0.0.3:80"}) {
			t.Fatalf("after the change %v", got)
		}

		// A broken file and an empty one keep the last good set.
		for i, content := range []string{"10.0.0.9\n", "# nothing\n"} {
			writeFile(t, path, content, base.Add(time.Duration(2+i)*time.Minute))
			poll()
			select {
			case e := <-errs:
				if e.Kept != 1 || e.Name != path {
					t.Fatalf("error report %+v", e)
				}
				if i == 1 && !errors.Is(e, discovery.ErrNoEndpoints) {
					t.Fatalf("empty file reported as %v", e)
				}
			default:
				t.Fatal("no error reported")
			}
		}
		// The broken version is reported once, not at every poll.
		poll()
		select {
		case e := <-errs:
			t.Fatalf("the same broken file reported again: %v", e)
		default:
		}
		r.none(t)
		if got := f.Current(); len(got) != 1 || got[0].Addr != "10.0.0.3:80" {
			t.Fatalf("current %v, want the last good set", got)
		}
	})
}

func TestFileConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, cfg := range map[string]discovery.FileConfig{
		"no path":  {},
		"interval": {Path: filepath.Join(dir, "x"), Interval: -1},
	} {
		if _, err := discovery.NewFile(cfg); !errors.Is(err, discovery.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
	if _, err := discovery.NewFile(discovery.FileConfig{Path: filepath.Join(dir, "missing")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	writeFile(t, bad, "a:1 weight=x\n", time.Now())
	if _, err := discovery.NewFile(discovery.FileConfig{Path: bad}); !errors.Is(err, discovery.ErrInvalidEndpoints) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad file: %v", err)
	}
}
