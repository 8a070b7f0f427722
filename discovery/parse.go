package discovery

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Parse reads an endpoint list in the File format: one endpoint per line,
// its address first, then optional key=value fields separated by blanks:
//
//	# users service, eu-west
//	10.0.0.1:8080 weight=3 zone=eu-west-1a
//	10.0.0.2:8080 zone=eu-west-1b version=v2
//
// weight sets Endpoint.Weight, an integer in [0, MaxWeight] (0 means 1),
// zone sets Endpoint.Zone, and any other key
// goes to Endpoint.Meta. Blank lines and lines starting with # are
// skipped. The set is validated (see Validate).
func Parse(r io.Reader) ([]Endpoint, error) {
	var eps []Endpoint
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		e := Endpoint{Addr: fields[0]}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("%w: line %d: field %q is not key=value", ErrInvalidEndpoints, line, f)
			}
			switch k {
			case "weight":
				w, err := strconv.Atoi(v)
				if err != nil || w < 0 || w > MaxWeight {
					return nil, fmt.Errorf("%w: line %d: weight %q is not an integer in [0, %d]", ErrInvalidEndpoints, line, v, MaxWeight)
				}
				e.Weight = w
			case "zone":
				e.Zone = v
			default:
				if e.Meta == nil {
					e.Meta = make(map[string]string)
				}
				e.Meta[k] = v
			}
		}
		eps = append(eps, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := Validate(eps); err != nil {
		return nil, err
	}
	return eps, nil
}
