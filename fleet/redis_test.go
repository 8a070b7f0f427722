package fleet_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process of the test's own, on a free
// loopback port, with no persistence. It can be killed and restarted on
// the same port; t.Cleanup kills it.
type redisServer struct {
	tb   testing.TB
	path string
	port int
	Addr string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
	out  bytes.Buffer
}

// startRedis starts a redis-server, or skips the test when there is none
// (fails instead when the environment variable CI is "true": CI installs
// it, so its absence there is a bug).
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis-server not found, and CI=true: %v", err)
		}
		tb.Skipf("redis-server not found (install the redis-server package): %v", err)
	}
	r := &redisServer{tb: tb, path: path}
	// A free port can be taken by someone else between our probe and the
	// server's bind: try a few.
	for try := 0; ; try++ {
		r.port = freePort(tb)
		r.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
		if err = r.start(); err == nil {
			break
		}
		if try == 3 {
			tb.Fatalf("starting redis-server: %v", err)
		}
	}
	tb.Cleanup(r.Kill)
	return r
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs redis-server on r.port and waits until it answers PING.
func (r *redisServer) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.Reset()
	cmd := exec.Command(r.path,
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	cmd.Stdout, cmd.Stderr = &r.out, &r.out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.cmd, r.done = cmd, done

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("redis-server exited at start: %s", r.out.String())
		default:
		}
		if err := ping(r.Addr); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on %s did not answer within 10s: %v", r.Addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ping(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// Kill kills the server (SIGKILL: no goodbye to the clients) and waits for
// it. It does nothing when the server is not running.
func (r *redisServer) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

// Restart starts the server again on the same port, with empty data.
func (r *redisServer) Restart() {
	r.tb.Helper()
	r.Kill()
	var err error
	for range 50 { // the port may linger for a moment
		if err = r.start(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.tb.Fatalf("restarting redis-server: %v", err)
}

// client returns a go-redis client of its own (its own pool of
// connections) with the options the fleet limiter recommends, closed at
// the end of the test.
func (r *redisServer) client(tb testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr:                  r.Addr,
		MaxRetries:            -1,
		DialTimeout:           100 * time.Millisecond,
		ReadTimeout:           100 * time.Millisecond,
		WriteTimeout:          100 * time.Millisecond,
		ContextTimeoutEnabled: true,
		DialerRetries:         1,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
