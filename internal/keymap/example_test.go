package keymap_test

import (
	"fmt"

	"github.com/resilient-go/resilient/internal/keymap"
)

// A map of at most two hosts' call counts that evicts the host called
// least.
func Example() {
	type counter struct{ calls int }
	m := keymap.New(keymap.Config[string, *counter]{
		Max: 2,
		New: func(string) (*counter, error) { return &counter{}, nil },
		Evict: func(sample []keymap.Entry[string, *counter]) {
			least := 0
			for i := range sample {
				if sample[i].Value.calls < sample[least].Value.calls {
					least = i
				}
			}
			sample[least].Evict = true
		},
		OnEvict: func(host string, c *counter) { fmt.Printf("evicted %s after %d calls\n", host, c.calls) },
	})
	call := func(host string) {
		c, err := m.LoadOrNew(host)
		if err != nil {
			panic(err)
		}
		c.calls++
	}
	call("a.example")
	call("a.example")
	call("b.example")
	call("c.example") // the map is full: b, called least, goes
	_, ok := m.Load("b.example")
	fmt.Println(m.Len(), ok)
	// Output:
	// evicted b.example after 1 calls
	// 2 false
}
