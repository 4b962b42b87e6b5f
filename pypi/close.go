package pypi

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is the error of a call made to a Client after Close, and (in
// the chain) of a fetch that Close interrupted.
var ErrClosed = errors.New("pypi: client closed")

// Close stops the Client: fetches in flight are cancelled (their callers
// get an error wrapping ErrClosed), later calls fail with ErrClosed, and
// Close returns only once every goroutine the Client started has ended and
// its idle connections are closed. From then on nothing of the Client
// touches the cache directory or the network, so a caller may remove a
// temporary CacheDir at once. Calls still running on their callers'
// goroutines return promptly. Close is safe to call more than once and
// concurrently with other methods; it always returns nil.
func (c *Client) Close() error {
	c.life.close()
	c.http.HTTPClient.CloseIdleConnections()
	return nil
}

// lifecycle tracks the work of a Client so that Close can stop it and wait
// for it: every goroutine the Client starts, and every call inside an
// exported method, is a unit of work registered with begin and ended with
// end.
type lifecycle struct {
	ctx    context.Context // cancelled, with cause ErrClosed, by close
	cancel context.CancelCauseFunc

	mu     sync.RWMutex // guards closed; held for reading while work registers
	closed bool
	work   sync.WaitGroup
}

// newLifecycle starts the lifecycle of a new Client.
func newLifecycle() *lifecycle {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &lifecycle{ctx: ctx, cancel: cancel}
}

// begin registers a unit of work, or reports ErrClosed once close has
// begun. Registering under the read lock, which close takes for writing
// before it waits, means no work is added to a WaitGroup being waited on.
func (l *lifecycle) begin() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	l.work.Add(1)
	return nil
}

// end unregisters a unit of work.
func (l *lifecycle) end() { l.work.Done() }

// goTracked runs fn on a new goroutine registered as work, or reports
// ErrClosed without running it.
func (l *lifecycle) goTracked(fn func()) error {
	if err := l.begin(); err != nil {
		return err
	}
	go func() {
		defer l.end()
		fn()
	}()
	return nil
}

// close refuses new work, cancels the running work and waits for it.
func (l *lifecycle) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancel(ErrClosed)
	l.work.Wait()
}

// enter registers a call of an exported method as work for its duration:
// defer the returned func. It fails with ErrClosed after Close.
func (c *Client) enter() (func(), error) {
	if err := c.life.begin(); err != nil {
		return nil, err
	}
	return c.life.end, nil
}
