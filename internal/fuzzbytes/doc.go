// Package fuzzbytes decodes configuration values from a fuzzer's byte
// stream, for the fuzz tests of the packages that validate configs
// (transport, balancer, twirpx). Each value starts with a selector byte:
// small selectors pick from a table of the values that break
// configurations (zero, ±1, the bounds each field documents and one past
// them, MaxInt, NaN, ±Inf), the middle ones a small value, the largest
// take the next 8 bytes as a raw value. An exhausted stream reads as
// zeros, so a short input is the zero (default) config with a few fields
// set.
package fuzzbytes
