package faulttest

import (
	"bytes"
	"context"
	"io"
	"time"
)

// truncBody yields at most left bytes of rc, then io.ErrUnexpectedEOF.
type truncBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *truncBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *truncBody) Close() error { return b.rc.Close() }

// truncate makes body end with io.ErrUnexpectedEOF after half its bytes. It
// reports false, leaving body as it is, for a body that has no bytes to cut:
// contentLength 0, or an unknown length (-1) that turns out to be 0 once read.
// A body of unknown length is read in full, and closed, to learn its length.
func truncate(body io.ReadCloser, contentLength int64) (io.ReadCloser, bool) {
	if contentLength > 0 {
		return &truncBody{rc: body, left: contentLength / 2}, true
	}
	if contentLength == 0 {
		return body, false
	}
	data, err := io.ReadAll(body)
	body.Close()
	rc := io.NopCloser(bytes.NewReader(data))
	if len(data) == 0 && err == nil {
		return rc, false
	}
	return &truncBody{rc: rc, left: int64(len(data) / 2)}, true
}

// slowBody returns at most chunk bytes per Read, delay after it asked for
// them, honouring ctx.
type slowBody struct {
	rc    io.ReadCloser
	ctx   context.Context
	chunk int
	delay time.Duration
	timer *time.Timer // created by the first Read that waits
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > b.chunk {
		p = p[:b.chunk]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		if werr := waitTimer(b.ctx, &b.timer, b.delay); werr != nil {
			return 0, werr
		}
	}
	return n, err
}

func (b *slowBody) Close() error { return b.rc.Close() }

// waitTimer waits for d or until ctx ends, reusing *t.
func waitTimer(ctx context.Context, t **time.Timer, d time.Duration) error {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	select {
	case <-ctx.Done():
		(*t).Stop()
		return ctx.Err()
	case <-(*t).C:
		return nil
	}
}
