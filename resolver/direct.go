package resolver

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/vcs"
)

// DirectKind says what a direct reference's URL points at.
type DirectKind string

const (
	// DirectArchive is a wheel or sdist fetched over http(s).
	DirectArchive DirectKind = "archive"
	// DirectLocalArchive is a wheel or sdist on the local disk (file:).
	DirectLocalArchive DirectKind = "local-archive"
	// DirectDirectory is a local project directory (file:, -e ./pkg).
	DirectDirectory DirectKind = "directory"
	// DirectGit is a git repository at a commit (git+https://...@<ref>).
	DirectGit DirectKind = "git"
)

// DirectSource is a direct reference's source: its URL taken apart
// (ParseDirectURL builds it), and, once the resolver has fetched it
// (Package.Source), pinned: a git ref resolved to its commit and the
// checkout's content hash, an archive's sha256. It is plain data, so that
// other inputs (a lock file's git or path sources) can be mapped onto it.
type DirectSource struct {
	Kind         DirectKind
	URL          string // archive: the URL without its fragment; git: the repository URL without "git+" and "@rev"
	Path         string // local archive or directory: the absolute path
	Rev          string // git: the full 40-hex commit, lower-case ("" until a Ref is resolved)
	Ref          string // git: the ref as written after "@" when it is not a full commit ("main", "v1.2", "38eb5d3b"; "" = the default branch)
	Subdirectory string // the "subdirectory=" fragment (a project inside a repository or directory), cleaned
	SHA256       string // archive: the "#sha256=" fragment, lower-case, or "" (Package.Source: the pinned digest)
	// TreeHash is, for git, the content hash of the commit's checkout
	// (without .git; submodules as empty directories) in Nix's NAR
	// serialisation, SRI form ("sha256-<base64>"): what a fixed-output git
	// fetch pins. "" when the checkout was not read.
	TreeHash string
	// Submodules are the paths of the commit's git submodules, which the
	// checkout hashed by TreeHash leaves empty.
	Submodules []string
}

// gitCommit is a full SHA-1 commit id: the only git ref that pins content.
var gitCommit = lazyre.New(`^[0-9a-fA-F]{40}$`)

// ErrUnpinnable marks a git reference whose content the output could not
// pin (a branch, a tag, no ref): the message says what to write instead.
var ErrUnpinnable = errors.New("cannot be pinned")

// ErrDirectReference marks a root direct reference that cannot be used as
// written: a URL ParseDirectURL rejects, or a local project directory that
// does not exist, names another project or declares an invalid version.
// Like ErrUnpinnable it is a mistake in the input, not a resolution failure.
var ErrDirectReference = errors.New("unusable direct reference")

// directRefError wraps a direct reference's problem as ErrDirectReference
// without adding that sentinel's words to the message.
type directRefError struct{ err error }

func (e directRefError) Error() string   { return e.err.Error() }
func (e directRefError) Unwrap() []error { return []error{e.err, ErrDirectReference} }

// ParseDirectURL takes a direct reference's URL apart as pip reads it
// (https:// and file: archives, file: directories, git+<scheme>:// with
// "@<ref>", "#egg=" and "&subdirectory="). It fails for what cannot be
// fetched reproducibly: hg+, svn+ and bzr+ URLs, git URLs git must not be
// given (see vcs.CheckURL), and schemes it cannot fetch. A git ref that is
// not a full commit is kept in Ref for the resolver to resolve. It does no
// I/O: whether a file: path is a directory is decided by its name (an
// archive name is an archive).
func ParseDirectURL(raw string) (DirectSource, error) {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		return DirectSource{}, fmt.Errorf("%q is not a URL (expected https://, file: or git+https://)", raw)
	}
	scheme = strings.ToLower(scheme)
	vcs, _, isVCS := strings.Cut(scheme, "+")
	switch {
	case isVCS && vcs == "git":
		return parseGitURL(raw[len("git+"):])
	case isVCS && (vcs == "hg" || vcs == "svn" || vcs == "bzr"):
		return DirectSource{}, fmt.Errorf("%s repositories are not supported; use a git mirror (git+https://...@<commit>) or an archive URL with #sha256=", vcsName[vcs])
	case scheme == "file":
		return parseFileURL(raw)
	case scheme == "http" || scheme == "https":
		return parseArchiveURL(raw)
	}
	return DirectSource{}, fmt.Errorf("URL scheme %q is not supported; use an https:// archive, a local path or a git+https:// URL", scheme)
}

var vcsName = map[string]string{"hg": "Mercurial", "svn": "Subversion", "bzr": "Bazaar"}

// parseArchiveURL reads an http(s) URL of a wheel or sdist.
func parseArchiveURL(raw string) (DirectSource, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return DirectSource{}, fmt.Errorf("malformed URL: %v", err)
	}
	if !isArchiveURL(raw) {
		return DirectSource{}, fmt.Errorf("%s does not name a wheel (.whl) or an sdist (.tar.gz, .zip, ...); only archives can be fetched over %s", path.Base(u.Path), u.Scheme)
	}
	sub, err := subdirectory(u.Fragment)
	if err != nil {
		return DirectSource{}, err
	}
	sum, err := fragmentSHA256(raw)
	return DirectSource{Kind: DirectArchive, URL: withoutFragment(raw), SHA256: sum, Subdirectory: sub}, err
}

// fragmentSHA256 is the URL's "#sha256=" digest, checked.
func fragmentSHA256(raw string) (string, error) {
	sum := urlSHA256(raw)
	if sum != "" && !sha256Hex.R().MatchString(sum) {
		return "", fmt.Errorf("#sha256=%s is not 64 hex digits", sum)
	}
	return sum, nil
}

// parseFileURL reads a file: URL of a local archive or directory.
func parseFileURL(raw string) (DirectSource, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return DirectSource{}, fmt.Errorf("malformed URL: %v", err)
	}
	if u.Host != "" && u.Host != "localhost" {
		return DirectSource{}, fmt.Errorf("file URL on host %q: only local files can be used", u.Host)
	}
	p := u.Path
	if p == "" { // file:relative (not absolute: resolved by the reader of the input)
		p = u.Opaque
	}
	if !path.IsAbs(p) {
		return DirectSource{}, fmt.Errorf("file URL %q is not absolute; write file:///absolute/path (on a requirements-file line a relative path or file: URL works: as in pip, it is relative to the current directory, not to the requirements file)", raw)
	}
	sub, err := subdirectory(u.Fragment)
	if err != nil {
		return DirectSource{}, err
	}
	src := DirectSource{Kind: DirectDirectory, Path: path.Clean(p), Subdirectory: sub}
	if isArchiveURL(raw) {
		src.Kind = DirectLocalArchive
		src.SHA256, err = fragmentSHA256(raw)
	}
	return src, err
}

// parseGitURL reads what follows "git+": <scheme>://<host>/<path>@<rev>#<fragment>.
func parseGitURL(rest string) (DirectSource, error) {
	u, err := url.Parse(rest)
	if err != nil {
		return DirectSource{}, fmt.Errorf("malformed git URL: %v", err)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return DirectSource{}, fmt.Errorf("git URL scheme %q is not supported; use git+https://", u.Scheme)
	}
	sub, err := subdirectory(u.Fragment)
	if err != nil {
		return DirectSource{}, err
	}
	// The repository URL is kept as written (not re-escaped); the "@rev"
	// follows the last "@" of the path, as pip splits it (a ref may hold
	// "/": "@feature/x").
	repo, rev := withoutFragment(rest), ""
	if i := strings.LastIndex(repo, "@"); i >= 0 && u.Path != "" && strings.Contains(u.Path, "@") {
		repo, rev = repo[:i], repo[i+1:]
	}
	if err := vcs.CheckURL(repo); err != nil {
		return DirectSource{}, err
	}
	src := DirectSource{Kind: DirectGit, URL: repo, Subdirectory: sub}
	if gitCommit.R().MatchString(rev) {
		src.Rev = strings.ToLower(rev)
	} else if rev != "" {
		if err := vcs.CheckRef(rev); err != nil {
			return DirectSource{}, err
		}
		src.Ref = rev
	}
	return src, nil
}

// unpinnedGitError asks for a full commit when git repositories cannot be
// read (Options.Git is nil): a branch or tag moves, and the output must
// build the same thing every time.
func unpinnedGitError(repo, rev string) error {
	lsRemote := "git ls-remote " + pypi.Redact(repo)
	what := "no commit"
	if rev != "" {
		what = fmt.Sprintf("the ref %q, not a full commit,", rev)
		lsRemote += " " + rev
	}
	return fmt.Errorf("it names %s so it %w: write the full 40-hex commit after '@' (`%s` shows it)", what, ErrUnpinnable, lsRemote)
}

// subdirectory reads the "subdirectory=" part of a URL fragment; it must
// stay inside the project.
func subdirectory(fragment string) (string, error) {
	for _, part := range strings.Split(fragment, "&") {
		v, ok := strings.CutPrefix(part, "subdirectory=")
		if !ok || v == "" {
			continue
		}
		clean := path.Clean(v)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return "", fmt.Errorf("subdirectory %q leaves the project", v)
		}
		if clean == "." {
			return "", nil
		}
		return clean, nil
	}
	return "", nil
}

// placeholderVersion is the version written for a direct reference whose
// version is not known without building it (a git commit, a local project
// with a dynamic version): "0+git.<12 hex>" or "0+local". It names the
// package in Nix only: it is never compared with specifiers.
func placeholderVersion(src DirectSource) string {
	if src.Kind == DirectGit && len(src.Rev) >= 12 {
		return "0+git." + src.Rev[:12]
	}
	return "0+local"
}

// isPlaceholderVersion reports a version placeholderVersion writes.
func isPlaceholderVersion(v string) bool {
	return v == "0+local" || strings.HasPrefix(v, "0+git.")
}
