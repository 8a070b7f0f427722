package fleetsim

// ResilientUnseededBreakers is Resilient with its breakers drawing from
// math/rand/v2, as transport.New's own do.
func ResilientUnseededBreakers() Kind { return resilient(false) }
