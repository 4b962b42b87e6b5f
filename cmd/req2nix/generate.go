package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/reqfile"
	"github.com/req2nix/req2nix/resolver"
)

// result is what one run produced.
type result struct {
	output     []byte
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
	in, err := readInputs(o)
	if err != nil {
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
	ix, err := loadNixpkgsIndex(ctx, o, pin, pythonAttr)
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
		CacheDir:       o.cacheDir,
		Offline:        o.offline,
		Refresh:        o.refresh,
		Jobs:           o.jobs,
		Logger:         ui.logger,
	})
	if err != nil {
		return nil, &inputError{err}
	}
	ui.startProgress(client)
	res, err := resolver.Resolve(ctx, client, in, resolver.Options{
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
	if err != nil {
		return nil, err
	}
	out, err := nixgen.Generate(res, ix, nixgen.Options{
		Format:     o.format,
		Pin:        pin,
		PythonAttr: pythonAttr,
		Command:    regenerateCommand(o),
		Inputs:     o.inputs,
	})
	if err != nil {
		return nil, err
	}
	warnings := append(append([]string{}, in.Warnings...), res.Warnings...)
	return &result{output: out, resolution: res, plan: nixgen.Plan(res, ix), pythonAttr: pythonAttr, index: ix, warnings: warnings}, nil
}

// readInputs reads the named files, or the project in the current directory.
func readInputs(o *options) (*reqfile.File, error) {
	if len(o.inputs) == 0 {
		o.inputs = []string{"."}
	}
	return reqfile.Load(o.inputs, reqfile.Selection{Extras: o.extras, Groups: o.groups, AllExtras: o.allExtras})
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
	case isDir(o.nixpkgsRev):
		return nixgen.Pin{Path: o.nixpkgsRev}, nil
	case o.nixpkgsSHA256 == "":
		return nixgen.Pin{}, fmt.Errorf("--nixpkgs %s needs --nixpkgs-sha256 (the NAR hash fetchTarball checks; `nix-prefetch-url --unpack https://github.com/NixOS/nixpkgs/archive/%s.tar.gz` prints it)", o.nixpkgsRev, o.nixpkgsRev)
	default:
		return nixgen.Pin{
			Rev:    o.nixpkgsRev,
			SHA256: o.nixpkgsSHA256,
			URL:    "https://github.com/NixOS/nixpkgs/archive/" + o.nixpkgsRev + ".tar.gz",
		}, nil
	}
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// loadNixpkgsIndex picks the first available source: the user's JSON file,
// an evaluation of a local nixpkgs, or the embedded index.
func loadNixpkgsIndex(ctx context.Context, o *options, pin nixgen.Pin, pythonAttr string) (*nixgen.Index, error) {
	switch {
	case o.nixpkgsIndex != "":
		ix, err := nixgen.LoadIndexFile(o.nixpkgsIndex, pythonAttr)
		if err != nil {
			return nil, &inputError{err}
		}
		return ix, nil
	case pin.Path != "":
		return nixgen.EvalIndex(ctx, pin.Path, pythonAttr, o.cacheDir)
	default:
		return nixgen.EmbeddedIndex(pythonAttr)
	}
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
