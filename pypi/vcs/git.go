// Package vcs reads git repositories for direct references
// ("git+https://host/repo@ref"): it resolves a ref to a full commit (git
// ls-remote), fetches that commit into a cache of bare repositories, reads
// the commit's files, and computes the content hash of its checkout in
// Nix's NAR serialisation — the hash pkgs.fetchgit pins. It owns the cache
// under <CacheDir>/git and nothing else; it knows nothing of requirements
// or of Nix expressions.
//
// The git program does the work. Repository URLs are untrusted: CheckURL
// validates them, they always follow "--", only the https, http, ssh, git
// and file transports are allowed (GIT_ALLOW_PROTOCOL), git never prompts,
// and credentials in a URL are masked in every message.
package vcs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi"
)

// Options configure a Git.
type Options struct {
	CacheDir string // repositories are kept in <CacheDir>/git; required
	Offline  bool   // use only what the cache holds (errors wrap pypi.ErrOffline)
	Program  string // the git program; "" is "git" from PATH
}

// Git reads repositories through the git program. It is safe for
// concurrent use; operations on one repository are serialised.
type Git struct {
	opts  Options
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// New returns a Git with the given options.
func New(opts Options) *Git {
	if opts.Program == "" {
		opts.Program = "git"
	}
	return &Git{opts: opts, locks: map[string]*sync.Mutex{}}
}

// repoDir is the bare repository caching url: <CacheDir>/git/<digest>.git,
// the digest of the URL without its credentials (they change; the
// repository does not).
func (g *Git) repoDir(rawURL string) string {
	sum := sha256.Sum256([]byte(withoutCredentials(rawURL)))
	return filepath.Join(g.opts.CacheDir, "git", hex.EncodeToString(sum[:12])+".git")
}

// lock serialises the operations on one cached repository in this process.
func (g *Git) lock(dir string) func() {
	g.mu.Lock()
	m, ok := g.locks[dir]
	if !ok {
		m = &sync.Mutex{}
		g.locks[dir] = m
	}
	g.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// withoutCredentials is rawURL without a user name and password.
func withoutCredentials(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	u.User = nil
	return u.String()
}

// gitEnv is the environment of every git command: the user's, so that
// credential helpers, insteadOf rules and ssh keys work for fetching, but
// never prompting, with only the allowed transports, and with messages in
// English. sanitised adds what nix-prefetch-git sets (no system or user
// configuration), so that a checkout is byte for byte what fetchgit makes.
func gitEnv(sanitised bool) []string {
	env := append(os.Environ(),
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL="+gitAllowProtocol,
		"LC_ALL=C",
	)
	if sanitised {
		env = append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "XDG_CONFIG_HOME="+os.DevNull)
	}
	return env
}

// commandError is a failed git command: what was being done, and git's own
// last line of explanation, with credentials masked.
type commandError struct {
	what   string
	stderr string
	err    error
}

func (e *commandError) Error() string {
	msg := lastLine(e.stderr)
	if msg == "" {
		msg = e.err.Error()
	}
	return e.what + ": " + msg
}

func (e *commandError) Unwrap() error { return e.err }

// lastLine is the last non-empty line of git's stderr ("fatal: ...").
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// run runs git with args (and the environment extra) and returns its
// stdout. rawURL, when given, is masked in messages.
func (g *Git) run(ctx context.Context, what, rawURL string, sanitised bool, extra []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, g.opts.Program, args...)
	cmd.Env = append(gitEnv(sanitised), extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return nil, fmt.Errorf("%s: the git program is not installed (it reads git+ references)", what)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, &commandError{what: what, stderr: maskCredentials(stderr.String(), rawURL), err: err}
}

// userinfo finds the user information of URLs in free text.
var userinfo = lazyre.New(`//[^/?#\s'"]*@`)

// maskCredentials masks the user information of every URL in git's
// message (git may quote the URL as it was given), and of rawURL.
func maskCredentials(s, rawURL string) string {
	s = strings.ReplaceAll(s, rawURL, pypi.Redact(rawURL))
	return userinfo.R().ReplaceAllString(s, "//****@")
}
