package pypi

import (
	"context"
	"errors"
	"sync"
)

// flights runs one fetch per key at a time however many goroutines ask.
// The shared fetch runs on its own goroutine, registered with the Client's
// lifecycle, under its own context: detached from any single caller's,
// cancelled once every caller waiting for it has gone, and by Close. One
// caller's Ctrl-C does not fail the others, nobody's abandoned work keeps
// running, and Close can wait for all of it.
type flights struct {
	life *lifecycle
	mu   sync.Mutex
	live map[string]*flight
}

// flight is one shared fetch. val and err are written before done is
// closed and read only after.
type flight struct {
	cancel  context.CancelFunc
	done    chan struct{}
	val     any
	err     error
	waiters int // guarded by flights.mu
}

// do returns fn's result for key, sharing a running call, or ctx's error
// (its cause) when ctx ends first. It fails with ErrClosed once the Client
// is closed.
func (f *flights) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	fl, err := f.join(key, fn)
	if err != nil {
		return nil, err
	}
	defer f.leave(key, fl)
	select {
	case <-fl.done:
		return fl.val, fl.err
	case <-ctx.Done():
		return nil, context.Cause(ctx) // ErrClosed when Close cancelled an enclosing flight
	}
}

// join registers a waiter on the live flight for key, starting one that
// runs fn if there is none.
func (f *flights) join(key string, fn func(context.Context) (any, error)) (*flight, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl := f.live[key]; fl != nil {
		fl.waiters++
		return fl, nil
	}
	ctx, cancel := context.WithCancel(f.life.ctx)
	fl := &flight{cancel: cancel, done: make(chan struct{}), waiters: 1}
	err := f.life.goTracked(func() {
		defer close(fl.done)
		fl.val, fl.err = fn(ctx)
	})
	if err != nil {
		cancel()
		return nil, err
	}
	if f.live == nil {
		f.live = map[string]*flight{}
	}
	f.live[key] = fl
	return fl, nil
}

// leave unregisters a waiter; the last one out cancels the flight (a no-op
// when it has finished) and retires it, so later callers start afresh.
func (f *flights) leave(key string, fl *flight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl.waiters--
	if fl.waiters == 0 {
		fl.cancel()
		if f.live[key] == fl {
			delete(f.live, key)
		}
	}
}

// memoResult is a remembered outcome of a memoised call.
type memoResult struct {
	val any
	err error
}

// once returns the memoised result of fn for key, computing it at most once
// at a time. Successful results and permanent errors (not found) are
// remembered for the Client's lifetime; transient failures are not.
// Within a cache-only attempt (see onceCached) it computes nothing: fn may
// need the network.
func (c *Client) once(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	if r, ok := c.memo.Load(key); ok {
		m := r.(memoResult)
		return m.val, m.err
	}
	if cacheOnly(ctx) {
		return nil, errNotCached
	}
	return c.flights.do(ctx, key, func(fctx context.Context) (any, error) {
		if r, ok := c.memo.Load(key); ok {
			m := r.(memoResult)
			return m.val, m.err
		}
		return c.compute(fctx, key, fn)
	})
}

// onceCached is once for an fn that can tell when the cache alone answers
// (documents, not artifacts): it tries that first, in the caller's
// goroutine, with a cache-only context under which fn fetches nothing and
// starts no goroutine, and only when the cache falls short shares a fetch
// with other callers. A warm run so spares setting up hundreds of shared
// fetches, and their goroutines' stack growth.
// Callers asking for the same key at the same time (a resolution per
// system) share one cache-only try rather than each reading and decoding
// the entry.
func (c *Client) onceCached(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	if r, ok := c.memo.Load(key); ok {
		m := r.(memoResult)
		return m.val, m.err
	}
	if cacheOnly(ctx) {
		return c.compute(ctx, key, fn)
	}
	a, _ := c.tries.LoadOrStore(key, &cacheTry{})
	try := a.(*cacheTry)
	try.once.Do(func() { try.val, try.err = c.compute(withCacheOnly(c.life.ctx), key, fn) })
	c.tries.CompareAndDelete(key, try) // done: later callers find the memo, or try again
	if !errors.Is(try.err, errNotCached) {
		return try.val, try.err
	}
	return c.once(ctx, key, fn)
}

// cacheTry is one cache-only attempt at a key, shared by concurrent callers.
type cacheTry struct {
	once sync.Once
	val  any
	err  error
}

// compute runs fn and memoises a successful result or a permanent error.
func (c *Client) compute(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	v, err := fn(ctx)
	if err == nil || isPermanent(err) {
		c.memo.Store(key, memoResult{v, err})
	}
	return v, err
}

// errNotCached ends a cache-only attempt: the answer needs the network.
var errNotCached = errors.New("not answered by the cache alone")

// cacheOnlyKey is the context key of a cache-only attempt.
type cacheOnlyKey struct{}

func withCacheOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheOnlyKey{}, true)
}

// cacheOnly reports whether ctx is that of a cache-only attempt: documents
// come from usable cache entries or not at all (errNotCached), and the
// work runs in the caller's goroutine.
func cacheOnly(ctx context.Context) bool {
	v, _ := ctx.Value(cacheOnlyKey{}).(bool)
	return v
}

// isPermanent reports errors worth remembering for the rest of the run.
func isPermanent(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}
