package discovery

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"time"
)

// FileConfig configures a File resolver. Each field says what its zero
// value means.
type FileConfig struct {
	// Path is the file to read (see Parse for its format). Required.
	Path string
	// Interval is how often the file's modification time and size are
	// checked; the file is read again only when either changed. Zero
	// means 5s; negative is an error.
	Interval time.Duration
	// Hooks observe updates and failed reads.
	Hooks Hooks
}

// File is a Resolver over a file that operators edit (or a config system
// writes): it is polled every Interval and re-read when its modification
// time or size changes. A file that cannot be read or parsed, or is
// empty, keeps the last good set and is reported through Hooks.OnError,
// once per version of the file.
// Replace the file atomically (write a temporary file, rename it) so that
// a poll never sees half of it.
//
// File owns one goroutine; Close stops it. Its polls follow package
// time's clock: a test drives them with testing/synctest (create the File
// in the bubble and sleep through Interval).
type File struct {
	Broadcast
	cfg  FileConfig
	stop chan struct{}
	done chan struct{}
	once sync.Once

	// guarded by the loop goroutine alone
	mtime    time.Time
	size     int64
	failures int
	// the version of the file that last failed to parse, not re-read
	// (nor reported again) until it changes
	badMtime time.Time
	badSize  int64
	started  bool // the first read is done: later ones are updates
}

// NewFile reads cfg.Path once, returning an error if it cannot be read or
// holds no valid set, and starts polling it.
func NewFile(cfg FileConfig) (*File, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("%w: FileConfig.Path is empty", ErrInvalidConfig)
	}
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("%w: FileConfig.Interval is %v, must be >= 0", ErrInvalidConfig, cfg.Interval)
	}
	if cfg.Interval == 0 {
		cfg.Interval = 5 * time.Second
	}
	f := &File{cfg: cfg, stop: make(chan struct{}), done: make(chan struct{})}
	if err := f.read(); err != nil {
		return nil, err
	}
	f.started = true
	go f.loop()
	return f, nil
}

// Close stops polling and waits for the poller to end. Subscribers get no
// more sets. It is safe to call more than once.
func (f *File) Close() error {
	f.once.Do(func() { close(f.stop) })
	<-f.done
	f.reset()
	return nil
}

func (f *File) loop() {
	defer close(f.done)
	for {
		select {
		case <-f.stop:
			return
		case <-time.After(f.cfg.Interval):
		}
		if err := f.poll(); err != nil {
			f.failures++
			if h := f.cfg.Hooks.OnError; h != nil {
				h(&ResolveError{Name: f.cfg.Path, Err: err, Failures: f.failures, Kept: len(f.Current()), Retry: f.cfg.Interval})
			}
			continue
		}
		f.failures = 0
	}
}

// poll re-reads the file when it changed since the last good read.
func (f *File) poll() error {
	fi, err := os.Stat(f.cfg.Path)
	if err != nil {
		return err
	}
	if fi.ModTime().Equal(f.mtime) && fi.Size() == f.size ||
		fi.ModTime().Equal(f.badMtime) && fi.Size() == f.badSize {
		return nil
	}
	if err := f.read(); err != nil {
		f.badMtime, f.badSize = fi.ModTime(), fi.Size()
		return err
	}
	return nil
}

func (f *File) read() error {
	fi, err := os.Stat(f.cfg.Path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(f.cfg.Path)
	if err != nil {
		return err
	}
	eps, err := Parse(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", f.cfg.Path, err)
	}
	f.mtime, f.size = fi.ModTime(), fi.Size()
	changed := !Equal(f.Current(), eps)
	if err := f.Publish(eps); err != nil {
		return err
	}
	if h := f.cfg.Hooks.OnUpdate; changed && f.started && h != nil {
		h(f.cfg.Path, eps)
	}
	return nil
}
