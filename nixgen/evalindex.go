package nixgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// walkerNix is the Nix expression EvalIndex evaluates (see walker.nix).
//
//go:embed walker.nix
var walkerNix string

var (
	gitRevRE       = regexp.MustCompile(`^[0-9a-f]{40}$`)
	pythonAttrRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	errNoNix       = errors.New("nix-instantiate not found in PATH: install Nix (Debian: apt-get install nix-bin) or give the index as a JSON file")
	nixInstantiate = "nix-instantiate"
)

// EvalIndex builds the index of pkgs.<pythonAttr>.pkgs by evaluating nixpkgs
// with nix-instantiate --eval --strict --json and walker.nix, which skips
// broken and throwing attributes. nixpkgs is a 40-hex nixpkgs commit
// (fetched from GitHub with fetchTarball, which needs the network and a
// writable Nix store), an http(s) tarball URL, or a local nixpkgs directory
// (evaluated with --store dummy://, so no store is needed).
//
// The result is cached in cacheDir ("" disables the cache) under a key of
// the commit or URL — or, for a directory, its absolute path and the
// modification times of its default.nix and python-packages.nix — the
// interpreter attribute and walker.nix itself.
func EvalIndex(ctx context.Context, nixpkgs, pythonAttr, cacheDir string) (*Index, error) {
	if !pythonAttrRE.MatchString(pythonAttr) {
		return nil, fmt.Errorf("evaluating the nixpkgs index: python attribute %q is not a plain attribute name like python312", pythonAttr)
	}
	arg, key, store, err := nixpkgsArg(nixpkgs)
	if err != nil {
		return nil, err
	}
	source := "evaluated nixpkgs " + nixpkgs
	cache := cachePath(cacheDir, key, pythonAttr)
	if cache != "" {
		if data, err := os.ReadFile(cache); err == nil {
			if ix, err := parseIndex(data, pythonAttr, "cache "+cache); err == nil {
				return ix, nil
			}
		}
	}
	out, err := runWalker(ctx, arg, pythonAttr, store)
	if err != nil {
		return nil, fmt.Errorf("evaluating the python package set %s of nixpkgs %s: %w", pythonAttr, nixpkgs, err)
	}
	f, err := decodeIndexFile(out, source)
	if err != nil {
		return nil, err
	}
	f.Source = source
	ix, err := f.index(pythonAttr, source)
	if err != nil {
		return nil, err
	}
	if cache != "" {
		if err := writeIndexFile(cache, f); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// nixpkgsArg turns the user's nixpkgs reference into a Nix expression for
// --arg, a cache key, and whether the evaluation may use the dummy store.
func nixpkgsArg(nixpkgs string) (arg, key string, dummyStore bool, err error) {
	switch {
	case gitRevRE.MatchString(nixpkgs):
		url := "https://github.com/NixOS/nixpkgs/archive/" + nixpkgs + ".tar.gz"
		return "builtins.fetchTarball { url = " + nixString(url) + "; }", "rev " + nixpkgs, false, nil
	case strings.HasPrefix(nixpkgs, "https://") || strings.HasPrefix(nixpkgs, "http://"):
		return "builtins.fetchTarball { url = " + nixString(nixpkgs) + "; }", "url " + nixpkgs, false, nil
	}
	abs, err := filepath.Abs(nixpkgs)
	if err != nil {
		return "", "", false, fmt.Errorf("nixpkgs %q: %w", nixpkgs, err)
	}
	if st, err := os.Stat(filepath.Join(abs, "default.nix")); err != nil || st.IsDir() {
		return "", "", false, fmt.Errorf("nixpkgs %q is neither a 40-hex commit, a tarball URL nor a directory with a default.nix", nixpkgs)
	}
	key = "path " + abs
	for _, f := range []string{"default.nix", "pkgs/top-level/python-packages.nix"} {
		if st, err := os.Stat(filepath.Join(abs, f)); err == nil {
			key += fmt.Sprintf(" %s@%d", f, st.ModTime().UnixNano())
		}
	}
	return "/. + " + nixString(abs), key, true, nil
}

// cachePath names the cache file of (key, pythonAttr, walker), or "".
func cachePath(cacheDir, key, pythonAttr string) string {
	if cacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key + "\x00" + pythonAttr + "\x00" + walkerNix))
	return filepath.Join(cacheDir, "nixpkgs-index-"+pythonAttr+"-"+hex.EncodeToString(sum[:12])+".json")
}

// runWalker evaluates walker.nix and returns its JSON output.
func runWalker(ctx context.Context, nixpkgsArg, pythonAttr string, dummyStore bool) ([]byte, error) {
	bin, err := exec.LookPath(nixInstantiate)
	if err != nil {
		return nil, errNoNix
	}
	args := []string{"--eval", "--strict", "--json", "-E", walkerNix,
		"--arg", "nixpkgs", nixpkgsArg, "--argstr", "pythonAttr", pythonAttr}
	if dummyStore {
		args = append([]string{"--store", "dummy://"}, args...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("nix-instantiate: %w: %s", err, lastLines(stderr.String(), 8))
	}
	return stdout.Bytes(), nil
}

// writeIndexFile writes f as JSON to path atomically (a temporary file
// renamed into place), so a concurrent reader never sees half a file.
func writeIndexFile(path string, f *indexFile) error {
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("nixpkgs index %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".nixpkgs-index-*")
	if err != nil {
		return fmt.Errorf("nixpkgs index %s: %w", path, err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("nixpkgs index %s: %w", path, werr)
	}
	return nil
}

// lastLines returns the last n non-empty lines of s, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
