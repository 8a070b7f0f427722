package retryablehttpx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/transport"
)

// retryablehttpPermanent is go-retryablehttp's own verdict on an error
// from http.Client: not retried means permanent.
func retryablehttpPermanent(err error) bool {
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		uerr = &url.Error{Op: "Get", URL: "", Err: err}
	}
	retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(context.Background(), nil, uerr)
	return !retry
}

// quiet drops a test server's log of the handshakes it refuses.
var quiet = log.New(io.Discard, "", 0)

// failure is one real error from net/http: what http.Client returned (a
// *url.Error, what go-retryablehttp sees) and, where the failure does not
// come from the client itself, what the Transport's RoundTrip returned
// (what transport's stages see).
type failure struct {
	name      string
	permanent bool
	client    error
	raw       error
}

// TestPermanentAgreesWithRetryableHTTP: transport.Permanent, written out
// without go-retryablehttp, classifies real net/http errors as
// go-retryablehttp's retry policy does.
func TestPermanentAgreesWithRetryableHTTP(t *testing.T) {
	failures := realFailures(t)
	for _, f := range failures {
		t.Logf("%s: client %q; RoundTrip %v", f.name, f.client, f.raw)
		if f.client == nil {
			t.Fatalf("%s: the client returned no error", f.name)
		}
		if got := retryablehttpPermanent(f.client); got != f.permanent {
			t.Errorf("%s: go-retryablehttp says permanent=%v for %q, the table says %v", f.name, got, f.client, f.permanent)
		}
		if got := transport.Permanent(f.client); got != f.permanent {
			t.Errorf("%s: Permanent(%q) = %v, want %v as go-retryablehttp", f.name, f.client, got, f.permanent)
		}
		if f.raw == nil {
			continue
		}
		if got := transport.Permanent(f.raw); got != f.permanent {
			t.Errorf("%s: Permanent(%q) from RoundTrip = %v, want %v", f.name, f.raw, got, f.permanent)
		}
	}
}

// realFailures provokes each failure against loopback servers.
func realFailures(t *testing.T) []failure {
	t.Helper()
	var out []failure
	// do sends req through a fresh Transport tr, both through an
	// http.Client and through RoundTrip.
	do := func(name string, permanent bool, tr *http.Transport, newReq func() *http.Request) {
		defer tr.CloseIdleConnections()
		f := failure{name: name, permanent: permanent}
		c := &http.Client{Transport: tr}
		resp, err := c.Do(newReq())
		if err == nil {
			resp.Body.Close()
		}
		f.client = err
		resp, err = tr.RoundTrip(newReq())
		if err == nil {
			resp.Body.Close()
		}
		f.raw = err
		out = append(out, f)
	}
	get := func(u string) func() *http.Request {
		return func() *http.Request {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
	}

	// TLS: a server whose certificate the client does not trust.
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = quiet
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	do("unknown authority", true, &http.Transport{}, get(tlsSrv.URL))

	// TLS: a trusted certificate for another name.
	wrongName := tlsSrv.Client().Transport.(*http.Transport).Clone()
	wrongName.TLSClientConfig.ServerName = "wrong.test"
	do("wrong host name", true, wrongName, get(tlsSrv.URL))

	// TLS: a trusted certificate that has expired.
	expired, pool := expiredTLSServer(t)
	defer expired.Close()
	do("expired certificate", true, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, get(expired.URL))

	// A scheme net/http cannot speak.
	do("unsupported scheme", true, &http.Transport{}, get("gopher://x.test/"))

	// A header name net/http refuses to send.
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	do("invalid header", true, &http.Transport{}, func() *http.Request {
		req := get(plain.URL)()
		req.Header["bad header"] = []string{"x"}
		return req
	})

	// A redirect loop: http.Client stops after 10 redirects. RoundTrip
	// itself returns the redirect, no error.
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop.URL+"/again", http.StatusFound)
	}))
	defer loop.Close()
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Get(loop.URL)
	if err == nil {
		resp.Body.Close()
	}
	tr.CloseIdleConnections()
	out = append(out, failure{name: "redirect loop", permanent: true, client: err})

	// Retryable: nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/"
	ln.Close()
	do("connection refused", false, &http.Transport{}, get(refused))

	// Retryable: the server hangs up without answering.
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangup.Close()
	do("server hangs up", false, &http.Transport{}, get(hangup.URL))

	// Retryable: HTTPS to a plain HTTP server.
	do("https to http", false, &http.Transport{}, get("https://"+plain.Listener.Addr().String()+"/"))

	// Retryable: no response header in time.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	do("response header timeout", false, &http.Transport{ResponseHeaderTimeout: 20 * time.Millisecond}, get(slow.URL))
	return out
}

// expiredTLSServer starts a TLS server whose self-signed certificate
// expired an hour ago, and returns a pool that trusts it.
func expiredTLSServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		NotBefore:             time.Now().Add(-2 * time.Hour),
		NotAfter:              time.Now().Add(-time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = quiet
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	return srv, pool
}

// The messages Permanent reads, at their edges: go-retryablehttp matches
// them with regular expressions, Permanent without.
func TestPermanentAgreesWithRetryableHTTPOnMessages(t *testing.T) {
	for _, msg := range []string{
		"stopped after 10 redirects",
		"stopped after 3 redirects",
		"stopped after 123456 redirects",
		"stopped after redirects",
		"stopped after  redirects",
		"followed 3 redirects",
		"stopped after x redirects",
		"stopped after 10 redirects, then more",
		"nstopped after 10 redirects",
		"stopped after 10 redirect",
		" redirects",
		`unsupported protocol scheme ""`,
		"net/http: invalid header field value for \"X\"",
		"invalid headers everywhere",
		"certificate signed by unknown authority", // typed when real: a string alone is not
		"connection reset by peer",
		"",
	} {
		err := errors.New(msg)
		want := retryablehttpPermanent(err)
		if got := transport.Permanent(err); got != want {
			t.Errorf("Permanent(%q) = %v, go-retryablehttp says %v", msg, got, want)
		}
		wrapped := &url.Error{Op: "Post", URL: "http://x.test/", Err: err}
		if got := transport.Permanent(wrapped); got != want {
			t.Errorf("Permanent(%q) = %v, go-retryablehttp says %v", wrapped, got, want)
		}
	}
}
