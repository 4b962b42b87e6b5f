package resolver

import (
	"context"
	"errors"
	"sync"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// call is one memoised provider request: started once, awaited by anyone.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func (c *call[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// projectDoc is a fetched project and its analysis for the target, computed
// once (by whoever needs it first).
type projectDoc struct {
	proj *pypi.Project
	once sync.Once
	info *projectInfo
}

// releaseMeta is a release's metadata with its Requires-Dist parsed once.
type releaseMeta struct {
	meta    *pypi.Metadata
	reqs    []pep508.Requirement
	invalid []string // Requires-Dist entries that do not parse, with the error
}

type metaKey struct{ name, key string }

// fetcher memoises and deduplicates provider calls, runs each in its own
// goroutine as soon as it is first asked for, and speculatively walks the
// most-preferred candidates so that documents are in flight before the
// solver needs them. Only the solver's own waits influence the result, so
// speculation never changes the outcome, only the wall time.
type fetcher struct {
	ctx      context.Context
	provider Provider
	analyse  func(*pypi.Project) *projectInfo
	shared   *sharedAnalysis
	// speculate is called (in a goroutine) once per name discovered.
	speculate func(name string, hint pep508.Requirement)

	mu          sync.Mutex
	running     sync.WaitGroup
	idle        chan func() // spawn hands work to a goroutine waiting here
	projects    map[string]*call[*projectDoc]
	metas       map[metaKey]*call[*releaseMeta]
	artifacts   map[string]*call[*releaseMeta] // direct references by URL
	speculating map[string]bool
}

func newFetcher(ctx context.Context, p Provider, analyse func(*pypi.Project) *projectInfo) *fetcher {
	return &fetcher{ctx: ctx, provider: p, analyse: analyse, idle: make(chan func()),
		projects:    map[string]*call[*projectDoc]{},
		metas:       map[metaKey]*call[*releaseMeta]{},
		artifacts:   map[string]*call[*releaseMeta]{},
		speculating: map[string]bool{}}
}

// startOnce returns the call for key in m, starting fetch in its own
// goroutine the first time. The caller holds no lock.
func startOnce[K comparable, T any](f *fetcher, m map[K]*call[T], key K, fetch func() (T, error)) *call[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := m[key]; ok {
		return c
	}
	c := &call[T]{done: make(chan struct{})}
	m[key] = c
	f.spawn(func() {
		defer close(c.done)
		c.val, c.err = fetch()
	})
	return c
}

// spawn runs fn in a goroutine that stop waits for: an idle one of the
// fetcher's if there is one, else a new one. Reuse matters on warm runs,
// where hundreds of short tasks each went down the cache decoders in a
// fresh goroutine and grew (copied) its stack on the way: a tenth of the
// run's CPU. Work is handed over, never queued, so no task waits for
// another to finish.
func (f *fetcher) spawn(fn func()) {
	f.running.Add(1)
	select {
	case f.idle <- fn:
	default:
		go f.work(fn)
	}
}

// work runs fn, then whatever spawn hands it, until the resolution's
// context ends.
func (f *fetcher) work(fn func()) {
	for {
		fn()
		f.running.Done()
		select {
		case fn = <-f.idle:
		case <-f.ctx.Done():
			return
		}
	}
}

// stop waits for every task of the fetcher to return; the caller has
// cancelled the context, so speculative work ends promptly, idle
// goroutines exit, and nothing of a resolution outlives it.
func (f *fetcher) stop() { f.running.Wait() }

// project starts (once) fetching the project document of name.
func (f *fetcher) project(name string) *call[*projectDoc] {
	return startOnce(f, f.projects, name, func() (*projectDoc, error) {
		proj, err := f.provider.Project(f.ctx, name)
		if err == nil && proj == nil {
			err = errors.New("the index returned no project document")
		}
		if err != nil {
			return nil, err
		}
		return &projectDoc{proj: proj}, nil
	})
}

// info returns the analysed project, waiting for the document.
func (f *fetcher) info(ctx context.Context, name string) (*projectInfo, error) {
	doc, err := f.project(name).wait(ctx)
	if err != nil {
		return nil, err
	}
	doc.once.Do(func() { doc.info = f.analyse(doc.proj) })
	return doc.info, nil
}

// metadata starts (once) fetching the metadata of one release.
func (f *fetcher) metadata(name string, r pypi.Release) *call[*releaseMeta] {
	return startOnce(f, f.metas, metaKey{name, r.Key}, func() (*releaseMeta, error) {
		meta, err := f.provider.Metadata(f.ctx, name, r)
		if err == nil && meta == nil {
			err = errors.New("the index returned no metadata")
		}
		if err != nil {
			return nil, err
		}
		return f.shared.parsed(metaKey{name, r.Key}, meta), nil
	})
}

// artifact starts (once) reading the metadata of a direct reference's
// archive, expected to have the given sha256 ("" = unknown); nil when the
// provider cannot read archives or url is not one.
func (f *fetcher) artifact(url, sha256 string) *call[*releaseMeta] {
	amp, ok := f.provider.(ArtifactMetadataProvider)
	if !ok || !isArchiveURL(url) {
		return nil
	}
	return startOnce(f, f.artifacts, url+" "+sha256, func() (*releaseMeta, error) {
		meta, err := amp.ArtifactMetadata(f.ctx, withoutFragment(url), sha256)
		if err == nil && meta == nil {
			err = errors.New("the archive has no metadata")
		}
		if err != nil {
			return nil, err
		}
		return parseMeta(meta), nil
	})
}

func parseMeta(meta *pypi.Metadata) *releaseMeta {
	rm := &releaseMeta{meta: meta}
	for _, s := range meta.RequiresDist {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			rm.invalid = append(rm.invalid, err.Error())
			continue
		}
		rm.reqs = append(rm.reqs, r)
	}
	return rm
}

// discover starts the project fetch of name and, once per name, a
// speculative walk from it.
func (f *fetcher) discover(name string, hint pep508.Requirement) {
	f.project(name)
	f.mu.Lock()
	first := !f.speculating[name]
	f.speculating[name] = true
	f.mu.Unlock()
	if first && f.speculate != nil {
		f.spawn(func() { f.speculate(name, hint) })
	}
}
