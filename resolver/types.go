// Package resolver chooses one version of every package a set of root
// requirements needs, for a target Python and platform (or for several
// platforms at once, agreeing wherever they can), with a PubGrub
// (conflict-driven) solver. It prefers versions pinned by a previous run,
// then the versions nixpkgs ships, then the newest, and explains conflicts in
// words.
//
// Design, in the order data flows:
//
//   - fetch.go, speculate.go: every provider call is memoised and runs in
//     its own goroutine from the moment a package is discovered; a
//     speculative walk follows each package's most-preferred candidate
//     ahead of the solver, so wall time approaches (depth of the graph) ×
//     latency.
//   - candidates.go: a project's releases analysed for the target
//     (requires-python, yanked, files usable on the platform, --hash); a
//     specifier becomes a bitset over the project's sorted releases.
//   - world.go: package identities (the root, projects, and virtual
//     "name[extra]" packages that pin their base to the same version),
//     dependencies after markers, constraints (the user's, and versions the
//     environment fixes: Options.Fixed), and the
//     preferences (pinned, nixpkgs, newest) and pre-release rule applied
//     when a version is chosen.
//   - direct*.go: direct references (name @ url, git, paths), read before
//     solving when they are root requirements: URLs without a name are
//     named from their metadata (as pip does), git refs resolved to
//     commits and checked out through Options.Git (pinned by a previous
//     run's DirectPins), source trees read statically (pyproject.toml,
//     setup.cfg, setup.py's literal setup() arguments).
//   - solver.go, term.go, vset.go: PubGrub as in Dart pub's solver.md and
//     pubgrub-rs: unit propagation, decisions by priority, conflict
//     resolution learning incompatibilities, backjumping.
//   - report.go, describe.go, errors.go: the derivation tree of a failure
//     in words, as Dart pub's error reporting writes it (with file:line
//     origins and hints about yanked releases and pre-releases), and as
//     data.
//   - resolve.go, output.go: the entry point and the Resolution.
//   - systems.go, systems_reasons.go, shared.go: ResolveSystems, one
//     Resolve per system (x86_64/aarch64 Linux and macOS) over one
//     provider and one target-independent analysis (parsed metadata,
//     version sets), rounds that make the systems agree on one version
//     wherever markers and files allow, and the differences that remain,
//     with their reasons, as data.
//   - lock*.go: FromLock, the other entry point: a lock file read by
//     pypi/lockfile becomes the Resolution of one target without resolving
//     (markers, groups and extras evaluated for it, the best files chosen
//     from the lock's or found on the index by hash, non-index sources as
//     direct references, the lock checked against its project file).
package resolver

import (
	"context"

	"github.com/req2nix/req2nix/pypi"
)

// Provider is everything the resolver learns about the world. *pypi.Client
// implements it; tests use in-memory providers. It must be safe for
// concurrent use: the resolver prefetches.
type Provider interface {
	Project(ctx context.Context, name string) (*pypi.Project, error)
	Metadata(ctx context.Context, name string, r pypi.Release) (*pypi.Metadata, error)
}

// Resolution is the plain, deterministic result of a resolution.
type Resolution struct {
	Python   string    // target interpreter version, e.g. "3.12.8"
	Platform string    // e.g. "x86_64-linux"
	Packages []Package // sorted by Name
	Warnings []string  // sorted, deduplicated

	// FreeThreaded: resolved for CPython's free-threading build (Options.FreeThreaded).
	FreeThreaded bool
}

// Package is one chosen package.
type Package struct {
	Name           string   // PEP 503 normalised
	Version        string   // normalised PEP 440 version
	Extras         []string // activated extras, normalised, sorted
	Dependencies   []string // normalised names of the chosen packages it depends on (after markers, incl. extras' deps), sorted
	Files          []File   // the sdist and the best wheel for the target (when they exist)
	MetadataSource string   // pypi.MetadataSource, "direct" for direct references, "lock" for a package read from a lock file
	RequiresPython string
	Nixpkgs        bool   // Version equals the version nixpkgs ships
	Root           bool   // named by a root requirement
	DirectURL      string // for direct references (name @ url, VCS, path), else ""
	// Source is a direct reference's source as fetched: a git ref resolved
	// to its commit and content hash, an archive's sha256. nil otherwise.
	Source *DirectSource
	// BuildRequires is the [build-system] requires of a direct reference
	// read as a source tree (git, a directory, an archive without core
	// metadata); nil when unknown (PEP 518: setuptools).
	BuildRequires []string
}

// File is one distribution file usable for the target.
type File struct {
	Kind     string // "sdist" or "wheel"
	Filename string
	URL      string
	SHA256   string // lower-case hex
}
