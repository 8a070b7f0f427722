package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// Three replicas of a "users" service behind one logical host: each call
// goes to one replica, and the Host header keeps the service's name.
func ExampleBalance() {
	var eps []discovery.Endpoint
	for i := range 3 {
		name := fmt.Sprint("replica-", i)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s (Host: %s)", name, r.Host)
		}))
		defer srv.Close()
		eps = append(eps, discovery.Endpoint{Addr: srv.Listener.Addr().String()})
	}
	users, err := discovery.NewStatic(eps...)
	if err != nil {
		panic(err)
	}
	bal, err := balancer.New(balancer.Config{Policy: balancer.RoundRobin})
	if err != nil {
		panic(err)
	}
	balance, err := transport.Balance(transport.BalanceConfig{Balancer: bal, Resolver: users, Host: "users.internal"})
	if err != nil {
		panic(err)
	}
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: transport.Chain(base, transport.BalanceCall(), balance)}

	for range 3 {
		resp, err := client.Get("http://users.internal/v1/users/42")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body))
	}
	var served uint64
	for _, st := range bal.Endpoints() {
		served += st.Successes
	}
	fmt.Println("successes recorded:", served)
	// Output:
	// replica-1 (Host: users.internal)
	// replica-2 (Host: users.internal)
	// replica-0 (Host: users.internal)
	// successes recorded: 3
}
