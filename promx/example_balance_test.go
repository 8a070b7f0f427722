package promx_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// A stack that balances over three replicas, one of them broken: the
// scrape shows each endpoint (here renamed replica-N, for a stable
// output) and the ejection that BalancerHooks counted.
func ExampleMetrics_BalancerHooks() {
	var eps []discovery.Endpoint
	names := map[string]string{}
	for i := range 3 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if i == 1 {
				http.Error(w, "broken", http.StatusInternalServerError)
			}
		}))
		defer srv.Close()
		addr := srv.Listener.Addr().String()
		eps = append(eps, discovery.Endpoint{Addr: addr})
		names[addr] = fmt.Sprint("replica-", i)
	}
	users, err := discovery.NewStatic(eps...)
	if err != nil {
		panic(err)
	}

	reg := prometheus.NewRegistry()
	metrics, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		panic(err)
	}
	rt, err := transport.New(transport.Config{
		Hooks: metrics.Hooks(),
		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal",
			Policy:  balancer.RoundRobin,
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3},
			Hooks:   metrics.BalancerHooks(),
		},
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	metrics.Observe(rt)

	client := &http.Client{Transport: rt}
	for range 12 {
		resp, err := client.Get("http://users.internal/")
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	var lines []string
	for _, mf := range mfs {
		switch mf.GetName() {
		case "resilient_endpoint_ejected", "resilient_endpoint_ejections_total", "resilient_endpoints", "resilient_endpoints_ejected":
		default:
			continue
		}
		var text strings.Builder
		expfmt.MetricFamilyToText(&text, mf)
		for line := range strings.SplitSeq(strings.TrimSpace(text.String()), "\n") {
			if !strings.HasPrefix(line, "#") {
				for addr, name := range names {
					line = strings.ReplaceAll(line, addr, name)
				}
				lines = append(lines, line)
			}
		}
	}
	slices.Sort(lines) // by name, not by the replicas' random ports
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// resilient_endpoint_ejected{endpoint="replica-0"} 0
	// resilient_endpoint_ejected{endpoint="replica-1"} 1
	// resilient_endpoint_ejected{endpoint="replica-2"} 0
	// resilient_endpoint_ejections_total{endpoint="replica-1",reason="consecutive_failures"} 1
	// resilient_endpoints 3
	// resilient_endpoints_ejected 1
}
