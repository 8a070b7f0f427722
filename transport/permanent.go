package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
)

// Permanent reports whether a transport error cannot be fixed by trying
// again: a TLS certificate that does not verify (unknown authority,
// expired or not yet valid, wrong host name), an unsupported protocol
// scheme, an invalid header, too many redirects. These are the errors
// go-retryablehttp's retry policy does not retry, so that both libraries
// agree on them (package retryablehttpx's tests check it on real errors
// from net/http).
//
// Certificate errors are found with errors.As, at any depth: crypto/tls
// wraps every failed verification in a *tls.CertificateVerificationError,
// whatever the platform's message. The others net/http reports only as
// text, so they are found by their message.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if certError(err) {
		return true
	}
	// Read the message of the *url.Error, when there is one, as
	// go-retryablehttp does: http.Client's redirect error ends it.
	msg := err.Error()
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg = uerr.Error()
	}
	return stoppedAfterRedirects(msg) ||
		// net/http's badStringError: `unsupported protocol scheme "gopher"`.
		strings.Contains(msg, "unsupported protocol scheme") ||
		// `net/http: invalid header field name "a b"` and the like.
		strings.Contains(msg, "invalid header")
}

// certError reports whether err holds a TLS certificate verification
// failure.
func certError(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		ci   x509.CertificateInvalidError
		hn   x509.HostnameError
	)
	return errors.As(err, &verr) || errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &hn)
}

// stoppedAfterRedirects reports whether msg ends as http.Client's error
// for too many redirects does: "stopped after N redirects" (N digits; the
// default CheckRedirect stops after 10).
func stoppedAfterRedirects(msg string) bool {
	rest, ok := strings.CutSuffix(msg, " redirects")
	if !ok {
		return false
	}
	digits := len(rest) - len(strings.TrimRight(rest, "0123456789"))
	if digits == 0 {
		return false
	}
	return strings.HasSuffix(rest[:len(rest)-digits], "stopped after ")
}
