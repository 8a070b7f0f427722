package transport_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// A certificate error is permanent however deeply it is wrapped: behind
// a proxy, net/http wraps the handshake's error in a *net.OpError, and a
// RoundTripper of the caller's may add its own context. (go-retryablehttp
// looks only at the *url.Error's direct cause, and misses these.)
func TestPermanentFindsWrappedCertificateErrors(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	_, real := tr.RoundTrip(req)
	var verr *tls.CertificateVerificationError
	if !errors.As(real, &verr) {
		t.Fatalf("RoundTrip to an untrusted server: %v, want a *tls.CertificateVerificationError", real)
	}
	for _, err := range []error{
		real,
		&net.OpError{Op: "proxyconnect", Net: "tcp", Err: real},
		&url.Error{Op: "Get", URL: srv.URL, Err: &net.OpError{Op: "proxyconnect", Net: "tcp", Err: real}},
		fmt.Errorf("my transport: %w", real),
		fmt.Errorf("dial: %w", x509.UnknownAuthorityError{}),
		fmt.Errorf("dial: %w", x509.CertificateInvalidError{Reason: x509.Expired}),
		fmt.Errorf("dial: %w", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x.test"}),
	} {
		if !transport.Permanent(err) {
			t.Errorf("Permanent(%q) = false, want true", err)
		}
		if v := transport.DefaultClassifier().Classify(req, nil, err); v.Retryable || v.Reason != transport.ReasonPermanent {
			t.Errorf("Classify(%q) = %+v, want permanent", err, v)
		}
	}
	if transport.Permanent(nil) {
		t.Error("Permanent(nil) = true")
	}
}
