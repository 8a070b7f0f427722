package dns_test

import (
	"errors"
	"fmt"

	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/discovery/dns"
)

// New checks its Config before it asks any server: a host name needs the
// port of its endpoints, an SRV name brings its own. (See the discoverydns
// recipe in docs/recipes for a resolver at work against a DNS server.)
func ExampleNew() {
	_, err := dns.New(dns.Config{Name: "users.internal", Server: "127.0.0.1:53"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, dns.ErrInvalidConfig), errors.Is(err, discovery.ErrInvalidConfig))
	// Output:
	// dns: discovery: invalid config: Config.Port is 0, must be in [1, 65535] for A/AAAA records
	// true true
}
