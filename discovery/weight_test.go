package discovery_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/discovery"
)

// A weight above MaxWeight is refused at the door, wherever the set comes
// from: Validate, Parse, Publish. Weights near MaxInt64 used to pass and
// overflow the balancer's arithmetic.
func TestWeightAboveMaxIsRefused(t *testing.T) {
	for _, w := range []int{discovery.MaxWeight + 1, math.MaxInt / 3, math.MaxInt} {
		set := []discovery.Endpoint{{Addr: "a:1", Weight: w}, {Addr: "b:1", Weight: 1}}
		if err := discovery.Validate(set); !errors.Is(err, discovery.ErrInvalidEndpoints) || !strings.Contains(err.Error(), "weight") {
			t.Errorf("Validate(weight %d) = %v, want ErrInvalidEndpoints naming the weight", w, err)
		}
		var b discovery.Broadcast
		if err := b.Publish(set); !errors.Is(err, discovery.ErrInvalidEndpoints) {
			t.Errorf("Publish(weight %d) = %v, want ErrInvalidEndpoints", w, err)
		}
		_, err := discovery.Parse(strings.NewReader(fmt.Sprintf("# x\nb:1\na:1 weight=%d\n", w)))
		if !errors.Is(err, discovery.ErrInvalidEndpoints) || !strings.Contains(err.Error(), "line 3") {
			t.Errorf("Parse(weight=%d) = %v, want ErrInvalidEndpoints naming line 3", w, err)
		}
	}
	// Beyond int64 too: an integer that does not fit is refused as well.
	if _, err := discovery.Parse(strings.NewReader("a:1 weight=99999999999999999999\n")); !errors.Is(err, discovery.ErrInvalidEndpoints) {
		t.Errorf("Parse(weight=1e20) = %v, want ErrInvalidEndpoints", err)
	}
	// MaxWeight itself is accepted, and covers every DNS SRV weight.
	if discovery.MaxWeight < math.MaxUint16 {
		t.Errorf("MaxWeight %d is below the largest SRV weight %d", discovery.MaxWeight, math.MaxUint16)
	}
	if _, err := discovery.Parse(strings.NewReader(fmt.Sprintf("a:1 weight=%d\nb:1 weight=1\n", discovery.MaxWeight))); err != nil {
		t.Errorf("Parse(weight=MaxWeight): %v", err)
	}
}

// An operator's typo (a weight near MaxInt64) in an endpoints file is a bad
// edit like any other: the last good set stays and OnError reports it, as
// it reports a failed DNS lookup.
func TestFileRefusesHugeWeightAndKeepsLastGoodSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.endpoints")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	writeFile(t, path, "10.0.0.1:80 weight=3\n10.0.0.2:80\n", base)
	if _, err := discovery.NewFile(discovery.FileConfig{Path: filepath.Join(t.TempDir(), "x")}); err == nil {
		t.Fatal("NewFile of a missing file succeeded")
	}

	synctest.Test(t, func(t *testing.T) {
		errs := make(chan *discovery.ResolveError, 8)
		f, err := discovery.NewFile(discovery.FileConfig{
			Path:  path,
			Hooks: discovery.Hooks{OnError: func(e *discovery.ResolveError) { errs <- e }},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := newRecorder()
		f.Subscribe(r.fn)
		r.next(t)

		writeFile(t, path, "10.0.0.1:80 weight=9223372036854775807\n10.0.0.2:80 weight=9223372036854775806\n", base.Add(time.Minute))
		time.Sleep(5 * time.Second) // the default Interval
		synctest.Wait()             // the poll is done
		select {
		case e := <-errs:
			if !errors.Is(e, discovery.ErrInvalidEndpoints) || e.Kept != 2 || e.Failures != 1 || !strings.Contains(e.Error(), "weight") {
				t.Fatalf("error report %+v (%v), want ErrInvalidEndpoints naming the weight, 2 kept", e, e)
			}
		default:
			t.Fatal("the bad weight was not reported")
		}
		r.none(t)
		if got := f.Current(); len(got) != 2 || got[0].Weight != 3 {
			t.Fatalf("current %+v, want the last good set", got)
		}
	})

	// A huge weight in the first read fails NewFile: nothing to start from.
	bad := filepath.Join(t.TempDir(), "bad")
	writeFile(t, bad, "a:1 weight=3000000000000000\n", base)
	if _, err := discovery.NewFile(discovery.FileConfig{Path: bad}); !errors.Is(err, discovery.ErrInvalidEndpoints) {
		t.Errorf("NewFile with a huge weight: %v, want ErrInvalidEndpoints", err)
	}
}
