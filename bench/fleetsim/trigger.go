package fleetsim

// Trigger is what strikes the backend, for Config.TriggerFor, once the
// fleet has warmed up.
type Trigger int

const (
	// CapacityHalves takes half the backend's workers away: requests in
	// service finish, but no new one starts while half the workers or more
	// are busy. The queue then waits twice as long.
	CapacityHalves Trigger = iota
	// LatencyTenfold makes every request that starts service during the
	// trigger take ten times its service time, as a slow dependency does:
	// its worker stays busy all along, so the capacity falls tenfold too.
	LatencyTenfold
	// Outage answers every request 503 at once, without Retry-After, as a
	// load balancer with no healthy instance behind it does; the work
	// already inside the backend finishes.
	Outage
)

// Triggers lists every trigger, in the report's order.
func Triggers() []Trigger { return []Trigger{CapacityHalves, LatencyTenfold, Outage} }

// Name is a short identifier: file names, test names.
func (t Trigger) Name() string {
	switch t {
	case CapacityHalves:
		return "capacity"
	case LatencyTenfold:
		return "latency"
	case Outage:
		return "outage"
	}
	return "unknown"
}

// String describes the trigger in a few words.
func (t Trigger) String() string {
	switch t {
	case CapacityHalves:
		return "capacity halves"
	case LatencyTenfold:
		return "latency ×10"
	case Outage:
		return "total outage (503 at once)"
	}
	return "unknown trigger"
}
