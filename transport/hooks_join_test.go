package transport_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

func TestJoinHooksCallsEachInOrder(t *testing.T) {
	var got []string
	a := transport.Hooks{
		OnCallStart: func(transport.CallStart) { got = append(got, "a.start") },
		OnCallEnd:   func(transport.CallEnd) { got = append(got, "a.end") },
	}
	b := transport.Hooks{
		OnCallStart: func(transport.CallStart) { got = append(got, "b.start") },
	}
	joined := transport.JoinHooks(a, transport.Hooks{}, b)
	if joined.OnRetry != nil || joined.OnPushback != nil {
		t.Fatal("fields no argument sets must stay nil")
	}
	tr, err := transport.New(transport.Config{
		Base:  okStub,
		Hooks: joined,
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://example.test/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{"a.start", "b.start", "a.end"}
	if len(got) != len(want) {
		t.Fatalf("hooks called %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("hooks called %v, want %v", got, want)
		}
	}
}
