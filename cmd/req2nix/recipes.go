package main

// The recipes' flags (issue 13): the interpreter asked for (--python, a
// .python-version file, --interpreter, --python-hash, --optimized-python),
// the pip fallback (--fallback, --pip) and the application (--app); their
// summary lines; and default.nix beside the shell.

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// validateRecipes checks the recipes' flags and how they combine with the
// output format.
func (o *options) validateRecipes() error {
	switch o.fallback {
	case "", nixgen.FallbackPip, nixgen.FallbackFHS:
	default:
		return usageErrorf("--fallback %q: choose pip or fhs", o.fallback)
	}
	for _, name := range o.pipPkgs {
		if !pep508.ValidName(name) {
			return usageErrorf("--pip %s: give a package name only", name)
		}
	}
	if len(o.pipPkgs) > 0 && o.fallback == "" {
		o.fallback = nixgen.FallbackPip
	}
	if o.format == "overlay" && (o.fallback != "" || o.app) {
		return usageErrorf("--fallback, --pip and --app need a shell: overlay.nix holds the package set only; use --format shell or flake")
	}
	if o.app && o.format == "shell" && o.output == "" {
		return usageErrorf("--app writes default.nix beside the shell: give -o shell.nix (or use --format flake, whose packages.default builds the project)")
	}
	if o.app && o.format == "shell" && filepath.Base(o.output) == appFile {
		return usageErrorf("-o %s: --app writes %s itself (the project's build); name the shell shell.nix", o.output, appFile)
	}
	if o.pythonHash != "" {
		sri, ok := sriOf(o.pythonHash)
		if !ok {
			return usageErrorf("--python-hash %q: give the sha256 of the tarball in SRI form (sha256-<44 base64 characters>) or as 64 hex digits", o.pythonHash)
		}
		o.pythonHash = sri
	}
	return nil
}

// appFile is where --app puts the project's build, beside the shell.
const appFile = "default.nix"

// sriOf turns a sha256 given as SRI or hex into SRI.
func sriOf(h string) (string, bool) {
	if b64, ok := strings.CutPrefix(h, "sha256-"); ok {
		raw, err := base64.StdEncoding.DecodeString(b64)
		return h, err == nil && len(raw) == 32
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(h, "sha256:"))
	if err != nil || len(raw) != 32 {
		return "", false
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(raw), true
}

// projectDir is the directory of the project the inputs describe: the
// named directory, or the directory of the first file (of the lock file
// read).
func projectDir(o *options, lock *lockInput) string {
	if lock != nil {
		return filepath.Dir(lock.lock.Path)
	}
	if len(o.inputs) == 0 || isDir(o.inputs[0]) {
		return firstNonEmpty(append(o.inputs, ".")...)
	}
	return filepath.Dir(o.inputs[0])
}

// pythonChoice is the interpreter request and where it came from.
type pythonChoice struct {
	request *nixgen.PythonRequest // nil: none
	from    string                // "--python", or the .python-version file
	notes   []string              // the file's skipped lines, as warnings
}

// pythonRequest reads --python, else the project's .python-version (as
// pyenv and uv do); neither means no request.
func pythonRequest(o *options, lock *lockInput) (pythonChoice, error) {
	if o.python != "" {
		r, err := nixgen.ParsePythonRequest(o.python)
		if err != nil {
			return pythonChoice{}, fmt.Errorf("--python: %w", err)
		}
		return pythonChoice{request: &r, from: "--python"}, nil
	}
	file := filepath.Join(projectDir(o, lock), ".python-version")
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return pythonChoice{}, nil
	}
	if err != nil {
		return pythonChoice{}, fmt.Errorf("%s: %v", file, pathErrorCause(err))
	}
	r, notes, err := nixgen.ParsePythonVersionFile(file, data)
	if err != nil {
		return pythonChoice{}, fmt.Errorf("%w (or give --python, which wins over the file)", err)
	}
	return pythonChoice{request: &r, from: file, notes: notes}, nil
}

// recipeInputs reads what the recipes need before the index: the Python
// request, the target interpreter, and the project for --app.
func recipeInputs(o *options, pin nixgen.Pin, in *reqfile.File, lock *lockInput) (pythonChoice, nixgen.InterpreterTarget, *nixgen.AppProject, error) {
	python, err := pythonRequest(o, lock)
	if err != nil {
		return python, nixgen.InterpreterTarget{}, nil, err
	}
	target, err := nixgen.ChooseInterpreter(pin, python.request, in.RequiresPython, nixgen.InterpreterOptions{Attr: o.interpreter})
	if err != nil {
		if python.from != "--python" && python.from != "" {
			err = fmt.Errorf("%w (Python %s is asked for by %s)", err, python.request, python.from)
		}
		return python, target, nil, err
	}
	if lock != nil && target.FreeThreaded {
		return python, target, nil, fmt.Errorf("%s fixes the default (GIL) build's wheels; the free-threading build needs its requirements resolved: name the pyproject.toml instead of the lock", lock.lock.Path)
	}
	app, err := appProject(o, lock)
	return python, target, app, err
}

// interpreterOf decides the plan's interpreter once the pin's version of
// the target is known: an exact release the pin lacks is built from
// source, with its hash from the table, --python-hash, or a download.
func interpreterOf(ctx context.Context, o *options, env func(string) string, t nixgen.InterpreterTarget, pinVersion string, ui *ui) (nixgen.Interpreter, error) {
	var release *nixgen.CPythonRelease
	hashFrom := ""
	switch {
	case t.BuildsRelease(pinVersion):
		rel, from, err := cpythonRelease(ctx, o, env, t.Request.Version(), ui)
		if err != nil {
			return nixgen.Interpreter{}, err
		}
		release, hashFrom = &rel, from
	case o.pythonHash != "" && t.Exact():
		return nixgen.Interpreter{}, &inputError{fmt.Errorf("--python-hash: the pinned nixpkgs' %s is %s already, so nothing is built and no hash is needed; drop --python-hash", t.IndexAttr, pinVersion)}
	case o.pythonHash != "":
		return nixgen.Interpreter{}, &inputError{errors.New("--python-hash goes with an exact release (--python 3.11.11): it is the hash of that release's tarball")}
	}
	return t.Interpreter(pinVersion, release, hashFrom, o.optimizedPython), nil
}

// cpythonRelease finds an exact release: in the embedded table (checked
// against --python-hash when both exist), else from --python-hash, else
// downloaded once and hashed (REQ2NIX_CPYTHON_URL replaces python.org).
func cpythonRelease(ctx context.Context, o *options, env func(string) string, version string, ui *ui) (nixgen.CPythonRelease, string, error) {
	if rel, ok := nixgen.LookupCPython(version); ok {
		if o.pythonHash != "" && o.pythonHash != rel.Hash {
			return rel, "", &inputError{fmt.Errorf("--python-hash %s is not the hash of Python-%s.tar.xz in req2nix's table of CPython releases (%s, %s): check it, or drop --python-hash", o.pythonHash, version, rel.Hash, nixgen.CPythonTableSource())}
		}
		return rel, "the release table", nil
	}
	if o.pythonHash != "" {
		rel, err := nixgen.CPythonReleaseWithHash(version, o.pythonHash)
		if err != nil {
			return rel, "", &inputError{err}
		}
		return rel, "--python-hash", nil
	}
	rel, err := nixgen.FetchCPythonRelease(ctx, version, nixgen.CPythonFetchOptions{
		CacheDir: cacheDir(o),
		Offline:  o.offline,
		BaseURL:  env("REQ2NIX_CPYTHON_URL"),
		Progress: ui.progressLine,
	})
	if unknown, ok := errors.AsType[*nixgen.UnknownReleaseError](err); ok && unknown.Missing != "" {
		return rel, "", &inputError{err} // no such release: the request is wrong
	}
	if err != nil {
		return rel, "", err
	}
	return rel, "a download of " + rel.URL + " (the table lacks it)", nil
}

// unknownPips warns about each --pip name that no system resolved.
func unknownPips(names []string, resolved map[string]bool) []string {
	var warnings []string
	for _, name := range names {
		if !resolved[pep508.NormalizeName(name)] {
			warnings = append(warnings, fmt.Sprintf("--pip %s: no package of that name was resolved, so pip installs nothing for it; check the spelling", name))
		}
	}
	return warnings
}

// extraOutput is a file written beside the output (default.nix for --app).
type extraOutput struct {
	path string
	data []byte
}

// appOutput renders default.nix beside a shell.nix for --app.
func appOutput(o *options, plan *nixgen.MultiPlan, opts nixgen.Options) ([]extraOutput, error) {
	if !o.app || o.format != "shell" {
		return nil, nil
	}
	opts.Format = nixgen.FormatApp
	data, err := plan.Render(opts)
	if err != nil {
		return nil, err
	}
	return []extraOutput{{filepath.Join(filepath.Dir(o.output), appFile), data}}, nil
}

// deliverOutputs delivers the output, then the files beside it (with
// --check, every one is compared; the worst status wins).
func deliverOutputs(o *options, r *result, stdout io.Writer) (int, error) {
	code, err := deliver(o, r.output, stdout)
	for _, x := range r.extra {
		c, e := exitOK, error(nil)
		switch {
		case o.check:
			c, e = check(x.path, x.data, stdout)
		default:
			if e = writeFileAtomic(x.path, x.data); e != nil {
				c, e = exitFailure, fmt.Errorf("%s: cannot write it (%v)", x.path, pathErrorCause(e))
			}
		}
		code, err = max(code, c), errors.Join(err, e)
	}
	return code, err
}

// appProject reads the project for --app from its pyproject.toml: name,
// version, build system, scripts, its own requirements (with the selected
// extras, without dependency groups) and the files its source holds.
func appProject(o *options, lock *lockInput) (*nixgen.AppProject, error) {
	if !o.app {
		return nil, nil
	}
	dir := projectDir(o, lock)
	file := filepath.Join(dir, "pyproject.toml")
	meta, err := readProjectMeta(file)
	if err != nil {
		return nil, err
	}
	reqs, err := reqfile.Load([]string{file}, reqfile.Selection{Extras: o.extras, AllExtras: o.allExtras})
	if err != nil {
		return nil, err
	}
	a := &nixgen.AppProject{Name: meta.name, Version: meta.version, BuildRequires: meta.buildRequires, Scripts: meta.scripts}
	for _, r := range reqs.Requirements {
		a.Dependencies = append(a.Dependencies, r.Name)
	}
	outDir := "."
	if o.output != "" {
		outDir = filepath.Dir(o.output)
	}
	if a.Root, err = relativeDir(outDir, dir); err != nil {
		return nil, err
	}
	if o.format == "flake" && (a.Root == ".." || strings.HasPrefix(a.Root, "../")) {
		return nil, fmt.Errorf("--app: the project %s is outside the flake's directory, which a flake cannot read; write the flake in the project's directory", dir)
	}
	if a.Files, err = projectFiles(dir); err != nil {
		return nil, err
	}
	return a, nil
}

// relativeDir is dir relative to base, with slashes.
func relativeDir(base, dir string) (string, error) {
	absBase, err1 := filepath.Abs(base)
	absDir, err2 := filepath.Abs(dir)
	if err := errors.Join(err1, err2); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absBase, absDir)
	return filepath.ToSlash(rel), err
}

// projectFiles lists the project directory's top-level entries its
// application's source holds (see nixgen.AppFiles).
func projectFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--app: %v", err)
	}
	var names []string
	dirs := map[string]bool{}
	for _, e := range entries {
		names = append(names, e.Name())
		dirs[e.Name()] = e.IsDir()
	}
	return nixgen.AppFiles(names, dirs), nil
}

// recipeLines are the summary's lines about the interpreter: where the
// Python request came from, what an interpreter built from source costs,
// and what the shell checks (planRecipeText has the per-system ones).
func recipeLines(r *result) []string {
	p := r.plan
	var lines []string
	if r.python.from != "" && r.python.from != "--python" {
		lines = append(lines, fmt.Sprintf("Python %s from %s", r.python.request, r.python.from))
	}
	if s := p.Interpreter; s != nil {
		lines = append(lines, nixgen.InterpreterCost(*s))
		if s.Release != nil && p.HashFrom != "the release table" {
			lines = append(lines, fmt.Sprintf("the hash of Python-%s.tar.xz (%s) comes from %s", s.Release.Version, s.Release.Hash, p.HashFrom))
		}
	}
	if p.Check != nil && nixgen.InterpreterCheckCode(*p.Check) != "" {
		lines = append(lines, fmt.Sprintf("the shell checks that it runs Python %s", p.Check))
	}
	return lines
}

// planRecipeText is what one system's plan says about the recipes: what
// a swapped interpreter rebuilds and reuses, what pip installs and why.
func planRecipeText(p *nixgen.Plan) string {
	var b strings.Builder
	for _, line := range append(swapLines(p), pipLines(p)...) {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// swapLines say what a swapped interpreter rebuilds (and why the compiled
// ones are) and what it reuses.
func swapLines(p *nixgen.Plan) []string {
	s := p.Swap
	if s == nil {
		return nil
	}
	var compiled, pure []string
	for _, d := range p.Packages {
		switch {
		case d.Kind == nixgen.KindPip:
		case d.Compiled:
			compiled = append(compiled, d.Name+" ("+d.CompiledWhy+")")
		case d.Reused:
			pure = append(pure, d.Name)
		}
	}
	rebuilt := fmt.Sprintf("%s rebuilt for %s", count(len(s.Rebuilt), "package"), p.PythonAttr)
	if len(compiled) > 0 {
		rebuilt += "; compiled: " + strings.Join(compiled, "; ")
	}
	reused := fmt.Sprintf("%d reused from %s's binary cache", len(s.Reused), s.Cached)
	switch {
	case !p.EdgesKnown:
		reused += " (the nixpkgs index has no dependency edges, so no package can safely be reused)"
	case len(pure) > 0:
		reused += ": " + strings.Join(pure, ", ") + "; their own commands run " + s.Cached + " (use python -m NAME)"
	}
	return []string{rebuilt, reused}
}

// pipLines say what pip installs, why, and where.
func pipLines(p *nixgen.Plan) []string {
	if p.Fallback == "" {
		return nil
	}
	var lines []string
	for _, d := range p.Packages {
		if d.Kind == nixgen.KindPip {
			lines = append(lines, fmt.Sprintf("pip installs %s==%s: %s", d.Name, d.Version, d.PipWhy))
		}
	}
	where := "pip runs from the shell's hook, once per set of packages, into .req2nix/pip in the project; add .req2nix/ to .gitignore"
	if p.Fallback == nixgen.FallbackFHS {
		where += "; on Linux inside a buildFHSEnv (bubblewrap), so that manylinux wheels find their libraries"
	}
	return append(lines, where)
}

// appLines say what builds the project.
func appLines(r *result) []string {
	a := r.plan.App
	if a == nil {
		return nil
	}
	where := appFile
	if len(r.extra) == 0 {
		where = "packages.default"
	}
	line := fmt.Sprintf("%s builds %s %s with buildPythonApplication (build system: %s; its tests are not run)", where, a.PName, a.Version, strings.Join(a.BuildSystem, ", "))
	if a.SCMVersion {
		line += "; its version comes from version control, which the build cannot see, so it is built as " + a.Version
	}
	lines := []string{line}
	if a.MainProgram != "" && len(r.extra) == 0 {
		lines = append(lines, "apps.default runs "+a.MainProgram)
	}
	return lines
}

// recipeWarnings are the recipes' warnings: the .python-version file's
// skipped lines, --pip names not resolved, a fallback with nothing to do.
func recipeWarnings(o *options, r *result) []string {
	warnings := append([]string{}, r.python.notes...)
	warnings = append(warnings, unknownPips(o.pipPkgs, resolvedNames(r.multi))...)
	if o.fallback != "" && r.plan.Fallback == "" {
		warnings = append(warnings, "--fallback "+o.fallback+": Nix builds every package, so pip installs nothing")
	}
	return warnings
}
