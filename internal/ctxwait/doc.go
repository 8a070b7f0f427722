// Package ctxwait holds the two waits that the stages which hold a call
// for its turn share (a breaker waiting for its probe, transport's
// pushback gate): a sleep that the call's context can end, and the random
// extra hold that spreads the calls let go together, a slow start.
package ctxwait
