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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// walkerNix is the Nix expression EvalIndex evaluates (see walker.nix).
//
//go:embed walker.nix
var walkerNix string

var (
	gitRevRE       = lazyre.New(`^[0-9a-f]{40}$`)
	pythonAttrRE   = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	nixInstantiate = "nix-instantiate"
)

// FailureTTL is how long EvalIndex remembers that a pin could not be
// evaluated (no network, Nix too old, an evaluation error): a pre-commit
// hook on a machine without network then falls back at once instead of
// trying, and waiting, on every commit. EvalOptions.Retry tries anyway.
const FailureTTL = time.Hour // "an hour" in fixFor

// EvalOptions controls EvalIndex.
type EvalOptions struct {
	CacheDir string // where indexes and remembered failures live; "" disables both
	Offline  bool   // never evaluate a nixpkgs that would have to be fetched
	Retry    bool   // ignore a remembered failure, and re-read a local checkout (--refresh)

	// Source, when set, is a local directory holding the pin's unpacked
	// tarball (ResolveChannel leaves one behind): it is evaluated instead
	// of fetching the pin again. The index is cached under the pin.
	Source string

	Progress func(msg string) // told once before an evaluation starts
	Now      func() time.Time // the clock, for tests; nil means time.Now
}

// NotEvaluatedError says why EvalIndex could not read the pinned nixpkgs:
// Nix is missing or too old, --offline forbids the fetch, or Nix failed.
// The caller falls back to attribute names, saying Reason and Fix.
type NotEvaluatedError struct {
	Reason string    // what stood in the way, one line
	Fix    string    // what the user can do about it
	Since  time.Time // when it failed, when this is a remembered failure
	Detail string    // Nix's own output, for -v
}

func (e *NotEvaluatedError) Error() string { return e.Reason + "; " + e.Fix }

// EvalIndex returns the index of pkgs.<pythonAttr>.pkgs of the pinned
// nixpkgs, evaluated with nix-instantiate --eval --strict --json and
// walker.nix: pnames, versions, run-time dependencies and build-system by
// attribute, and the systems each package is available on. A pin with a
// Rev or URL is fetched by Nix (builtins.fetchTarball with the pin's hash,
// which needs the network once and a writable Nix store); a local checkout
// (Pin.Path, or o.Source) is evaluated with --store dummy://.
//
// Results are cached in o.CacheDir (see indexcache.go) under a key of the
// pin, the interpreter and walker.nix itself, so each pin is evaluated
// once; a cached index needs neither Nix nor the network. When the
// evaluation is impossible or fails, the error is a *NotEvaluatedError,
// and a failure is remembered for FailureTTL.
func EvalIndex(ctx context.Context, pin Pin, pythonAttr string, o EvalOptions) (*Index, error) {
	if !pythonAttrRE.R().MatchString(pythonAttr) {
		return nil, fmt.Errorf("evaluating the nixpkgs index: python attribute %q is not a plain attribute name like python313", pythonAttr)
	}
	src, err := evalSource(pin, o.Source)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cache := cachePath(o.CacheDir, src.key, pythonAttr)
	if cache != "" && !(o.Retry && src.local) {
		if data, err := os.ReadFile(cache); err == nil {
			if ix, err := decodeCache(data, cache); err == nil && ix.PythonAttr == pythonAttr {
				if !bytes.HasPrefix(data, []byte(cacheMagic+"\n")) {
					writeFileAtomic(cache, ix.encodeCache()) // the current format loads faster; failing costs only that
				}
				return ix, nil
			}
		}
	}
	bin, _ := exec.LookPath(nixInstantiate)
	failures := failureCache{path: cache, nix: nixIdentity(bin), now: o.Now}
	if !o.Retry {
		if nerr := failures.recall(); nerr != nil {
			return nil, nerr
		}
	}
	if nerr, lasting := cannotEvaluate(ctx, bin, pin, src, o.Offline); nerr != nil {
		if lasting {
			failures.remember(nerr)
		}
		return nil, nerr
	}
	if o.Progress != nil {
		o.Progress(fmt.Sprintf("reading nixpkgs' %s package set (%s), once per pin", pythonAttr, pin.label()))
	}
	ix, nerr := evaluate(ctx, bin, src, pythonAttr, "evaluated nixpkgs "+pin.label())
	if nerr != nil {
		if ctx.Err() == nil {
			failures.remember(nerr)
		}
		return nil, nerr
	}
	if cache != "" {
		// A cache that cannot be written only costs the next run an evaluation.
		if writeFileAtomic(cache, ix.encodeCache()) == nil {
			failures.forget()
		}
	}
	return ix, nil
}

// nixpkgsSource is how one pin is evaluated.
type nixpkgsSource struct {
	arg   string // Nix expression for walker.nix's nixpkgs argument
	key   string // cache key
	dir   string // the local directory evaluated, "" when Nix fetches
	local bool   // a local checkout, whose content can change under the key
}

// evalSource turns a pin (and an optional unpacked copy of it) into the
// walker's argument and a cache key.
func evalSource(pin Pin, unpacked string) (nixpkgsSource, error) {
	remoteKey := ""
	switch {
	case pin.Rev != "" && pin.URL != "" && pin.URL != tarballURL(pin.Rev):
		remoteKey = "rev " + pin.Rev + " " + pin.URL
	case pin.Rev != "":
		remoteKey = "rev " + pin.Rev
	case pin.URL != "":
		remoteKey = "url " + pin.URL + " " + pin.SHA256
	}
	switch {
	case unpacked != "" && remoteKey != "":
		abs, err := checkoutDir(unpacked)
		return nixpkgsSource{arg: "/. + " + nixString(abs), key: remoteKey, dir: abs}, err
	case pin.Path != "":
		abs, err := checkoutDir(pin.Path)
		return nixpkgsSource{arg: "/. + " + nixString(abs), key: checkoutKey(abs), dir: abs, local: true}, err
	case remoteKey == "":
		return nixpkgsSource{}, errors.New("nixpkgs pin has neither a rev, a URL nor a path")
	}
	fetch := "builtins.fetchTarball { url = " + nixString(pin.tarball()) + ";"
	if pin.SHA256 != "" {
		fetch += " sha256 = " + nixString(pin.SHA256) + ";"
	}
	return nixpkgsSource{arg: fetch + " }", key: remoteKey}, nil
}

// checkoutDir is the absolute path of a nixpkgs directory, which must
// hold a default.nix.
func checkoutDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("nixpkgs %q: %w", dir, err)
	}
	if st, err := os.Stat(filepath.Join(abs, "default.nix")); err != nil || st.IsDir() {
		return "", fmt.Errorf("nixpkgs %q is not a nixpkgs directory: it has no default.nix", dir)
	}
	return abs, nil
}

// checkoutKey identifies the content of a local checkout cheaply: its
// path, its git HEAD commit when it is a git checkout, and the
// modification times of the files that define the package set (editing a
// package's own file in a working tree is not noticed: --refresh re-reads).
func checkoutKey(abs string) string {
	key := "path " + abs
	if head := gitHead(abs); head != "" {
		key += " git " + head
	}
	for _, f := range []string{"default.nix", ".version", "pkgs/top-level/python-packages.nix", "pkgs/development/interpreters/python/default.nix"} {
		if st, err := os.Stat(filepath.Join(abs, f)); err == nil {
			key += fmt.Sprintf(" %s@%d", f, st.ModTime().UnixNano())
		}
	}
	return key
}

// gitHead reads the commit a git checkout's HEAD points to, or "".
func gitHead(dir string) string {
	head, err := os.ReadFile(filepath.Join(dir, ".git", "HEAD"))
	if err != nil {
		return ""
	}
	ref, isRef := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !isRef {
		return ref
	}
	if c, err := os.ReadFile(filepath.Join(dir, ".git", filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(c))
	}
	packed, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
	for line := range strings.SplitSeq(string(packed), "\n") {
		if commit, name, ok := strings.Cut(line, " "); ok && name == ref {
			return commit
		}
	}
	return "ref " + ref
}

// cachePath names the cache file of (key, pythonAttr, walker), or "".
func cachePath(cacheDir, key, pythonAttr string) string {
	if cacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key + "\x00" + pythonAttr + "\x00" + walkerNix))
	return filepath.Join(cacheDir, "nixpkgs-index-"+pythonAttr+"-"+hex.EncodeToString(sum[:12])+".idx")
}

// cannotEvaluate says why src cannot be evaluated here, before trying:
// no Nix, --offline and a pin to fetch, or a Nix older than the pin needs.
// lasting is true for a reason worth remembering (finding it costs a run
// of Nix); the others are cheap to find again and may change at once.
func cannotEvaluate(ctx context.Context, bin string, pin Pin, src nixpkgsSource, offline bool) (nerr *NotEvaluatedError, lasting bool) {
	if bin == "" {
		return &NotEvaluatedError{
			Reason: "nix-instantiate is not on PATH",
			Fix:    "install Nix (Debian: apt-get install nix-bin), or give the versions with --nixpkgs-index FILE",
		}, false
	}
	if offline && src.dir == "" {
		return &NotEvaluatedError{
			Reason: "--offline: nixpkgs " + pin.label() + " has not been read yet and would have to be fetched",
			Fix:    "run once without --offline: each pin is read once, then cached",
		}, false
	}
	need := requiredNix(pin, src.dir)
	if need == "" {
		return nil, false
	}
	have, err := nixVersion(ctx, bin)
	if err != nil || compareVersions(have, need) >= 0 {
		return nil, false // an unreadable version is left to the evaluation to judge
	}
	return tooOld(have, need, "nixpkgs "+pin.label()), true
}

func tooOld(have, need, what string) *NotEvaluatedError {
	return &NotEvaluatedError{
		Reason: fmt.Sprintf("Nix %s is too old to evaluate %s (it needs Nix >= %s)", have, what, need),
		Fix:    "upgrade Nix, or pin an older nixpkgs with --nixpkgs",
	}
}

// requiredNix is the oldest Nix that can evaluate the pin: lib/minver.nix
// of a local directory, else what is known of its release, else "".
func requiredNix(pin Pin, dir string) string {
	if dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "lib", "minver.nix")); err == nil {
			return strings.Trim(strings.TrimSpace(string(data)), `"`)
		}
		return ""
	}
	if r, ok := releaseOf(pin); ok {
		return r.minNix
	}
	return ""
}

var nixVersionRE = lazyre.New(`(\d+(?:\.\d+)+)`)

// nixVersion asks nix-instantiate for its version ("2.8.0").
func nixVersion(ctx context.Context, bin string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "", err
	}
	m := nixVersionRE.R().FindString(string(out))
	if m == "" {
		return "", fmt.Errorf("unexpected nix-instantiate --version output %q", out)
	}
	return m, nil
}

// compareVersions compares dotted numeric versions ("2.8.0" < "2.18").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// nixIdentity names the Nix binary and its version on disk, so that a
// remembered failure is forgotten when Nix is installed or upgraded.
func nixIdentity(bin string) string {
	if bin == "" {
		return "none"
	}
	st, err := os.Stat(bin)
	if err != nil {
		return bin
	}
	return fmt.Sprintf("%s %d %d", bin, st.Size(), st.ModTime().UnixNano())
}

var requiresNixRE = lazyre.New(`requires Nix >= ([0-9.]+)`)

// evaluate runs walker.nix over src and builds the index.
func evaluate(ctx context.Context, bin string, src nixpkgsSource, pythonAttr, source string) (*Index, *NotEvaluatedError) {
	args := []string{"--eval", "--strict", "--json", "-E", walkerNix,
		"--arg", "nixpkgs", src.arg, "--argstr", "pythonAttr", pythonAttr,
		"--arg", "systems", "[ " + strings.Join(quoteAll(flakeSystemsPrimaryFirst()), " ") + " ]"}
	if src.dir != "" {
		args = append([]string{"--store", "dummy://"}, args...)
	} else {
		// Fail fast without network rather than retrying for minutes.
		args = append(args, "--option", "connect-timeout", "15", "--option", "download-attempts", "2")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		detail := lastLines(stderr.String(), 8)
		if m := requiresNixRE.R().FindStringSubmatch(stderr.String()); m != nil {
			have, _ := nixVersion(ctx, bin)
			nerr := tooOld(have, m[1], "this nixpkgs")
			nerr.Detail = detail
			return nil, nerr
		}
		return nil, &NotEvaluatedError{
			Reason: fmt.Sprintf("evaluating its %s package set failed: %s", pythonAttr, lastNixError(stderr.String(), err)),
			Fix:    fixFor(detail),
			Detail: detail,
		}
	}
	ix, err := decodeWalkerOutput(stdout.Bytes(), pythonAttr, source)
	if err != nil {
		return nil, &NotEvaluatedError{Reason: "Nix's answer could not be read: " + err.Error(), Fix: "report this as a req2nix bug"}
	}
	return ix, nil
}

// flakeSystemsPrimaryFirst is the systems the walker checks, x86_64-linux
// (whose package set the index describes) first: a fixed system, so that
// teammates on different machines get the same index.
func flakeSystemsPrimaryFirst() []string {
	out := []string{defaultSystem}
	for _, s := range flakeSystems {
		if s != defaultSystem {
			out = append(out, s)
		}
	}
	return out
}

const defaultSystem = "x86_64-linux"

// lastNixError is the line of a Nix failure that says what went wrong: its
// last "error:" line (earlier ones are retries and traces).
func lastNixError(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if _, msg, ok := strings.Cut(lines[i], "error: "); ok && !strings.HasPrefix(lines[i], "warning:") {
			return strings.TrimSpace(msg)
		}
	}
	if s := strings.TrimSpace(lines[len(lines)-1]); s != "" {
		return s
	}
	return err.Error()
}

// fixFor suggests what to do about a failed evaluation.
func fixFor(stderr string) string {
	retry := "req2nix tries again in an hour, or now with --refresh"
	for _, network := range []string{"unable to download", "Could not resolve host", "Couldn't resolve host", "Connection refused", "Timeout was reached", "Failed to connect"} {
		if strings.Contains(stderr, network) {
			return "no network? " + retry
		}
	}
	return "-v shows Nix's output; " + retry
}

// lastLines returns the last n non-empty lines of s, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// walkerOutput is what walker.nix prints.
type walkerOutput struct {
	PythonAttr    string          `json:"python_attr"`
	PythonVersion string          `json:"python_version"`
	Packages      []walkerPackage `json:"packages"`
	OtherAttrs    []string        `json:"other_attrs"`
}

type walkerPackage struct {
	Attr         string      `json:"attr"`
	PName        string      `json:"pname"`
	Version      string      `json:"version"`
	Dependencies [][2]string `json:"dependencies"` // [pname, version] of each; null = could not be evaluated
	BuildSystem  [][2]string `json:"build_system"`
	Platforms    []string    `json:"platforms"`
}

// decodeWalkerOutput builds the index from walker.nix's output. A package
// available on none of the systems counts as another attribute (it cannot
// be used, nor shadowed). Dependencies and build-systems, reported as
// (pname, version), become the attributes that ship exactly that version,
// canonical first (as lookupVersion chooses); one that is not a package of
// the set is left out.
func decodeWalkerOutput(data []byte, pythonAttr, source string) (*Index, error) {
	var w walkerOutput
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	var entries []Entry
	others := w.OtherAttrs
	for _, p := range w.Packages {
		if len(p.Platforms) == 0 {
			others = append(others, p.Attr)
			continue
		}
		entries = append(entries, Entry{Attr: p.Attr, PName: p.PName, Version: p.Version, Platforms: sortedSystems(p.Platforms)})
	}
	ix, err := NewIndex(pythonAttr, source, entries, others)
	if err != nil {
		return nil, err
	}
	ix.PythonVersion = w.PythonVersion
	for _, p := range w.Packages {
		i, ok := ix.pkgs.find(p.Attr)
		if !ok {
			continue
		}
		e := &ix.pkgs.entries[i] // decoded: NewIndex built it
		e.Dependencies = ix.attrsOf(p.Dependencies, p.Attr)
		e.BuildSystem = ix.attrsOf(p.BuildSystem, p.Attr)
	}
	return ix, nil
}

// attrsOf maps (pname, version) pairs to attributes, sorted and without
// duplicates or self; nil stays nil (unknown).
func (ix *Index) attrsOf(refs [][2]string, self string) []string {
	if refs == nil {
		return nil
	}
	out := []string{}
	for _, r := range refs {
		if e, ok := ix.lookupExact(r[0], r[1]); ok && e.Attr != self {
			out = append(out, e.Attr)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lookupExact finds the entry of pname shipping exactly version.
func (ix *Index) lookupExact(pname, version string) (Entry, bool) {
	for _, e := range ix.named(pep508.NormalizeName(pname)) {
		if e.Version == version {
			return e, true
		}
	}
	return Entry{}, false
}

// sortedSystems orders systems as flakeSystems does, so that the cache
// stores them as a mask.
func sortedSystems(systems []string) []string {
	out := slices.Clone(systems)
	slices.SortFunc(out, func(a, b string) int { return systemBit(a) - systemBit(b) })
	return slices.Compact(out)
}

// failureCache remembers, beside the index cache file, that a pin could
// not be evaluated, with the Nix binary of the attempt.
type failureCache struct {
	path string // the index cache file; the failure is path + ".failed"
	nix  string // nixIdentity of the Nix on PATH
	now  func() time.Time
}

type rememberedFailure struct {
	At     time.Time `json:"at"`
	Nix    string    `json:"nix"`
	Reason string    `json:"reason"`
	Fix    string    `json:"fix"`
	Detail string    `json:"detail,omitempty"`
}

// recall returns the remembered failure, if one is fresh and was met with
// the same Nix.
func (c failureCache) recall() *NotEvaluatedError {
	if c.path == "" {
		return nil
	}
	data, err := os.ReadFile(c.path + ".failed")
	if err != nil {
		return nil
	}
	var f rememberedFailure
	if json.Unmarshal(data, &f) != nil || f.Nix != c.nix {
		return nil
	}
	if age := c.now().Sub(f.At); age < 0 || age >= FailureTTL {
		return nil
	}
	return &NotEvaluatedError{Reason: f.Reason, Fix: f.Fix, Since: f.At, Detail: f.Detail}
}

func (c failureCache) remember(e *NotEvaluatedError) {
	if c.path == "" {
		return
	}
	data, err := json.Marshal(rememberedFailure{At: c.now().UTC(), Nix: c.nix, Reason: e.Reason, Fix: e.Fix, Detail: e.Detail})
	if err == nil {
		_ = writeFileAtomic(c.path+".failed", data) // best effort: the next run merely tries again
	}
}

func (c failureCache) forget() {
	if c.path != "" {
		os.Remove(c.path + ".failed")
	}
}
