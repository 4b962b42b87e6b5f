package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/resolver"
)

// result is what one run produced.
type result struct {
	output     []byte
	lockNote   string // the lock file read instead of resolving, for the summary ("" when resolved)
	resolution *resolver.Resolution
	plan       []nixgen.Decision
	pythonAttr string
	index      *nixgen.Index
	warnings   []string
}

// inputError is a problem with the user's files or flags: exit status 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// generate runs the pipeline: read inputs, choose the interpreter, load the
// nixpkgs index, resolve, emit.
func generate(ctx context.Context, o *options, env func(string) string, ui *ui) (*result, error) {
	if err := checkOutputPath(o); err != nil {
		return nil, &inputError{err}
	}
	in, lock, err := readInputs(o)
	if err != nil {
		return nil, &inputError{err}
	}
	if err := checkOutputNotInput(o, in); err != nil {
		return nil, &inputError{err}
	}
	pin, err := choosePin(o)
	if err != nil {
		return nil, &inputError{err}
	}
	pythonAttr, pythonVersion, err := nixgen.ChoosePython(pin, o.python, in.RequiresPython)
	if err != nil {
		return nil, &inputError{err}
	}
	ix, indexNote, err := loadNixpkgsIndex(ctx, o, pin, pythonAttr, ui)
	if err != nil {
		return nil, err
	}
	pinned, err := previousPins(o)
	if err != nil {
		return nil, err
	}
	client, err := pypi.New(pypi.Options{
		IndexURL:       firstNonEmpty(o.indexURL, in.IndexURL, env("PIP_INDEX_URL")),
		ExtraIndexURLs: append(append([]string{}, in.ExtraIndexURLs...), o.extraIndexURLs...),
		CacheDir:       cacheDir(o),
		Offline:        o.offline,
		Refresh:        o.refresh,
		Jobs:           o.jobs,
		Logger:         ui.logger,
	})
	if err != nil {
		if origins := indexOrigins(o, in, env); origins != "" {
			err = fmt.Errorf("%w; %s", err, origins)
		}
		return nil, &inputError{err}
	}
	defer client.Close()
	ui.startProgress(client)
	var res *resolver.Resolution
	if lock != nil {
		res, err = resolveLock(ctx, client, lock, o, pythonVersion, ix.Versions(), env)
	} else {
		res, err = resolver.Resolve(ctx, client, in, resolver.Options{
			Python:          pythonVersion,
			Platform:        o.platform,
			Pre:             o.pre,
			Pinned:          pinned,
			Upgrade:         o.upgrade,
			UpgradePackages: o.upgradePkgs,
			Nixpkgs:         ix.Versions(),
			PreferNixpkgs:   o.preferNixpkgs,
			Progress:        ui.resolverEvent,
		})
	}
	if err != nil {
		return nil, err
	}
	plan := nixgen.Plan(res, ix)
	warnings := append(append([]string{}, in.Warnings...), res.Warnings...)
	if indexNote != "" {
		warnings = append(warnings, indexNote)
	}
	warnings = append(warnings, unknownUpgrades(o.upgradePkgs, res)...)
	if w := cacheWarning(o, client.Stats().Requests); w != "" {
		warnings = append(warnings, w)
	}
	if len(res.Packages) == 0 {
		warnings = append(warnings, fmt.Sprintf("no requirement applies to %s on %s, so the environment has Python alone", pythonAttr, o.platform))
	}
	if w := patchWarning(o.python, pythonAttr, pythonVersion); w != "" {
		warnings = append(warnings, w)
	}
	buildRequires, notes := sdistBuildRequires(ctx, client, res, plan)
	warnings = append(warnings, notes...)
	opts := nixgen.Options{
		Format:        o.format,
		Pin:           pin,
		PythonAttr:    pythonAttr,
		Command:       regenerateCommand(o),
		Inputs:        o.inputs,
		BuildRequires: buildRequires,
		OutputDir:     filepath.Dir(o.output), // "." for stdout: the current directory
	}
	out, err := nixgen.Generate(res, ix, opts)
	if err != nil {
		return nil, err
	}
	if final, err := nixgen.FinalPlan(res, ix, opts); err == nil {
		plan = final // with the notes Generate's last steps add, for the summary
	}
	r := &result{output: out, resolution: res, plan: plan, pythonAttr: pythonAttr, index: ix, warnings: warnings}
	if lock != nil {
		r.lockNote = lock.note
	}
	return r, nil
}

// checkOutputNotInput refuses an -o that is one of the files read (named,
// found in a named directory, or included with -r/-c): writing it would
// replace the requirements with Nix.
func checkOutputNotInput(o *options, in *reqfile.File) error {
	out, err := os.Stat(o.output)
	if o.output == "" || err != nil {
		return nil
	}
	paths := slices.Clone(o.inputs)
	for _, dir := range o.inputs {
		paths = append(paths, filepath.Join(dir, "pyproject.toml"), filepath.Join(dir, "requirements.txt"))
	}
	for _, r := range slices.Concat(in.Requirements, in.Constraints) {
		paths = append(paths, r.Source.File)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && os.SameFile(st, out) {
			return fmt.Errorf("-o %s is also an input (%s); writing it would replace the requirements: choose another output file, such as shell.nix", o.output, p)
		}
	}
	return nil
}

// indexOrigins says which index URLs did not come from the command line,
// for an error about one of them: a bad PIP_INDEX_URL is otherwise a
// mystery.
func indexOrigins(o *options, in *reqfile.File, env func(string) string) string {
	var origins []string
	switch {
	case o.indexURL != "":
	case in.IndexURL != "":
		origins = append(origins, "the index URL is set at "+in.IndexURLSource.String())
	case env("PIP_INDEX_URL") != "":
		origins = append(origins, "the index URL is set by PIP_INDEX_URL")
	}
	if len(in.ExtraIndexURLs) > 0 {
		origins = append(origins, "extra index URLs are set in "+strings.Join(o.inputs, ", "))
	}
	if o.extraFromEnv {
		origins = append(origins, "extra index URLs are set by PIP_EXTRA_INDEX_URL")
	}
	return strings.Join(origins, "; ")
}

// unknownUpgrades warns about each -P name that is not in the resolution: a
// misspelt name would otherwise upgrade nothing without a word.
func unknownUpgrades(names []string, res *resolver.Resolution) []string {
	var warnings []string
	for _, name := range names {
		_, found := slices.BinarySearchFunc(res.Packages, pep508.NormalizeName(name), func(p resolver.Package, n string) int {
			return strings.Compare(p.Name, n)
		})
		if !found {
			warnings = append(warnings, fmt.Sprintf("-P %s: no package of that name was resolved, so nothing was upgraded for it; check the spelling", name))
		}
	}
	return warnings
}

// buildRequiresTimeout bounds the optional download of sdists whose
// [build-system] requires are read: without them the build defaults to
// setuptools, which is right for most older sdists.
const buildRequiresTimeout = 30 * time.Second

// sdistBuildRequires reads the [build-system] requires of every package
// that will be built new from its sdist (nixpkgs lacks it and there is no
// pure wheel). Failures are notes, not errors: the build then defaults to
// setuptools.
func sdistBuildRequires(ctx context.Context, client *pypi.Client, res *resolver.Resolution, plan []nixgen.Decision) (map[string][]string, []string) {
	ctx, cancel := context.WithTimeout(ctx, buildRequiresTimeout)
	defer cancel()
	requires := map[string][]string{}
	var notes []string
	for _, d := range plan {
		if d.Kind != nixgen.KindNew || d.Src == nil || d.Src.FileKind != "sdist" {
			continue
		}
		f, ok := resolvedFile(res, d.Name, d.Src.Filename)
		if !ok {
			continue
		}
		reqs, err := client.BuildRequires(ctx, pypi.File{Filename: f.Filename, URL: f.URL, SHA256: f.SHA256, PackageType: "sdist"})
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s %s: could not read its build system (%v); building it with setuptools", d.Name, d.Version, err))
			continue
		}
		requires[d.Name] = reqs
	}
	return requires, notes
}

// patchWarning says when --python named a patch release other than the one
// the pinned nixpkgs has: markers are evaluated for the interpreter the
// environment will really contain.
func patchWarning(requested, attr, version string) string {
	if strings.Count(requested, ".") < 2 || requested == version {
		return ""
	}
	return fmt.Sprintf("--python %s: the pinned nixpkgs' %s is %s, so the resolution targets %s", requested, attr, version, version)
}

// resolvedFile finds a file of a resolved package by name.
func resolvedFile(res *resolver.Resolution, name, filename string) (resolver.File, bool) {
	for _, p := range res.Packages {
		if p.Name != name {
			continue
		}
		for _, f := range p.Files {
			if f.Filename == filename {
				return f, true
			}
		}
	}
	return resolver.File{}, false
}

// readInputs reads the named files, or the project in the current
// directory; a lock file (named, or in a named directory) is read instead
// of the requirements it was made from.
func readInputs(o *options) (*reqfile.File, *lockInput, error) {
	if len(o.inputs) == 0 {
		o.inputs = []string{"."}
	}
	if path, note, err := findLock(o.inputs); err != nil || path != "" {
		if err != nil {
			return nil, nil, err
		}
		lock, in, err := readLock(o, path, note)
		return in, lock, err
	}
	in, err := reqfile.Load(o.inputs, reqfile.Selection{Extras: o.extras, Groups: o.groups, AllExtras: o.allExtras})
	return in, nil, err
}

// choosePin is the embedded default pin, or the one --nixpkgs names: a
// local checkout when it is a directory, else a git revision with its hash.
func choosePin(o *options) (nixgen.Pin, error) {
	switch {
	case o.nixpkgsRev == "":
		if o.nixpkgsSHA256 != "" {
			return nixgen.Pin{}, errors.New("--nixpkgs-sha256 needs --nixpkgs REV")
		}
		return nixgen.DefaultPin(), nil
	case isDir(o.nixpkgsRev) && !isFile(filepath.Join(o.nixpkgsRev, "default.nix")):
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs %s: the directory has no default.nix, so it is not a nixpkgs checkout", o.nixpkgsRev)
	case isDir(o.nixpkgsRev):
		return nixgen.Pin{Path: o.nixpkgsRev}, nil
	case looksLikePath(o.nixpkgsRev):
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs %s: no such directory; give the path of a local nixpkgs checkout, or a git revision", o.nixpkgsRev)
	case !gitRevRE.MatchString(o.nixpkgsRev):
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs %q is not a git revision; give a commit hash such as %s", o.nixpkgsRev, nixgen.DefaultPin().Rev)
	case o.nixpkgsSHA256 == "":
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs %s needs --nixpkgs-sha256 (the NAR hash fetchTarball checks; `nix-prefetch-url --unpack https://github.com/NixOS/nixpkgs/archive/%s.tar.gz` prints it)", o.nixpkgsRev, o.nixpkgsRev)
	case !isSHA256(o.nixpkgsSHA256):
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs-sha256 %q is not a sha256: give it in SRI form (sha256-<44 base64 characters>), Nix base32 (52 characters) or hex (64 characters)", o.nixpkgsSHA256)
	default:
		return nixgen.Pin{
			Rev:    o.nixpkgsRev,
			SHA256: o.nixpkgsSHA256,
			URL:    "https://github.com/NixOS/nixpkgs/archive/" + o.nixpkgsRev + ".tar.gz",
		}, nil
	}
}

// gitRevRE is what a git revision, tag or branch name can look like in a
// GitHub archive URL.
var gitRevRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// looksLikePath tells a --nixpkgs meant as a local checkout from a revision.
func looksLikePath(s string) bool {
	return strings.ContainsRune(s, filepath.Separator) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~")
}

// isSHA256 accepts a sha256 in the forms Nix reads: SRI, Nix base32, hex.
func isSHA256(h string) bool {
	if b64, ok := strings.CutPrefix(h, "sha256-"); ok {
		raw, err := base64.StdEncoding.DecodeString(b64)
		return err == nil && len(raw) == sha256.Size
	}
	h = strings.TrimPrefix(h, "sha256:")
	return nix32RE.MatchString(h) || hex64RE.MatchString(h)
}

var (
	nix32RE = regexp.MustCompile(`^[0-9abcdfghijklmnpqrsvwxyz]{52}$`)
	hex64RE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// loadNixpkgsIndex picks the first available source: the user's JSON file,
// an evaluation of the pinned nixpkgs (a local checkout, or another
// revision than the default, which Nix fetches), or the embedded index of
// the default pin.
// The note, when not "", is a warning for the summary: the index wanted
// could not be had and the embedded names stand in.
func loadNixpkgsIndex(ctx context.Context, o *options, pin nixgen.Pin, pythonAttr string, ui *ui) (*nixgen.Index, string, error) {
	const fallback = "; using the embedded attribute names, so every package is overridden"
	note := ""
	switch {
	case o.nixpkgsIndex != "":
		ix, err := nixgen.LoadIndexFile(o.nixpkgsIndex, pythonAttr)
		if err != nil {
			return nil, "", &inputError{err}
		}
		return ix, "", nil
	case pin.Path != "":
		ix, err := nixgen.EvalIndex(ctx, pin.Path, pythonAttr, cacheDir(o))
		return ix, "", err
	case o.evalNixpkgs && o.offline:
		note = "--eval-nixpkgs was skipped: --offline forbids fetching nixpkgs" + fallback
	case pin.Rev != nixgen.DefaultPin().Rev && o.offline:
		note = "nixpkgs " + pin.Rev + " was not evaluated: --offline forbids fetching it" + fallback
	case o.evalNixpkgs || pin.Rev != nixgen.DefaultPin().Rev && !o.offline:
		ix, err := nixgen.EvalIndex(ctx, pin.Rev, pythonAttr, cacheDir(o))
		if err == nil {
			return ix, "", nil
		}
		ui.logger.Debug("evaluating the pinned nixpkgs failed", "err", err)
		note = "could not evaluate the pinned nixpkgs for its package versions (" + lastNixError(err) + ")" + fallback + " (-v shows Nix's output)"
	}
	ix, err := nixgen.EmbeddedIndex(pythonAttr)
	return ix, note, err
}

// lastNixError is the line of a nix-instantiate failure that says what went
// wrong: its last "error:" line (earlier ones are retries and traces).
func lastNixError(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if _, msg, ok := strings.Cut(lines[i], "error: "); ok && !strings.HasPrefix(lines[i], "warning:") {
			return msg
		}
	}
	return lines[len(lines)-1]
}

// cacheWarning says when the cache directory cannot be written: the index
// client then carries on uncached (logging each miss only with -v), and a
// later --offline run would fail without this explaining why.
// Only a run that made HTTP requests (file:// mirrors are not cached) warns.
func cacheWarning(o *options, requests int64) string {
	dir := cacheDir(o)
	if dir == "" || o.offline || requests == 0 {
		return ""
	}
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		var probe *os.File
		if probe, err = os.CreateTemp(dir, ".probe-*"); err == nil {
			probe.Close()
			os.Remove(probe.Name())
		}
	}
	if err != nil {
		return fmt.Sprintf("cache directory %s cannot be written (%v), so nothing was cached and --offline will not work; use --cache-dir DIR", dir, pathErrorCause(err))
	}
	return ""
}

// cacheDir is where req2nix caches: --cache-dir, else $XDG_CACHE_HOME/req2nix
// or the platform's user cache directory.
func cacheDir(o *options) string {
	if o.cacheDir != "" {
		return o.cacheDir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "req2nix")
	}
	return ""
}

// previousPins reads the versions the -o file pins, so that a re-run keeps
// them (unless --upgrade). A missing file pins nothing.
func previousPins(o *options) (map[string]string, error) {
	if o.output == "" || o.upgrade {
		return nil, nil
	}
	data, err := os.ReadFile(o.output)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &inputError{err}
	}
	if !bytes.Contains(data, []byte("req2nix")) {
		return nil, &inputError{fmt.Errorf("-o %s exists and was not generated by req2nix; to replace it, add --upgrade, or choose another output file", o.output)}
	}
	pins, err := nixgen.ReadPins(data)
	if err != nil {
		return nil, &inputError{fmt.Errorf("%s: %w (use --upgrade to ignore its pins)", o.output, err)}
	}
	return pins, nil
}

// regenerateCommand is the canonical command line that reproduces the
// output, for its header: only flags that change the output, in a fixed
// order, so that the header does not depend on how the user spelled them.
func regenerateCommand(o *options) string {
	parts := []string{"req2nix"}
	add := func(flag, value string) {
		if value != "" {
			parts = append(parts, flag, shellQuote(value))
		}
	}
	if o.format != "shell" {
		add("--format", o.format)
	}
	add("--python", o.python)
	if o.platform != defaultPlatform() {
		add("--platform", o.platform)
	}
	add("--nixpkgs", o.nixpkgsRev)
	add("--nixpkgs-sha256", o.nixpkgsSHA256)
	add("--nixpkgs-index", o.nixpkgsIndex)
	add("--index-url", pypi.Redact(o.indexURL))
	for _, u := range o.extraIndexURLs {
		add("--extra-index-url", pypi.Redact(u))
	}
	if o.pre {
		parts = append(parts, "--pre")
	}
	if o.allExtras {
		add("--extra", "all")
	}
	for _, e := range sortedCopy(o.extras) {
		add("--extra", e)
	}
	for _, g := range sortedCopy(o.groups) {
		add("--group", g)
	}
	if !o.preferNixpkgs {
		parts = append(parts, "--prefer-newest")
	}
	add("-o", o.output)
	for _, in := range o.inputs {
		parts = append(parts, shellQuote(in))
	}
	return strings.Join(parts, " ")
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	sort.Strings(c)
	return c
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
