package otelx

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// unsampled reports whether ctx carries a span that the sampler dropped:
// the parent-based samplers (the SDK's default) drop its children too, so
// they are not started at all, which spares their attributes.
func unsampled(ctx context.Context) bool {
	sc := trace.SpanContextFromContext(ctx)
	return sc.IsValid() && !sc.IsSampled()
}

// requestAttrs returns the semantic conventions' attributes of an HTTP
// client request.
func requestAttrs(req *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, KeyMethod.String(req.Method))
	if u := req.URL; u != nil {
		attrs = append(attrs, KeyServerAddress.String(u.Hostname()))
		if port := serverPort(u.Scheme, u.Port()); port != 0 {
			attrs = append(attrs, KeyServerPort.Int(port))
		}
		full := *u
		// The conventions ask for credentials, and the values of the
		// query keys that carry signatures, to be redacted.
		full.User = nil
		full.RawQuery = redactQuery(full.RawQuery)
		attrs = append(attrs, KeyURLFull.String(full.String()))
	}
	return attrs
}

// signatureKeys are the query keys whose values the semantic conventions
// ask url.full to redact: they sign the URL, and would let a reader of
// the trace replay the request.
var signatureKeys = []string{"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"}

// redactQuery replaces the values of signatureKeys in a raw query with
// "REDACTED", leaving the rest (and the order) as it was.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	found := false
	for _, k := range signatureKeys {
		if strings.Contains(raw, k+"=") {
			found = true
		}
	}
	if !found {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		key, _, ok := strings.Cut(p, "=")
		if ok && slices.Contains(signatureKeys, key) {
			parts[i] = key + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

// serverPort returns the port of a URL, explicit or the scheme's default.
func serverPort(scheme, port string) int {
	if p, err := strconv.Atoi(port); err == nil {
		return p
	}
	switch scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// endSpan records a result on a client (or call) span: the status code,
// and error.type with an Error status for an error or a 4xx/5xx.
func endSpan(span trace.Span, resp *http.Response, err error) {
	if !span.IsRecording() {
		return
	}
	switch {
	case err != nil:
		span.SetAttributes(KeyErrorType.String(errorType(err)))
		span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		span.SetAttributes(KeyStatusCode.Int(resp.StatusCode))
		if resp.StatusCode >= 400 {
			span.SetAttributes(KeyErrorType.String(strconv.Itoa(resp.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
}
