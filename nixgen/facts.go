package nixgen

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/resolver"
)

// factJobs bounds the Facts calls in flight (each may download a file).
const factJobs = 8

// learned is what Facts said about one decision's files.
type learned struct {
	buildAsked   bool     // its sdist was asked for [build-system] requires
	buildReqs    []string // the answer (nil: none, so setuptools)
	buildErr     error
	modules      []string // top-level modules of its wheel; nil when unknown
	modulesKnown bool
}

// learnFacts asks facts, concurrently, for the [build-system] requires of
// every sdist that is built (overrides and new packages) and the modules of
// every wheel that is installed (or of the wheel beside a new package's
// sdist), then sets each decision's BuildSystem and ImportsCheck.
func learnFacts(ctx context.Context, p *Plan, ix *Index, facts Facts) {
	got := make([]learned, len(p.Packages))
	if facts != nil {
		var wg sync.WaitGroup
		sem := make(chan struct{}, factJobs)
		ask := func(f func()) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				f()
			}()
		}
		for i := range p.Packages {
			d, l := &p.Packages[i], &got[i]
			if f, ok := sdistToRead(d); ok {
				l.buildAsked = true
				ask(func() { l.buildReqs, l.buildErr = facts.BuildRequires(ctx, f) })
			}
			if f, ok := wheelToRead(d); ok {
				ask(func() {
					mods, err := facts.TopLevelModules(ctx, f)
					l.modules, l.modulesKnown = mods, err == nil
				})
			}
		}
		wg.Wait()
	}
	b := newBuildSystems(p, ix)
	for i := range p.Packages {
		b.apply(&p.Packages[i], got[i])
		if got[i].modulesKnown {
			p.Packages[i].ImportsCheck = importableModules(got[i].modules)
		}
	}
}

// sdistToRead is the sdist whose [build-system] requires a decision needs:
// that of an override or of a new package built from an index's (or a
// direct reference's) sdist.
func sdistToRead(d *Decision) (resolver.File, bool) {
	if d.Problem != "" || d.Src == nil || d.Src.FileKind != "sdist" || d.Kind == KindAsIs {
		return resolver.File{}, false
	}
	return resolvedFile(d, d.Src.Filename, "sdist")
}

// wheelToRead is the wheel whose modules a new package's import check is
// read from: the wheel it installs, or one of the same release beside its
// sdist. Overrides keep nixpkgs' own pythonImportsCheck.
func wheelToRead(d *Decision) (resolver.File, bool) {
	if d.Problem != "" || d.Src == nil || d.Kind != KindNew {
		return resolver.File{}, false
	}
	if d.Format == "wheel" {
		return resolvedFile(d, d.Src.Filename, "wheel")
	}
	_, wheel := pickFiles(d.Resolved.Files)
	if wheel == nil {
		return resolver.File{}, false
	}
	return *wheel, true
}

// resolvedFile finds a file of the resolved package by name and kind.
func resolvedFile(d *Decision, filename, kind string) (resolver.File, bool) {
	for _, f := range d.Resolved.Files {
		if f.Filename == filename && f.Kind == kind {
			return f, true
		}
	}
	return resolver.File{}, false
}

// buildSystems maps build requirements to attributes of the package set.
type buildSystems struct {
	ix       *Index
	env      pep508.Environment // the target's, for markers; nil when unknown
	resolved map[string]string  // normalised name -> attribute, of the plan's packages
}

func newBuildSystems(p *Plan, ix *Index) *buildSystems {
	b := &buildSystems{ix: ix, resolved: map[string]string{}}
	if env, err := pep508.TargetEnvironment(p.Python, p.Platform); err == nil {
		b.env = env
	}
	for _, d := range p.Packages {
		b.resolved[pep508.NormalizeName(d.Name)] = d.Attr
	}
	return b
}

// apply sets the build system of a pyproject build or an override: from
// its sdist's [build-system] requires, a local directory's pyproject.toml,
// or, when they are unknown, setuptools for a new package (pip's
// fallback) and nixpkgs' own for an override.
func (b *buildSystems) apply(d *Decision, l learned) {
	if d.Problem != "" || d.Src == nil || !(d.Kind == KindOverride || d.Format == "pyproject") {
		return
	}
	reqs, known := l.buildReqs, l.buildAsked && l.buildErr == nil
	switch {
	case d.Resolved.BuildRequires != nil:
		// The resolver read the source tree (a git checkout, a directory).
		reqs, known = d.Resolved.BuildRequires, true
	case d.Src.FileKind == "directory":
		// Read here: a local directory is the user's own (PEP 518: no
		// [build-system] requires means setuptools).
		reqs, _ = readBuildRequires(filepath.Join(filepath.FromSlash(d.Src.Path), "pyproject.toml"))
		known = true
	}
	switch {
	case known:
		d.BuildSystem = b.attrs(d, reqs)
	case d.Src.FileKind == "git":
		// decideDirect chose setuptools and said so.
	case d.Kind == KindOverride:
		d.BuildSystem = nil
		d.Notes = append(d.Notes, "nixpkgs' build-system is kept: the sdist's [build-system] could not be read, and it may differ for this version")
	default:
		d.BuildSystem = append([]string(nil), defaultBuildSystem...)
		d.Notes = append(d.Notes, "built with setuptools: the sdist's [build-system] could not be read")
	}
}

// attrs turns [build-system] requires into attributes, sorted and unique:
// the resolved package of each name, else nixpkgs' one; requirements
// whose marker excludes the target are skipped, and one nixpkgs lacks is
// noted for the user to add. No requires means setuptools (PEP 518).
func (b *buildSystems) attrs(d *Decision, reqs []string) []string {
	if reqs == nil {
		return append([]string(nil), defaultBuildSystem...)
	}
	out := []string{}
	for _, req := range reqs {
		name, applies := b.requirement(req)
		if !applies {
			continue
		}
		if attr, ok := b.resolved[name]; ok {
			out = append(out, attr)
		} else if e, ok := b.ix.Lookup(name); ok {
			out = append(out, e.Attr)
		} else {
			d.Notes = append(d.Notes, "build requirement "+quoteNote(req)+" is not in nixpkgs: add it to build-system by hand")
			d.MissingBuildSystem = append(d.MissingBuildSystem, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// requirement is the normalised project name of a PEP 508 requirement
// ("setuptools>=61", "tomli ; python_version < '3.11'") and whether its
// marker holds for the target.
func (b *buildSystems) requirement(req string) (string, bool) {
	r, err := pep508.ParseRequirement(req)
	if err != nil {
		return pep508.NormalizeName(strings.TrimSpace(req)), true
	}
	return pep508.NormalizeName(r.Name), b.env == nil || r.Marker.Evaluate(b.env)
}

// quoteNote quotes untrusted text for a note.
func quoteNote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// moduleName is an importable top-level module.
var moduleName = lazyre.New(`^[A-Za-z][A-Za-z0-9_]*$`)

// notChecked are top-level names packages ship by mistake or that need
// more than the package to import.
var notChecked = map[string]bool{"test": true, "tests": true, "testing": true, "conftest": true, "docs": true, "examples": true, "benchmarks": true, "setup": true}

// importableModules keeps the module names worth an import check (public
// identifiers, not test or documentation directories), sorted; nil when
// none is left, so that no empty pythonImportsCheck is written.
func importableModules(mods []string) []string {
	var out []string
	for _, m := range mods {
		if moduleName.R().MatchString(m) && !notChecked[strings.ToLower(m)] {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
