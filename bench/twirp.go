package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/twitchtv/twirp/example"
	"google.golang.org/protobuf/proto"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// TwirpComparison: a generated Twirp client's call (example.Haberdasher's
// MakeHat, protobuf) over a stub that answers a Hat without I/O (issue
// 21). Ours: twirpx with its defaults, and without the timeout header,
// beside transport.New alone under the same generated client. The
// standard library's rows: the plain generated client (the floor), and
// the same over an http.Client with a Timeout, the deadline it offers.
func TwirpComparison() Comparison {
	stub := hatStub()
	stack, err := transport.New(transport.Config{Base: stub})
	if err != nil {
		panic(err)
	}
	const url = "http://hats.example"
	withTwirpx := func(cfg twirpx.Config) example.Haberdasher {
		cfg.Transport.Base = stub
		c, err := twirpx.New(cfg)
		if err != nil {
			panic(err)
		}
		return example.NewHaberdasherProtobufClient(url, c.HTTPClient(), c.ClientOptions()...)
	}
	floor := twirpCase("generated client, plain http.Client (floor)", example.NewHaberdasherProtobufClient(url, &http.Client{Transport: stub}))
	floor.Floor = true
	return Comparison{Name: "Twirp call (generated client)", Cases: []Case{
		floor,
		ours(twirpCase("twirpx, defaults (timeout header on)", withTwirpx(twirpx.Config{}))),
		ours(twirpCase("twirpx, no timeout header", withTwirpx(twirpx.Config{DisableTimeoutHeader: true}))),
		ours(twirpCase("transport.New alone, defaults", example.NewHaberdasherProtobufClient(url, &http.Client{Transport: stack}))),
		reference(twirpCase("http.Client with Timeout (stdlib)", example.NewHaberdasherProtobufClient(url, &http.Client{Transport: stub, Timeout: 10 * time.Second}))),
	}}
}

// hatStub answers every Twirp request with the same protobuf Hat.
func hatStub() http.RoundTripper {
	body, err := proto.Marshal(&example.Hat{Size: 7, Color: "blue", Name: "fedora"})
	if err != nil {
		panic(err)
	}
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if req.Body != nil {
			_, _ = io.Copy(io.Discard, req.Body)
			_ = req.Body.Close()
		}
		return &http.Response{
			StatusCode:    http.StatusOK,
			Header:        http.Header{"Content-Type": {"application/protobuf"}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Request:       req,
		}, nil
	})
}

// twirpCase builds a Case that calls MakeHat through hc.
func twirpCase(name string, hc example.Haberdasher) Case {
	call := func() error {
		hat, err := hc.MakeHat(context.Background(), &example.Size{Inches: 7})
		if err == nil && hat.GetName() != "fedora" {
			err = errors.New("wrong hat " + hat.String())
		}
		return err
	}
	return Case{
		Name:  name,
		Check: call,
		Run: func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		},
		Parallel: func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		},
	}
}
