package fleet_test

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestExampleAgainstRedis runs Example's code against a redis-server of
// its own (Example itself needs a Redis at localhost:6379, so it only
// compiles), and checks what it prints.
func TestExampleAgainstRedis(t *testing.T) {
	r := startRedis(t)
	rdb := redis.NewClient(recommendedOptions(r.Addr))
	defer rdb.Close()
	var out strings.Builder
	if err := sendEight(rdb, &out); err != nil {
		t.Fatal(err)
	}
	want := `request 1: 200 OK
request 2: 200 OK
request 3: 200 OK
request 4: 200 OK
request 5: 200 OK
request 6: refused (fleet limit)
request 7: refused (fleet limit)
request 8: refused (fleet limit)
`
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
}
