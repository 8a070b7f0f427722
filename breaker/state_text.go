package breaker

import "fmt"

// MarshalText returns the state's name (see [State.String]), so that a
// State reads as "open" in JSON and logs, not as a number.
func (s State) MarshalText() ([]byte, error) {
	if s > Disabled {
		return nil, fmt.Errorf("breaker: unknown state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a state's name, as [State.MarshalText] writes it.
func (s *State) UnmarshalText(text []byte) error {
	for c := Closed; c <= Disabled; c++ {
		if c.String() == string(text) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("breaker: unknown state %q", text)
}
