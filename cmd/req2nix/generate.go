package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/pypi/vcs"
	"github.com/req2nix/req2nix/resolver"
)

// result is what one run produced.
type result struct {
	output   []byte
	format   string        // the output's format (nixgen.FormatShell, ...)
	lockNote string        // the lock file read instead of resolving, for the summary ("" when resolved)
	extra    []extraOutput // files beside the output (default.nix for --app)
	python   pythonChoice  // the interpreter request and where it came from
	multi    *resolver.MultiResolution
	plan     *nixgen.MultiPlan
	index    *nixgen.Index
	nixpkgs  *nixpkgsChoice
	warnings []string
}

// inputError is a problem with the user's files or flags: exit status 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// generate runs the pipeline: read inputs, choose the interpreter, load the
// nixpkgs index, resolve (nixpkgs' own build tools fixed at its versions),
// plan once (reading build systems and module names from the files) and
// render the plan.
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
	nixpkgs, err := choosePin(ctx, o, env, ui)
	if err != nil {
		var inErr *inputError
		if errors.As(err, &inErr) || !nixgen.IsChannel(o.nixpkgsRev) {
			return nil, &inputError{err}
		}
		return nil, err // resolving a channel failed: network, not input
	}
	defer nixpkgs.close()
	pin := nixpkgs.pin
	python, target, app, err := recipeInputs(o, pin, in, lock)
	if err != nil {
		return nil, &inputError{err}
	}
	pythonAttr := target.IndexAttr
	ix, indexNote, err := loadNixpkgsIndex(ctx, o, nixpkgs, pythonAttr, ui)
	if err != nil {
		return nil, err
	}
	pinVersion := exactPython(target.PinVersion, ix.PythonVersion)
	interpreter, err := interpreterOf(ctx, o, env, target, pinVersion, ui)
	if err != nil {
		return nil, err
	}
	pythonVersion := pinVersion
	if target.Exact() {
		pythonVersion = target.Version
	}
	pinned, directPins, err := previousPins(o)
	if err != nil {
		return nil, err
	}
	cutoff, err := settleExcludeNewer(o)
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
	git, cleanup, err := gitReader(o)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	ui.startProgress(client)
	multi, err := resolveSystems(ctx, client, resolveInput{
		in: in, lock: lock, python: pythonVersion, freeThreaded: target.FreeThreaded, ix: ix, pins: pinned, directPins: directPins, cutoff: cutoff, git: git,
	}, o, env, ui)
	if err != nil {
		return nil, err
	}
	facts := newIndexFacts(client, cacheDir(o))
	plan, err := planSystems(ctx, multi, ix, facts, nixgen.PlanOptions{
		OutputDir:   filepath.Dir(o.output), // "." for stdout: the current directory
		Interpreter: interpreter,
		Fallback:    o.fallback,
		Pip:         o.pipPkgs,
		PipIndexURL: firstNonEmpty(o.indexURL, in.IndexURL, env("PIP_INDEX_URL")),
		App:         app,
	})
	if err != nil {
		return nil, err
	}
	renderOpts := nixgen.Options{
		Format:       o.format,
		Pin:          pin,
		Command:      regenerateCommand(o),
		Inputs:       o.inputs,
		ExcludeNewer: o.excludeNewer,
	}
	out, err := plan.Render(renderOpts)
	if err != nil {
		return nil, err
	}
	extra, err := appOutput(o, plan, renderOpts)
	if err != nil {
		return nil, err
	}
	warnings := append(append([]string{}, in.Warnings...), plan.Warnings()...)
	if indexNote != "" {
		warnings = append(warnings, indexNote)
	}
	warnings = append(warnings, nixpkgs.notes...)
	warnings = append(warnings, unknownUpgrades(o.upgradePkgs, resolvedNames(multi))...)
	if w := cacheWarning(o, client.Stats().Requests); w != "" {
		warnings = append(warnings, w)
	}
	warnings = append(warnings, systemsWarnings(multi, in, pythonAttr)...)
	if w := facts.warning(); w != "" {
		warnings = append(warnings, w)
	}
	r := &result{output: out, format: renderOpts.Format, extra: extra, python: python, multi: multi, plan: plan, index: ix, nixpkgs: nixpkgs}
	r.warnings = append(warnings, recipeWarnings(o, r)...)
	if lock != nil {
		r.lockNote = lock.note
	}
	return r, nil
}

// emptyEnvironmentNote says why nothing was resolved: the inputs declare
// no requirement (and, for a pyproject.toml, which groups or extras would
// add some), or the markers of every one exclude the target systems.
func emptyEnvironmentNote(in *reqfile.File, pythonAttr, platform string) string {
	if len(in.Requirements) > 0 {
		return fmt.Sprintf("no requirement applies to %s on %s (the markers of each exclude it), so the environment has Python alone", pythonAttr, platform)
	}
	note := fmt.Sprintf("%s declares no dependencies, so the environment has Python alone", strings.Join(in.Inputs, " and "))
	if len(in.Inputs) > 1 {
		note = strings.Replace(note, "declares", "declare", 1)
	}
	if len(in.Groups) > 0 {
		note += fmt.Sprintf("; its dependency groups are included only when named: pass --group %s (groups: %s)", in.Groups[0], strings.Join(in.Groups, ", "))
	}
	if len(in.Extras) > 0 {
		note += fmt.Sprintf("; to include extras, pass --extra %s or --extra all (extras: %s)", in.Extras[0], strings.Join(in.Extras, ", "))
	}
	return note
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

// unknownUpgrades warns about each -P name that no system resolved: a
// misspelt name would otherwise upgrade nothing without a word.
func unknownUpgrades(names []string, resolved map[string]bool) []string {
	var warnings []string
	for _, name := range names {
		if !resolved[pep508.NormalizeName(name)] {
			warnings = append(warnings, fmt.Sprintf("-P %s: no package of that name was resolved, so nothing was upgraded for it; check the spelling", name))
		}
	}
	return warnings
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

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
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

// previousPins reads the versions the -o file pins, on every system and
// on each, and the commits and digests of its direct references, so that
// a re-run keeps them (unless --upgrade). A missing file pins nothing.
func previousPins(o *options) (nixgen.Pins, map[string]resolver.DirectPin, error) {
	if o.output == "" || o.upgrade {
		return nixgen.Pins{}, nil, nil
	}
	data, err := os.ReadFile(o.output)
	if errors.Is(err, os.ErrNotExist) {
		return nixgen.Pins{}, nil, nil
	}
	if err != nil {
		return nixgen.Pins{}, nil, &inputError{err}
	}
	if !bytes.Contains(data, []byte("req2nix")) {
		return nixgen.Pins{}, nil, &inputError{fmt.Errorf("-o %s exists and was not generated by req2nix; to replace it, add --upgrade, or choose another output file", o.output)}
	}
	pins, err := nixgen.ReadSystemPins(data)
	if err != nil {
		return nixgen.Pins{}, nil, &inputError{fmt.Errorf("%s: %w (use --upgrade to ignore its pins)", o.output, err)}
	}
	direct, err := nixgen.ReadDirectPins(data)
	if err != nil {
		return nixgen.Pins{}, nil, &inputError{fmt.Errorf("%s: %w (use --upgrade to ignore its pins)", o.output, err)}
	}
	return pins, direct, nil
}

// gitReader reads git repositories for git references, cached under the
// cache directory (a temporary one, removed by cleanup, when there is
// none).
func gitReader(o *options) (git *vcs.Git, cleanup func(), err error) {
	dir, cleanup := cacheDir(o), func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "req2nix-git-"); err != nil {
			return nil, nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	return vcs.New(vcs.Options{CacheDir: dir, Offline: o.offline}), cleanup, nil
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
	add("--python-hash", o.pythonHash)
	add("--interpreter", o.interpreter)
	if o.optimizedPython {
		parts = append(parts, "--optimized-python")
	}
	parts = append(parts, platformFlags(o)...)
	if o.output == "" {
		// An -o file records its nixpkgs, which a re-run keeps.
		add("--nixpkgs", o.nixpkgsRev)
		add("--nixpkgs-sha256", o.nixpkgsSHA256)
	}
	add("--nixpkgs-index", o.nixpkgsIndex)
	if o.noEvalNixpkgs {
		parts = append(parts, "--no-eval-nixpkgs")
	}
	add("--index-url", pypi.Redact(o.indexURL))
	for _, u := range o.extraIndexURLs {
		add("--extra-index-url", pypi.Redact(u))
	}
	if o.pre {
		parts = append(parts, "--pre")
	}
	add("--exclude-newer", o.excludeNewer)
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
	if len(o.pipPkgs) == 0 {
		add("--fallback", o.fallback)
	} else if o.fallback != nixgen.FallbackPip {
		add("--fallback", o.fallback)
	}
	for _, name := range sortedCopy(o.pipPkgs) {
		add("--pip", name)
	}
	if o.app {
		parts = append(parts, "--app")
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
