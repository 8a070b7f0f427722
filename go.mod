module github.com/resilient-go/resilient

go 1.26.0

require (
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/twitchtv/twirp v8.1.3+incompatible
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.22.0
	golang.org/x/time v0.16.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
