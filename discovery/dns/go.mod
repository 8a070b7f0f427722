module github.com/resilient-go/resilient/discovery/dns

go 1.26.0

replace github.com/resilient-go/resilient => ../../

require (
	github.com/miekg/dns v1.1.73
	github.com/resilient-go/resilient v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require (
	golang.org/x/net v0.59.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
