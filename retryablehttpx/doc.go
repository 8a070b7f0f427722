// Package retryablehttpx plugs the resilient toolkit's backoff, outcome
// classification and retry budget into an existing
// github.com/hashicorp/go-retryablehttp client, so that a team can adopt
// the toolkit one piece at a time:
//
//	err := retryablehttpx.Configure(client, retryablehttpx.Config{
//		Backoff: strategy, // jittered, never shorter than a Retry-After
//		Budget:  budget,   // retries at most a fraction of recent successes
//	})
//
// installs a Backoff, a CheckRetry (transport.DefaultClassifier, or the
// Classifier given) and a PrepareRetry that withdraws one budget token per
// retry the client actually makes. Backoff and CheckRetry are also there
// one by one.
//
// It is a package of its own so that package transport does not import
// go-retryablehttp: a transport user compiles it only when importing this
// package. transport.Permanent classifies the same transport errors as
// go-retryablehttp's retry policy (this package's tests check that they
// agree on real errors from net/http).
//
// A transport.New stack also works as the Transport of a
// retryablehttp.Client's HTTPClient; but retrying in both layers
// multiplies the attempts (3 × 3 = 9 against a failing host, past the
// retry budget's reach), so let one layer retry: set the client's RetryMax
// to 0, or switch transport's retry off.
package retryablehttpx
