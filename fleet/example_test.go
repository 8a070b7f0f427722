package fleet_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// Example gives one replica of a service a limit of 5 requests a minute
// shared with every other replica, through the Redis at localhost:6379, and
// sends 8 requests. It needs that Redis, so it has no Output: go test
// compiles it but does not run it. TestExampleAgainstRedis runs the same
// code against a redis-server of its own and checks what it prints:
//
//	request 1: 200 OK
//	…
//	request 5: 200 OK
//	request 6: refused (fleet limit)
//	request 7: refused (fleet limit)
//	request 8: refused (fleet limit)
func Example() {
	rdb := redis.NewClient(recommendedOptions("localhost:6379"))
	defer rdb.Close()
	if err := sendEight(rdb, stdout{}); err != nil {
		fmt.Println(err)
	}
}

// Example_redisDown runs the same code with Redis unreachable: the calls
// fall back to the local limit of Limit/ExpectedReplicas (5 a minute / 5
// replicas: 1 a minute, in bursts of 1). Stats says so.
func Example_redisDown() {
	rdb := redis.NewClient(recommendedOptions("127.0.0.1:1")) // nothing listens there
	defer rdb.Close()
	if err := sendEight(rdb, stdout{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// request 1: 200 OK
	// request 2: refused (fleet limit)
	// request 3: refused (fleet limit)
	// request 4: refused (fleet limit)
	// request 5: refused (fleet limit)
	// request 6: refused (fleet limit)
	// request 7: refused (fleet limit)
	// request 8: refused (fleet limit)
	// decided by the fallback: 8 of 8
}

// recommendedOptions are go-redis options for a limiter's client: short
// timeouts that the context can shorten further, and no retries inside
// go-redis (the limiter's breaker and fallback deal with failures).
func recommendedOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                  addr,
		DialTimeout:           100 * time.Millisecond,
		ReadTimeout:           100 * time.Millisecond,
		WriteTimeout:          100 * time.Millisecond,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,
	}
}

// sendEight sends 8 requests through a client limited by the fleet.
func sendEight(rdb *redis.Client, out io.Writer) error {
	l, err := fleet.New(fleet.Config{
		Redis:            rdb,
		Limit:            redis_rate.PerMinute(5), // for the whole fleet, per host
		ExpectedReplicas: 5,                       // 1 a minute each while Redis is away
	})
	if err != nil {
		return err
	}
	defer l.Close()

	backend := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer backend.Close()
	client := &http.Client{Transport: transport.Chain(backend.Client().Transport,
		fleet.Middleware(l, fleet.MiddlewareConfig{}), // keyed by host; shares 429/503 pushback
	)}

	for i := 1; i <= 8; i++ {
		resp, err := client.Get(backend.URL)
		switch {
		case errors.Is(err, limiter.ErrLimited):
			fmt.Fprintf(out, "request %d: refused (fleet limit)\n", i) // nothing was sent
		case err != nil:
			return err
		default:
			resp.Body.Close()
			fmt.Fprintf(out, "request %d: %s\n", i, resp.Status)
		}
	}
	if s := l.Stats(); s.Fallback > 0 {
		fmt.Fprintf(out, "decided by the fallback: %d of %d\n", s.Fallback, s.Allowed+s.Rejected)
	}
	return nil
}

// stdout writes to os.Stdout through fmt, which examples capture.
type stdout struct{}

func (stdout) Write(p []byte) (int, error) { return fmt.Print(string(p)) }
