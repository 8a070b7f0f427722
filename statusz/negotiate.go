package statusz

import (
	"mime"
	"strconv"
	"strings"
)

// prefersJSON reports whether an Accept header (RFC 9110 §12.5.1) ranks
// application/json above text/html: by quality, then by the order listed.
// Wildcards do not count for JSON, so a browser's "*/*" still gets HTML.
func prefersJSON(accept []string) bool {
	jsonQ, htmlQ := -1.0, -1.0
	jsonAt, htmlAt := 0, 0
	i := 0
	for _, line := range accept {
		for _, item := range strings.Split(line, ",") {
			i++
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(item))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			switch mt {
			case "application/json":
				if q > jsonQ {
					jsonQ, jsonAt = q, i
				}
			case "text/html":
				if q > htmlQ {
					htmlQ, htmlAt = q, i
				}
			}
		}
	}
	switch {
	case jsonQ <= 0:
		return false
	case jsonQ != htmlQ:
		return jsonQ > htmlQ
	}
	return jsonAt < htmlAt
}
