package main

import (
	"bytes"
	"io"
)

// countLines counts the lines of r as wc -l would, plus a last line that
// has no newline: every line of a file, blank lines and comments included,
// so that the figure is the one a reader sees scrolling the file.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 32*1024)
	n, last := 0, byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if err == io.EOF {
			if last != '\n' {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
