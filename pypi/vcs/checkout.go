package vcs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/req2nix/req2nix/pypi"
)

// Checkout is one commit of a repository, as the output fetches it.
type Checkout struct {
	Commit string // full commit id, lower-case
	// NARHash is the content hash of the commit's checkout (without .git)
	// in Nix's NAR serialisation, SRI form: pkgs.fetchgit's hash.
	NARHash string
	// Submodules are the paths of the commit's submodules: they are empty
	// directories in the checkout NARHash covers (fetchSubmodules = false).
	Submodules []string
	// Files reads the commit's files from the cache (fs.ReadFile works;
	// directories cannot be listed).
	Files fs.FS
}

// narVersion names how NARHash is computed, so that a fix invalidates the
// hashes cached by an earlier req2nix.
const narVersion = "nar1"

// Checkout returns the commit of the repository at rawURL, fetching it
// into the cache when it is not there yet (offline, that is an error
// wrapping pypi.ErrOffline). Its NAR hash is computed once and cached.
func (g *Git) Checkout(ctx context.Context, rawURL, commit string) (*Checkout, error) {
	commit = strings.ToLower(commit)
	if !fullCommit.R().MatchString(commit) {
		return nil, fmt.Errorf("%q is not a full commit id", commit)
	}
	if err := CheckURL(rawURL); err != nil {
		return nil, err
	}
	dir := g.repoDir(rawURL)
	defer g.lock(dir)()
	if !g.hasCommit(ctx, dir, commit) {
		if g.opts.Offline {
			return nil, fmt.Errorf("%w: no cached copy of commit %s of %s; run once without --offline", pypi.ErrOffline, commit, pypi.Redact(rawURL))
		}
		if err := g.ensureRepo(ctx, dir); err != nil {
			return nil, err
		}
		if err := g.fetchCommit(ctx, dir, rawURL, commit); err != nil {
			return nil, err
		}
	}
	co := &Checkout{Commit: commit, Files: &commitFS{g: g, dir: dir, commit: commit}}
	var err error
	co.NARHash, co.Submodules, err = g.narHash(ctx, dir, commit)
	if err != nil {
		return nil, fmt.Errorf("hashing commit %s of %s: %w", commit, pypi.Redact(rawURL), err)
	}
	return co, nil
}

// ensureRepo creates the bare repository dir, without templates (so no
// hooks), atomically: a concurrent run sees it whole or not at all.
func (g *Git) ensureRepo(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".init-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := g.run(ctx, "git init", "", true, nil, "init", "--quiet", "--bare", "--template=", "--", tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "HEAD")); statErr == nil {
			return nil // another run made it first
		}
		return err
	}
	return nil
}

// hasCommit reports whether the cache holds commit.
func (g *Git) hasCommit(ctx context.Context, dir, commit string) bool {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		return false
	}
	_, err := g.run(ctx, "git cat-file", "", true, nil, "--git-dir="+dir, "cat-file", "-e", commit+"^{commit}")
	return err == nil
}

// fetchCommit fetches one commit (and only its tree: depth 1); a server
// that refuses requests for a commit by id gets every branch and tag
// fetched instead, which must then contain it.
func (g *Git) fetchCommit(ctx context.Context, dir, rawURL, commit string) error {
	_, err := g.run(ctx, "git fetch "+pypi.Redact(rawURL), rawURL, false, nil, "--git-dir="+dir, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth=1", "--",
		rawURL, "+"+commit+":refs/req2nix/commits/"+commit)
	if err == nil {
		return nil
	}
	if allErr := g.fetchAll(ctx, dir, rawURL); allErr != nil {
		return err
	}
	if !g.hasCommit(ctx, dir, commit) {
		return fmt.Errorf("%s has no commit %s reachable from its branches and tags", pypi.Redact(rawURL), commit)
	}
	return nil
}

// narFile caches a commit's NAR hash and submodule paths.
func narFile(dir, commit string) string {
	return filepath.Join(dir, "req2nix-"+narVersion, commit)
}

// narHash returns the commit's NAR hash and submodules, from the cache or
// by checking the commit out into a temporary directory.
func (g *Git) narHash(ctx context.Context, dir, commit string) (string, []string, error) {
	if data, err := os.ReadFile(narFile(dir, commit)); err == nil {
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if strings.HasPrefix(lines[0], "sha256-") {
			return lines[0], lines[1:], nil
		}
	}
	tmp, err := os.MkdirTemp(filepath.Join(g.opts.CacheDir, "git"), ".checkout-*")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(tmp)
	tree := filepath.Join(tmp, "tree")
	if err := g.export(ctx, dir, commit, tree, filepath.Join(tmp, "index")); err != nil {
		return "", nil, err
	}
	hash, err := NARHash(tree)
	if err != nil {
		return "", nil, err
	}
	subs, err := g.submodules(ctx, dir, commit)
	if err != nil {
		return "", nil, err
	}
	record := strings.Join(append([]string{hash}, subs...), "\n") + "\n"
	return hash, subs, pypi.WriteFileAtomic(narFile(dir, commit), []byte(record))
}

// export checks commit out into tree as nix-prefetch-git does (git
// checkout without system or user configuration: .gitattributes applies,
// submodules stay empty directories), through a temporary index.
func (g *Git) export(ctx context.Context, dir, commit, tree, index string) error {
	if err := os.Mkdir(tree, 0o755); err != nil {
		return err
	}
	_, err := g.run(ctx, "git checkout of "+commit, "", true, []string{"GIT_INDEX_FILE=" + index},
		"--git-dir="+dir, "--work-tree="+tree, "read-tree", "--reset", "-u", commit)
	return err
}

// submodules lists the paths of the commit's gitlinks.
func (g *Git) submodules(ctx context.Context, dir, commit string) ([]string, error) {
	out, err := g.run(ctx, "git ls-tree", "", true, nil, "--git-dir="+dir, "ls-tree", "-r", "-z", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, entry := range strings.Split(string(out), "\x00") {
		meta, p, ok := strings.Cut(entry, "\t")
		if ok && strings.HasPrefix(meta, "160000 ") {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// maxFileBytes bounds a file read from a commit (pyproject.toml,
// setup.py, ...): repositories are untrusted.
const maxFileBytes = 8 << 20

// commitFS reads a commit's files from the cached repository.
type commitFS struct {
	g      *Git
	dir    string
	commit string
}

// Open reads the file name of the commit (a regular file; not a
// directory).
func (c *commitFS) Open(name string) (fs.File, error) {
	data, err := c.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{name: name, Reader: bytes.NewReader(data), size: int64(len(data))}, nil
}

// ReadFile returns the contents of the file name of the commit.
func (c *commitFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\n\x00") {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.g.opts.Program, "--git-dir="+c.dir, "cat-file", "--batch")
	cmd.Env = gitEnv(true)
	cmd.Stdin = strings.NewReader(c.commit + ":" + name + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer cmd.Wait()
	defer cancel() // stop git before Wait when the blob is not read to its end
	return readBatchBlob(bufio.NewReader(stdout), name)
}

// readBatchBlob reads one answer of git cat-file --batch: "<oid> <type>
// <size>\n<contents>\n", or "<object> missing\n".
func readBatchBlob(r *bufio.Reader, name string) ([]byte, error) {
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	fields := strings.Fields(header)
	if len(fields) != 3 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if fields[1] != "blob" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("a %s, not a file", fields[1])}
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size > maxFileBytes {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("larger than %d bytes", maxFileBytes)}
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

// memFile is a file read whole into memory.
type memFile struct {
	name string
	*bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return filepath.Base(i.f.name) }
func (i memInfo) Size() int64        { return i.f.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
