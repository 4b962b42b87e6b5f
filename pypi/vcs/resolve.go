package vcs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi"
)

var (
	// fullCommit is a full SHA-1 commit id.
	fullCommit = lazyre.New(`^[0-9a-f]{40}$`)
	// shortCommit is an abbreviated commit id, as Poetry's rev = "38eb5d3b".
	shortCommit = lazyre.New(`^[0-9a-fA-F]{4,39}$`)
)

// IsCommit reports whether rev is a full 40-hex commit id (any case).
func IsCommit(rev string) bool { return fullCommit.R().MatchString(strings.ToLower(rev)) }

// CheckRef fails for a ref ("@main", "@v1.2") that git would refuse or
// could read as an option.
func CheckRef(ref string) error {
	bad := strings.HasPrefix(ref, "-") || strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".lock") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "@{") || strings.Contains(ref, "//") ||
		strings.ContainsAny(ref, "~^:?*[\\") ||
		strings.IndexFunc(ref, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0
	if bad {
		return fmt.Errorf("%q is not a valid git ref name", ref)
	}
	return nil
}

// Resolve returns the full commit that ref names in the repository at
// rawURL, reading "@ref" as pip does: a full commit id is itself; "" is
// the remote's HEAD (its default branch); a full ref name
// ("refs/pull/7/head") is that ref; any other name is a branch, else a tag
// (an annotated tag's commit); failing those, a hexadecimal ref is an
// abbreviated commit id (Poetry's rev = "38eb5d3b"), found by fetching the
// branches and tags. Online, the answer is recorded in the cache; offline,
// the recorded answer is used.
func (g *Git) Resolve(ctx context.Context, rawURL, ref string) (string, error) {
	if IsCommit(ref) {
		return strings.ToLower(ref), nil
	}
	if ref == "HEAD" {
		ref = ""
	}
	if err := CheckURL(rawURL); err != nil {
		return "", err
	}
	if ref != "" {
		if err := CheckRef(ref); err != nil {
			return "", err
		}
	}
	dir := g.repoDir(rawURL)
	defer g.lock(dir)()
	if g.opts.Offline {
		return recordedRef(dir, rawURL, ref)
	}
	commit, err := g.lsRemote(ctx, rawURL, ref)
	if errors.Is(err, errNoSuchRef) && shortCommit.R().MatchString(ref) {
		commit, err = g.abbreviated(ctx, dir, rawURL, ref)
	}
	if err != nil {
		return "", err
	}
	if err := g.ensureRepo(ctx, dir); err != nil {
		return "", err
	}
	return commit, recordRef(dir, ref, commit)
}

var errNoSuchRef = errors.New("no such ref")

// describeRef names a ref in messages.
func describeRef(ref string) string {
	if ref == "" {
		return "the default branch (HEAD)"
	}
	return fmt.Sprintf("%q", ref)
}

// refPatterns are the ls-remote patterns that can name ref (a pattern
// without "refs/" would match any ref ending in it).
func refPatterns(ref string) []string {
	switch {
	case ref == "":
		return []string{"HEAD"}
	case strings.HasPrefix(ref, "refs/"):
		return []string{ref, ref + "^{}"}
	}
	return []string{"refs/heads/" + ref, "refs/tags/" + ref, "refs/tags/" + ref + "^{}"}
}

// lsRemote asks the remote which commit ref names.
func (g *Git) lsRemote(ctx context.Context, rawURL, ref string) (string, error) {
	what := "git ls-remote " + pypi.Redact(rawURL)
	out, err := g.run(ctx, what, rawURL, false, nil, append([]string{"ls-remote", "--", rawURL}, refPatterns(ref)...)...)
	if err != nil {
		return "", err
	}
	refs := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		sha, name, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && fullCommit.R().MatchString(sha) {
			refs[name] = sha
		}
	}
	if commit := pickRef(refs, ref); commit != "" {
		return commit, nil
	}
	return "", fmt.Errorf("%s has no branch or tag named %s: %w", pypi.Redact(rawURL), describeRef(ref), errNoSuchRef)
}

// pickRef chooses among ls-remote's answer as pip does: the branch before
// the tag, and a tag's peeled commit ("^{}") before the tag object.
func pickRef(refs map[string]string, ref string) string {
	var names []string
	switch {
	case ref == "":
		names = []string{"HEAD"}
	case strings.HasPrefix(ref, "refs/"):
		names = []string{ref + "^{}", ref}
	default:
		names = []string{"refs/heads/" + ref, "refs/tags/" + ref + "^{}", "refs/tags/" + ref}
	}
	for _, n := range names {
		if sha, ok := refs[n]; ok {
			return sha
		}
	}
	return ""
}

// abbreviated finds the commit an abbreviated id names by fetching every
// branch and tag of the remote into the cache.
func (g *Git) abbreviated(ctx context.Context, dir, rawURL, short string) (string, error) {
	if err := g.ensureRepo(ctx, dir); err != nil {
		return "", err
	}
	if err := g.fetchAll(ctx, dir, rawURL); err != nil {
		return "", err
	}
	out, err := g.run(ctx, "git rev-parse", rawURL, true, nil, "--git-dir="+dir, "rev-parse", "--verify", "--quiet", "--end-of-options", strings.ToLower(short)+"^{commit}")
	commit := strings.TrimSpace(string(out))
	if err != nil || !fullCommit.R().MatchString(commit) {
		return "", fmt.Errorf("%s has no branch, tag or commit %q reachable from its branches and tags (or the abbreviation is ambiguous: give the full 40-hex commit)", pypi.Redact(rawURL), short)
	}
	return commit, nil
}

// fetchAll fetches every branch and tag of the remote into the cache.
func (g *Git) fetchAll(ctx context.Context, dir, rawURL string) error {
	_, err := g.run(ctx, "git fetch "+pypi.Redact(rawURL), rawURL, false, nil, "--git-dir="+dir, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--",
		rawURL, "+refs/heads/*:refs/req2nix/heads/*", "+refs/tags/*:refs/req2nix/tags/*")
	return err
}

// refsFile records, per repository, the commit each ref named when it was
// last resolved online.
func refsFile(dir string) string { return filepath.Join(dir, "req2nix-refs.json") }

func readRefs(dir string) map[string]string {
	refs := map[string]string{}
	if data, err := os.ReadFile(refsFile(dir)); err == nil {
		json.Unmarshal(data, &refs) // a damaged record is an empty one
	}
	return refs
}

// recordRef writes ref's commit to the record (atomically).
func recordRef(dir, ref, commit string) error {
	refs := readRefs(dir)
	refs[ref] = commit
	data, err := json.MarshalIndent(refs, "", " ")
	if err != nil {
		return err
	}
	return pypi.WriteFileAtomic(refsFile(dir), data)
}

// recordedRef is the offline answer: the commit ref named when it was last
// resolved online.
func recordedRef(dir, rawURL, ref string) (string, error) {
	if commit := readRefs(dir)[ref]; fullCommit.R().MatchString(commit) {
		return commit, nil
	}
	return "", fmt.Errorf("%w: the cache does not know which commit %s names in %s; run once without --offline", pypi.ErrOffline, describeRef(ref), pypi.Redact(rawURL))
}
