package twirpx_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twitchtv/twirp/example"
	"google.golang.org/protobuf/proto"

	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// hatStub answers every request with the same protobuf Hat, without I/O:
// the floor that the overhead of the stack is measured against.
func hatStub(b testing.TB) transport.RoundTripperFunc {
	body, err := proto.Marshal(&example.Hat{Size: 7, Color: "blue", Name: "fedora"})
	if err != nil {
		b.Fatal(err)
	}
	return func(req *http.Request) (*http.Response, error) {
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
	}
}

func benchMakeHat(b *testing.B, hc example.Haberdasher) {
	ctx := context.Background()
	size := &example.Size{Inches: 7}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := hc.MakeHat(ctx, size); err != nil {
			b.Fatal(err)
		}
	}
}

// The generated Protobuf client's MakeHat over the stub: plainly, over
// transport.New's stack alone, and over twirpx with its defaults, without the timeout header, and with MakeHat
// idempotent and under a timeout of its own.
func BenchmarkMakeHatStub(b *testing.B) {
	stub := hatStub(b)
	b.Run("plain", func(b *testing.B) {
		benchMakeHat(b, example.NewHaberdasherProtobufClient("http://hats.example", &http.Client{Transport: stub}))
	})
	b.Run("transport.New", func(b *testing.B) { // the same stack without twirpx
		rt, err := transport.New(transport.Config{Base: stub})
		if err != nil {
			b.Fatal(err)
		}
		benchMakeHat(b, example.NewHaberdasherProtobufClient("http://hats.example", &http.Client{Transport: rt}))
	})
	for _, tc := range []struct {
		name string
		cfg  twirpx.Config
	}{
		{"twirpx", twirpx.Config{}},
		{"twirpx-noheader", twirpx.Config{DisableTimeoutHeader: true}},
		{"twirpx-idempotent-timeout", twirpx.Config{Methods: map[string]twirpx.MethodPolicy{"Haberdasher/MakeHat": {Idempotent: true, Timeout: 5e9}}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tc.cfg.Transport.Base = stub
			c, err := twirpx.New(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			benchMakeHat(b, example.NewHaberdasherProtobufClient("http://hats.example", c.HTTPClient(), c.ClientOptions()...))
		})
	}
}

// The same over a real loopback connection to the generated server: the
// plain client over a net/http Transport with as many idle connections as
// the pool keeps, and twirpx with its defaults.
func BenchmarkMakeHatLoopback(b *testing.B) {
	server := httptest.NewServer(example.NewHaberdasherServer(haberdasher{}))
	defer server.Close()
	b.Run("plain", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		defer tr.CloseIdleConnections()
		benchMakeHat(b, example.NewHaberdasherProtobufClient(server.URL, &http.Client{Transport: tr}))
	})
	b.Run("twirpx", func(b *testing.B) {
		c, err := twirpx.New(twirpx.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseIdleConnections()
		benchMakeHat(b, example.NewHaberdasherProtobufClient(server.URL, c.HTTPClient(), c.ClientOptions()...))
	})
}
