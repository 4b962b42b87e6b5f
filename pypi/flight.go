package pypi

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"
)

// flights runs one fetch per key at a time however many goroutines ask
// (singleflight). The shared fetch runs under its own context, detached
// from any single caller's, and is cancelled once every caller waiting for
// it has gone: one caller's Ctrl-C does not fail the others, and nobody's
// abandoned work keeps running.
type flights struct {
	group singleflight.Group
	mu    sync.Mutex
	live  map[string]*flight
	gen   uint64
}

type flight struct {
	key     string // singleflight key: the caller's key plus a generation
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int
}

// do returns fn's result for key, sharing a running call.
func (f *flights) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	fl := f.join(ctx, key)
	ch := f.group.DoChan(fl.key, func() (any, error) { return fn(fl.ctx) })
	select {
	case r := <-ch:
		f.leave(key, fl)
		return r.Val, r.Err
	case <-ctx.Done():
		f.leave(key, fl)
		return nil, ctx.Err()
	}
}

// join registers a waiter on the live flight for key, starting one if
// needed.
func (f *flights) join(ctx context.Context, key string) *flight {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.live == nil {
		f.live = map[string]*flight{}
	}
	fl := f.live[key]
	if fl == nil {
		f.gen++
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		fl = &flight{key: key + "\x00" + strconv.FormatUint(f.gen, 10), ctx: fctx, cancel: cancel}
		f.live[key] = fl
	}
	fl.waiters++
	return fl
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
func (c *Client) once(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	if r, ok := c.memo.Load(key); ok {
		m := r.(memoResult)
		return m.val, m.err
	}
	v, err := c.flights.do(ctx, key, func(fctx context.Context) (any, error) {
		if r, ok := c.memo.Load(key); ok {
			m := r.(memoResult)
			return m.val, m.err
		}
		v, err := fn(fctx)
		if err == nil || isPermanent(err) {
			c.memo.Store(key, memoResult{v, err})
		}
		return v, err
	})
	return v, err
}

// isPermanent reports errors worth remembering for the rest of the run.
func isPermanent(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}
