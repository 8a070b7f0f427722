package discoveryfile_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// writeAtomically replaces path's content the way operators (and config
// management) should: write a temporary file, then rename it, so that a
// poll never reads half a file.
func writeAtomically(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// An operator moves traffic from the "blue" replicas to the "green" ones
// by editing a file: the client re-reads it when it changes.
func Example() {
	blue := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "blue") }))
	defer blue.Close()
	green := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "green") }))
	defer green.Close()

	dir, err := os.MkdirTemp("", "endpoints")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.endpoints")
	if err := writeAtomically(path, "# users service\n"+blue.Listener.Addr().String()+" zone=a weight=1\n"); err != nil {
		panic(err)
	}

	updated := make(chan []discovery.Endpoint, 4)
	refused := make(chan *discovery.ResolveError, 4)
	users, err := discovery.NewFile(discovery.FileConfig{
		Path:     path,
		Interval: 10 * time.Millisecond, // seconds in production: the default is 5s
		Hooks: discovery.Hooks{
			OnUpdate: func(_ string, eps []discovery.Endpoint) { updated <- eps },
			OnError:  func(e *discovery.ResolveError) { refused <- e },
		},
	})
	if err != nil {
		panic(err)
	}
	defer users.Close()

	// The recommended stack, balancing the calls to "users.internal" over
	// the resolver's endpoints.
	stack, err := transport.New(transport.Config{
		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal"},
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: stack}
	call := func() string {
		resp, err := client.Get("http://users.internal/")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	fmt.Println(call(), call())
	if err := writeAtomically(path, green.Listener.Addr().String()+"\n"); err != nil {
		panic(err)
	}
	<-updated
	fmt.Println(call(), call())

	// A broken edit is refused: the client keeps the green replicas.
	if err := writeAtomically(path, "green-without-a-port\n"); err != nil {
		panic(err)
	}
	e := <-refused
	fmt.Println("refused:", errors.Is(e, discovery.ErrInvalidEndpoints), "kept:", e.Kept)
	fmt.Println(call())
	// Output:
	// blue blue
	// green green
	// refused: true kept: 1
	// green
}
