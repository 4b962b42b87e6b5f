package pypi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for Options fields left zero.
const (
	DefaultIndexURL = "https://pypi.org/simple"
	DefaultJobs     = 16
	DefaultMaxAge   = 10 * time.Minute
	DefaultTimeout  = 60 * time.Second
)

// Options configure a Client. The zero value talks to PyPI with the
// defaults above.
type Options struct {
	// IndexURL is the primary index, the root of a Simple API as pip
	// takes it (a project's page is {IndexURL}/{name}/):
	// "https://pypi.org/simple", "https://download.pytorch.org/whl/cpu",
	// a devpi or Artifactory index, or "file:///dir" (a mirror: see
	// parseIndex). A root ending in /simple also has its JSON API looked
	// for beside it ({parent}/pypi/{name}/json); a bare host means PyPI's
	// layout. Empty means $PIP_INDEX_URL, else DefaultIndexURL.
	// Credentials may be given as URL userinfo.
	IndexURL string
	// ExtraIndexURLs are searched too (pip's --extra-index-url); releases
	// are merged, the earlier index winning for equal versions. Nil with an
	// empty IndexURL means $PIP_EXTRA_INDEX_URL (space-separated).
	ExtraIndexURLs []string
	// CacheDir holds cached documents and artifacts; default
	// $XDG_CACHE_HOME/req2nix, else ~/.cache/req2nix.
	CacheDir string
	// Offline answers from the cache only and never touches the network.
	Offline bool
	// Refresh revalidates every cached document once in this run.
	Refresh bool
	// Jobs bounds concurrent network requests (default DefaultJobs).
	Jobs int
	// MaxAge is how long a cached project document is used without
	// revalidation (default DefaultMaxAge). Version documents never expire.
	MaxAge time.Duration
	// Timeout is the total deadline for one document including retries
	// (default DefaultTimeout). Artifact downloads get ten times as long.
	Timeout time.Duration
	// Logger receives debug notes (retries, skipped versions, corrupt cache
	// entries); nil is silent.
	Logger *slog.Logger
	// Netrc is the netrc file with credentials by host; default $NETRC,
	// else ~/.netrc.
	Netrc string
	// HTTPClient replaces the client built from the options (tests).
	HTTPClient *http.Client
}

// Client reads projects and metadata from the configured indexes. It is safe
// for concurrent use, and implements the resolver's Provider interface.
// Close it when done: fetches that callers abandoned may otherwise still
// be writing into CacheDir.
type Client struct {
	indexes []*index
	cache   diskCache
	offline bool
	refresh bool
	maxAge  time.Duration
	timeout time.Duration
	log     *slog.Logger
	http    *retryablehttp.Client
	sem     chan struct{}

	netrcPath string
	netrcOnce sync.Once
	netrc     netrc
	sweepOnce sync.Once // abandoned temporary downloads are removed once per run

	life      *lifecycle // what Close stops and waits for
	flights   flights
	memo      sync.Map // memo key -> memoResult (successful and permanent results)
	tries     sync.Map // memo key -> *cacheTry in progress (onceCached)
	validated sync.Map // cache key -> struct{}: revalidated during this run
	seen      sync.Map // normalised project names found this run -> struct{}
	latest    sync.Map // "index project version" -> *Metadata from a project document's info

	stats counters
}

// Stats are cumulative counters of a Client's work, safe to read while it
// runs (a progress bar polls them).
type Stats struct {
	Requests  int64 // HTTP requests sent, retries included
	InFlight  int64 // documents being fetched over the network right now
	CacheHits int64 // documents answered from the disk cache without a request
	Retries   int64 // requests that were retries
	Bytes     int64 // response body bytes received
}

type counters struct {
	requests, inFlight, cacheHits, retries, bytes atomic.Int64
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.stats.requests.Load(),
		InFlight:  c.stats.inFlight.Load(),
		CacheHits: c.stats.cacheHits.Load(),
		Retries:   c.stats.retries.Load(),
		Bytes:     c.stats.bytes.Load(),
	}
}

// New builds a Client from opts.
func New(opts Options) (*Client, error) {
	opts = withDefaults(opts)
	c := &Client{
		cache:     newDiskCache(opts.CacheDir),
		offline:   opts.Offline,
		refresh:   opts.Refresh,
		maxAge:    opts.MaxAge,
		timeout:   opts.Timeout,
		log:       opts.Logger,
		sem:       make(chan struct{}, opts.Jobs),
		netrcPath: opts.Netrc,
		life:      newLifecycle(),
	}
	c.flights.life = c.life
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, raw := range append([]string{opts.IndexURL}, opts.ExtraIndexURLs...) {
		ix, err := parseIndex(raw)
		if err != nil {
			return nil, err
		}
		c.indexes = append(c.indexes, ix)
	}
	c.http = c.newRetryClient(opts)
	return c, nil
}

// withDefaults fills in zero fields of opts.
func withDefaults(opts Options) Options {
	if opts.IndexURL == "" {
		opts.IndexURL = os.Getenv("PIP_INDEX_URL")
		if opts.ExtraIndexURLs == nil {
			opts.ExtraIndexURLs = strings.Fields(os.Getenv("PIP_EXTRA_INDEX_URL"))
		}
	}
	if opts.IndexURL == "" {
		opts.IndexURL = DefaultIndexURL
	}
	if opts.CacheDir == "" {
		opts.CacheDir = defaultCacheDir()
	}
	if opts.Jobs <= 0 {
		opts.Jobs = DefaultJobs
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Netrc == "" {
		opts.Netrc = defaultNetrcPath()
	}
	return opts
}

// defaultCacheDir is $XDG_CACHE_HOME/req2nix, else ~/.cache/req2nix.
func defaultCacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "req2nix")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "req2nix-cache")
	}
	return filepath.Join(home, ".cache", "req2nix")
}

// netrcEntries loads the netrc file on first use.
func (c *Client) netrcEntries() netrc {
	c.netrcOnce.Do(func() { c.netrc = readNetrc(c.netrcPath) })
	return c.netrc
}

// indexFor returns the index a release came from (by its redacted URL),
// defaulting to the primary index.
func (c *Client) indexFor(display string) *index {
	for _, ix := range c.indexes {
		if ix.display == display {
			return ix
		}
	}
	return c.indexes[0]
}

// indexNames is the comma-separated list of configured indexes, redacted.
func (c *Client) indexNames() string {
	names := make([]string, len(c.indexes))
	for i, ix := range c.indexes {
		names[i] = ix.display
	}
	return strings.Join(names, ", ")
}

// acquire takes a network slot, or fails when ctx ends first.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		c.stats.inFlight.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() {
	c.stats.inFlight.Add(-1)
	<-c.sem
}

// String describes the client for debugging: its indexes, redacted.
func (c *Client) String() string {
	return fmt.Sprintf("pypi.Client{%s}", c.indexNames())
}
