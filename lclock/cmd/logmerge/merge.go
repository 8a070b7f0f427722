package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

// maxLine bounds a log line: a longer one is an error, not an allocation
// without limit.
const maxLine = 16 << 20

// keys names the attributes logmerge reads.
type keys struct {
	stamp, service, time, msg string
}

// source is one log file.
type source struct {
	name string
	r    io.Reader
}

// entry is one stamped log line.
type entry struct {
	stamp   lclock.Stamp
	src     int // index of the source, to break ties
	line    int // 1-based line number in the source
	service string
	wall    time.Time // zero when the line has no readable time
	msg     string
	raw     []byte
}

// merged is the result of merge.
type merged struct {
	entries   []entry // in causal order
	hlc       bool    // the stamps are HLC stamps (else Lamport)
	unstamped int     // lines without a stamp, left out
}

// merge reads every source and orders the stamped lines by stamp; ties
// keep the order of the sources, then of the lines.
func merge(srcs []source, k keys) (merged, error) {
	var m merged
	kindKnown := false
	for i, src := range srcs {
		sc := bufio.NewScanner(src.r)
		sc.Buffer(make([]byte, 0, 64<<10), maxLine)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(line, &obj); err != nil {
				return m, fmt.Errorf("%s:%d: not a JSON object: %v", src.name, n, err)
			}
			text, ok := stringOrNumber(obj[k.stamp])
			if !ok {
				m.unstamped++
				continue
			}
			if !kindKnown {
				m.hlc, kindKnown = strings.Contains(text, "."), true
			}
			parse, kind := lclock.ParseLamport, "a Lamport"
			if m.hlc {
				parse, kind = lclock.ParseHLC, "an HLC"
			}
			s, err := parse(text)
			if err != nil {
				return m, fmt.Errorf("%s:%d: %q is not %s stamp (the first stamp read was one; a merge needs one kind)", src.name, n, text, kind)
			}
			e := entry{stamp: s, src: i, line: n, raw: slices.Clone(line)}
			e.service, _ = stringOrNumber(obj[k.service])
			e.msg, _ = stringOrNumber(obj[k.msg])
			if t, ok := stringOrNumber(obj[k.time]); ok {
				e.wall, _ = time.Parse(time.RFC3339Nano, t)
			}
			m.entries = append(m.entries, e)
		}
		if err := sc.Err(); err != nil {
			return m, fmt.Errorf("%s: %v", src.name, err)
		}
	}
	slices.SortStableFunc(m.entries, func(a, b entry) int {
		switch {
		case a.stamp != b.stamp:
			if a.stamp < b.stamp {
				return -1
			}
			return 1
		case a.src != b.src:
			return a.src - b.src
		}
		return a.line - b.line
	})
	return m, nil
}

// stringOrNumber returns a JSON string's value, or a number's text.
func stringOrNumber(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), true
	}
	return "", false
}

// wallOutOfOrder reports, for each entry in merged order, whether its wall
// time is earlier than that of an entry before it: the lines that sorting
// by wall time would have put too early.
func wallOutOfOrder(es []entry) []bool {
	out := make([]bool, len(es))
	var latest time.Time
	for i, e := range es {
		if e.wall.IsZero() {
			continue
		}
		if e.wall.Before(latest) {
			out[i] = true
		} else {
			latest = e.wall
		}
	}
	return out
}
