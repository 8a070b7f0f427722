// Package deps holds no code. Its tests check what the module makes its
// users compile and require: package transport builds from the standard
// library, golang.org/x/time and golang.org/x/sync alone, and the root
// go.mod requires no integration with a heavy graph of its own (DNS,
// Prometheus, OpenTelemetry), which live in nested modules (see
// docs/dependencies.md) that .ci/run names, each one, since the root's
// go test ./... does not enter them.
package deps
