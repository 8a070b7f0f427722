package scenario

import (
	"fmt"
	"net"
	"time"
)

// scheduleRefusals arms, for each phase with Refuse (on the faulty
// replica), a timer that closes the listener at the phase's start and one
// that listens again at its end.
func (b *backend) scheduleRefusals(traffic time.Time) {
	if !b.faulty {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, p := range b.sc.Phases {
		if !p.Refuse {
			continue
		}
		from := b.sc.PhaseStart(i)
		b.refusals = append(b.refusals,
			time.AfterFunc(time.Until(traffic.Add(from)), b.refuse),
			time.AfterFunc(time.Until(traffic.Add(from+p.Duration)), b.listenAgain))
	}
}

// refuse closes the listener, so that new connections are refused, and
// drops the open ones (a process that died takes its connections with it).
func (b *backend) refuse() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	_ = b.server.Listener.Close()
	b.server.CloseClientConnections()
}

// listenAgain listens on the address again and serves on it. The port is
// free: the listening socket was closed, and Go listens with
// SO_REUSEADDR, so the closed connections' TIME_WAIT does not hold it. A
// failure is kept for the run to report (see refusalErr).
func (b *backend) listenAgain() {
	b.mu.Lock()
	addr := b.server.Listener.Addr().String()
	b.mu.Unlock()
	var (
		l   net.Listener
		err error
	)
	for range 50 { // the kernel may take a moment to release the port
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // not under mu: requests keep being served
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err != nil:
		b.refuseErr = fmt.Errorf("scenario: cannot listen again on %s: %w", addr, err)
	case b.closed:
		_ = l.Close()
	default:
		b.server.Listener = l
		b.serving.Go(func() {
			_ = b.server.Config.Serve(l) // returns when server.Close closes l
		})
	}
}

// refusalErr returns why the server could not listen again after a
// refusal, if it could not.
func (b *backend) refusalErr() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refuseErr
}

// stopRefusals stops the timers; a refusal that has not ended by then
// leaves the listener closed, which server.Close tolerates.
func (b *backend) stopRefusals() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, t := range b.refusals {
		t.Stop()
	}
}
