package discovery_test

import (
	"fmt"

	"github.com/resilient-go/resilient/discovery"
)

// A subscriber gets the current set at once, then every change.
func ExampleStatic() {
	users, err := discovery.NewStatic(
		discovery.Endpoint{Addr: "10.0.0.1:8080", Weight: 2, Zone: "eu-west-1a"},
		discovery.Endpoint{Addr: "10.0.0.2:8080", Zone: "eu-west-1b"},
	)
	if err != nil {
		panic(err)
	}
	cancel := users.Subscribe(func(eps []discovery.Endpoint) {
		fmt.Println("endpoints:", eps)
	})
	defer cancel()

	_ = users.Update([]discovery.Endpoint{{Addr: "10.0.0.3:8080"}})
	// A bad set is refused; the last good one stays.
	err = users.Update(nil)
	fmt.Println(err, users.Current())
	// Output:
	// endpoints: [10.0.0.1:8080 10.0.0.2:8080]
	// endpoints: [10.0.0.3:8080]
	// discovery: no endpoints [10.0.0.3:8080]
}
