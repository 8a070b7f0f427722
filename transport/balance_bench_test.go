package transport_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// balancing returns Balance over ten endpoints above rt.
func balancing(b *testing.B, withCall bool, rt transport.RoundTripperFunc) http.RoundTripper {
	b.Helper()
	eps := make([]discovery.Endpoint, 10)
	for i := range eps {
		eps[i].Addr = "10.0.0." + string(rune('0'+i)) + ":80"
	}
	res, err := discovery.NewStatic(eps...)
	if err != nil {
		b.Fatal(err)
	}
	mw, err := transport.Balance(transport.BalanceConfig{Resolver: res})
	if err != nil {
		b.Fatal(err)
	}
	mws := []transport.Middleware{mw}
	if withCall {
		mws = []transport.Middleware{transport.BalanceCall(), mw}
	}
	return transport.Chain(rt, mws...)
}

// BenchmarkBalanceSuccess is Balance alone over the stub: a pick, the
// attempt's URL rewrite (one allocation), two clock reads and the outcome.
// Compare with BenchmarkBaseStub.
func BenchmarkBalanceSuccess(b *testing.B) {
	benchRoundTrip(b, balancing(b, false, okStub))
}

// BenchmarkBalanceCallSuccess adds BalanceCall, the call's memory of
// the endpoints tried: alone, with no call context to keep it in, a
// context of its own and a request copy per call.
func BenchmarkBalanceCallSuccess(b *testing.B) {
	benchRoundTrip(b, balancing(b, true, okStub))
}

func BenchmarkBalanceSuccessParallel(b *testing.B) {
	benchRoundTripParallel(b, balancing(b, false, okStub))
}

// BenchmarkStackBalanced is the default stack (New) with BalanceCall on
// top and Balance at its base: compare with BenchmarkStackDefault.
func BenchmarkStackBalanced(b *testing.B) {
	eps := make([]discovery.Endpoint, 10)
	for i := range eps {
		eps[i].Addr = "10.0.0." + string(rune('0'+i)) + ":80"
	}
	bal, err := balancer.New(balancer.Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := bal.Update(eps); err != nil {
		b.Fatal(err)
	}
	mw, err := transport.Balance(transport.BalanceConfig{Balancer: bal})
	if err != nil {
		b.Fatal(err)
	}
	st, err := transport.New(transport.Config{Base: transport.Chain(okStub, mw)})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(st, transport.BalanceCall()))
}

// The assembled stack with Config.Balance, without and with hooks: the
// call keeps the replicas it tried in the call's context that the total
// timeout makes anyway (with hooks, in the per-call state they need), so
// balancing adds one allocation to the default stack's, the attempt's
// rewritten request.
func BenchmarkStackConfigBalance(b *testing.B) {
	eps := make([]discovery.Endpoint, 10)
	for i := range eps {
		eps[i].Addr = "10.0.0." + string(rune('0'+i)) + ":80"
	}
	for _, hooked := range []bool{false, true} {
		name := "hooks=off"
		var hooks transport.Hooks
		if hooked {
			name = "hooks=on"
			hooks.OnCallEnd = func(transport.CallEnd) {}
		}
		b.Run(name, func(b *testing.B) {
			bal, err := balancer.New(balancer.Config{})
			if err != nil {
				b.Fatal(err)
			}
			if err := bal.Update(eps); err != nil {
				b.Fatal(err)
			}
			st, err := transport.New(transport.Config{
				Base:    okStub,
				Balance: &transport.BalanceConfig{Balancer: bal},
				Hooks:   hooks,
			})
			if err != nil {
				b.Fatal(err)
			}
			benchRoundTrip(b, st)
		})
	}
}
