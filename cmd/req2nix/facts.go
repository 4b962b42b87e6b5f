package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/resolver"
)

// factTimeout bounds the reading of one file for a fact (the download
// included): without the fact the plan falls back, and says so.
const factTimeout = 2 * time.Minute

// indexFacts gives the plan (nixgen.Facts) what it needs from distribution
// files, read by the index client, and remembers each answer on disk by
// the file's sha256: a file's content never changes, so a re-run (the
// pre-commit hook) neither downloads nor unpacks anything, offline too.
type indexFacts struct {
	client *pypi.Client
	dir    string // where answers are remembered; "" remembers nothing

	mu       sync.Mutex
	failures []string // "<file>: <error>", for the summary
	asked    map[string]*factCall
}

// factCall is one question about one file, asked once per run however
// many systems' plans ask it.
type factCall struct {
	once   sync.Once
	answer []string
	err    error
}

func newIndexFacts(client *pypi.Client, cacheDir string) *indexFacts {
	f := &indexFacts{client: client}
	if cacheDir != "" {
		f.dir = filepath.Join(cacheDir, "facts")
	}
	return f
}

// BuildRequires is the sdist's [build-system] requires (nil: none).
func (f *indexFacts) BuildRequires(ctx context.Context, sdist resolver.File) ([]string, error) {
	return f.remembered(ctx, "build-requires", sdist, f.client.BuildRequires, true)
}

// TopLevelModules is the wheel's top-level modules. Not knowing them only
// leaves the import check out, so a failure is not worth a warning.
func (f *indexFacts) TopLevelModules(ctx context.Context, wheel resolver.File) ([]string, error) {
	return f.remembered(ctx, "top-level", wheel, f.client.WheelTopLevel, false)
}

// ReleaseFiles is every file of a release as the index lists it (the
// project's page is already in the client's memory after resolving): it
// tells compiled packages by their platform wheels, and gives pip the
// hashes of every file (nixgen.ReleaseFiles). Yanked files are left out.
func (f *indexFacts) ReleaseFiles(ctx context.Context, name, version string) ([]resolver.File, error) {
	want, err := pep440.Parse(version)
	if err != nil {
		return nil, err
	}
	p, err := f.client.Project(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, r := range p.Releases {
		if r.Version.Compare(want) != 0 {
			continue
		}
		var out []resolver.File
		for _, file := range r.Files {
			kind := "sdist"
			if strings.HasSuffix(file.Filename, ".whl") {
				kind = "wheel"
			}
			if !file.Yanked {
				out = append(out, resolver.File{Kind: kind, Filename: file.Filename, URL: file.URL, SHA256: strings.ToLower(file.SHA256)})
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s has no release %s on the index", name, version)
}

// factVersion changes when a fact's reading changes, so that answers
// remembered by an older req2nix are read again.
const factVersion = "1"

var hex64 = lazyre.New(`^[0-9a-f]{64}$`)

// remembered answers from the memory of a previous run, else reads the
// file and remembers the answer. A file without a sha256 is read every
// time: its name does not identify its content. A failure is recorded for
// the summary when warn is set.
func (f *indexFacts) remembered(ctx context.Context, fact string, file resolver.File, read func(context.Context, pypi.File) ([]string, error), warn bool) ([]string, error) {
	key := fact + " " + file.URL + " " + file.SHA256
	f.mu.Lock()
	if f.asked == nil {
		f.asked = map[string]*factCall{}
	}
	call := f.asked[key]
	if call == nil {
		call = &factCall{}
		f.asked[key] = call
	}
	f.mu.Unlock()
	call.once.Do(func() { call.answer, call.err = f.read(ctx, fact, file, read, warn) })
	return call.answer, call.err
}

// read answers from the memory of a previous run, else reads the file.
func (f *indexFacts) read(ctx context.Context, fact string, file resolver.File, read func(context.Context, pypi.File) ([]string, error), warn bool) ([]string, error) {
	memo := ""
	if f.dir != "" && hex64.R().MatchString(file.SHA256) {
		memo = filepath.Join(f.dir, fact+"-v"+factVersion+"-"+file.SHA256+".json")
		if data, err := os.ReadFile(memo); err == nil {
			var answer []string
			if json.Unmarshal(data, &answer) == nil {
				return answer, nil
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, factTimeout)
	defer cancel()
	answer, err := read(ctx, pypi.File{Filename: file.Filename, URL: file.URL, SHA256: file.SHA256, PackageType: packageType(file.Kind)})
	if err != nil && warn {
		f.mu.Lock()
		f.failures = append(f.failures, fmt.Sprintf("%s: %v", file.Filename, err))
		f.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	if memo != "" {
		f.remember(memo, answer)
	}
	return answer, nil
}

// remember writes an answer atomically (concurrent runs may share the
// cache); failing to is harmless: the file is read again next time.
func (f *indexFacts) remember(path string, answer []string) {
	data, err := json.Marshal(answer) // nil stays null: "no requires" differs from "requires = []"
	if err != nil || os.MkdirAll(f.dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(f.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}

func packageType(kind string) string {
	if kind == "wheel" {
		return "bdist_wheel"
	}
	return "sdist"
}

// warning sums up the sdists whose build system could not be read, or "".
func (f *indexFacts) warning() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failures) == 0 {
		return ""
	}
	sorted := sortedCopy(f.failures)
	more := ""
	if len(sorted) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(sorted)-1)
	}
	return fmt.Sprintf("could not read the [build-system] of %s (%s%s)", count(len(sorted), "sdist"), sorted[0], more)
}
