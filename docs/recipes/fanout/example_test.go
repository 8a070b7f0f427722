package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// fetchAll fetches every URL of one job and returns the bodies in order.
// Within the job, errgroup runs at most perJob fetches at once; across every
// job of the process, the shared queue q lets at most its Limit reach the
// backend at once, and at most MaxDepth more wait. When the backend is that
// busy, the job fails fast with queue.ErrFull (or queue.ErrTimeout) instead
// of piling up, and the first error cancels the job's other fetches.
func fetchAll(ctx context.Context, client *http.Client, q *queue.Queue, perJob int, urls []string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(perJob)
	out := make([]string, len(urls))
	for i, u := range urls {
		g.Go(func() error {
			if err := q.Acquire(ctx); err != nil {
				return err
			}
			defer q.Release()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			out[i] = string(b)
			return err
		})
	}
	return out, g.Wait()
}

// backend serves /item/N, counting the requests in flight; each one waits
// for gate to be open (nil: never waits).
type backend struct {
	inFlight, peak atomic.Int32
	gate           chan struct{}
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for p := b.peak.Load(); n > p && !b.peak.CompareAndSwap(p, n); p = b.peak.Load() {
	}
	if b.gate != nil {
		<-b.gate
	}
	fmt.Fprint(w, r.URL.Path[len("/item/"):])
}

func urls(base string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s/item/%d", base, i)
	}
	return out
}

// A job of 12 fetches, at most 4 at a time.
func Example() {
	be := &backend{}
	srv := httptest.NewServer(be)
	defer srv.Close()
	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	// One queue per backend, shared by every job: 4 at once, 4 waiting.
	// FIFO with a MaxWait suits batch work that would rather wait a little
	// than fail; the default AdaptiveLIFO suits calls made for a waiting user.
	q, err := queue.New(queue.Config{Limit: 4, MaxDepth: 4, Policy: queue.FIFO, MaxWait: 2 * time.Second})
	if err != nil {
		panic(err)
	}

	got, err := fetchAll(context.Background(), client, q, 4, urls(srv.URL, 12))
	if err != nil {
		panic(err)
	}
	fmt.Println(got)
	fmt.Println("most requests in flight at the backend:", be.peak.Load() <= 4)
	// Output:
	// [0 1 2 3 4 5 6 7 8 9 10 11]
	// most requests in flight at the backend: true
}

// Two jobs at once against a backend that is stalled: the first job fills
// the 2 slots and the 2 places in the queue; the second job finds the queue
// full and fails at once, without adding load. When the backend recovers,
// the first job completes.
func Example_overload() {
	be := &backend{gate: make(chan struct{})}
	srv := httptest.NewServer(be)
	defer srv.Close()
	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	q, err := queue.New(queue.Config{Limit: 2, MaxDepth: 2, Policy: queue.FIFO, MaxWait: 10 * time.Second})
	if err != nil {
		panic(err)
	}

	type result struct {
		got []string
		err error
	}
	first := make(chan result, 1)
	go func() {
		got, err := fetchAll(context.Background(), client, q, 4, urls(srv.URL, 6))
		first <- result{got, err}
	}()
	for q.Stats().Depth < 2 || be.inFlight.Load() < 2 {
		time.Sleep(time.Millisecond) // wait until the first job holds every slot and place
	}

	_, err = fetchAll(context.Background(), client, q, 4, urls(srv.URL, 3))
	fmt.Println("second job failed fast, queue full:", errors.Is(err, queue.ErrFull))

	close(be.gate) // the backend recovers
	r := <-first
	fmt.Println("first job:", r.got, r.err)
	fmt.Println("most requests in flight at the backend:", be.peak.Load())
	// Output:
	// second job failed fast, queue full: true
	// first job: [0 1 2 3 4 5] <nil>
	// most requests in flight at the backend: 2
}
