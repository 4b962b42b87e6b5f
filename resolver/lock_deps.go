package resolver

import (
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// linkDependencies records, for every installed package, the installed
// packages it depends on (what nixgen lists as its dependencies). A walk
// recorded them on the way; a flat lock gives them (pylock.toml's
// informational dependencies) or not (Pipfile.lock never does), and then
// they are read from the index's metadata, with the extras the
// requirements name, and markers evaluated for the target.
func (r *lockRun) linkDependencies(ctx context.Context, chosen []*locked) {
	if r.lock.Walk {
		return
	}
	installed := map[string]*locked{}
	for _, l := range chosen {
		installed[l.pkg.Name] = l
	}
	var unknown []*locked
	for _, l := range chosen {
		if l.pkg.Dependencies == nil {
			unknown = append(unknown, l)
			continue
		}
		for _, d := range l.pkg.Dependencies {
			if installed[d.Name] != nil && d.Name != l.pkg.Name {
				l.deps[d.Name] = true
			}
		}
	}
	r.dependenciesFromMetadata(ctx, unknown, installed)
}

// dependenciesFromMetadata reads the requirements of packages whose lock
// records no dependencies and links those that are installed; extras a
// requirement names add their own requirements, until nothing changes.
// What cannot be read is a warning: those packages list no dependencies.
func (r *lockRun) dependenciesFromMetadata(ctx context.Context, unknown []*locked, installed map[string]*locked) {
	reqs := make([][]pep508.Requirement, len(unknown))
	errs := make([]error, len(unknown))
	var wg sync.WaitGroup
	sem := make(chan struct{}, lockJobs)
	for i, l := range unknown {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reqs[i], errs[i] = r.requirementsOf(ctx, l)
		}()
	}
	wg.Wait()
	r.warnUnknownDependencies(unknown, errs)
	for changed := true; changed; {
		changed = false
		for i, l := range unknown {
			changed = r.link(l, reqs[i], installed) || changed
		}
	}
}

// link adds the installed packages l's requirements name (for the extras
// installed with l) and reports whether it installed a new extra anywhere.
func (r *lockRun) link(l *locked, reqs []pep508.Requirement, installed map[string]*locked) bool {
	changed := false
	for _, rq := range reqs {
		dep := installed[pep508.NormalizeName(rq.Name)]
		if dep == nil || dep == l || !r.appliesWith(rq.Marker, l.extras) {
			continue
		}
		l.deps[dep.pkg.Name] = true
		for _, e := range rq.Extras {
			if e = pep508.NormalizeName(e); !dep.extras[e] {
				dep.extras[e] = true
				changed = true
			}
		}
	}
	return changed
}

// appliesWith evaluates a requirement's marker with no extra and with each
// of extras.
func (r *lockRun) appliesWith(m pep508.Marker, extras map[string]bool) bool {
	env := maps.Clone(r.env)
	for _, e := range append([]string{""}, slices.Sorted(maps.Keys(extras))...) {
		env["extra"] = e
		if m.Evaluate(env) {
			return true
		}
	}
	return false
}

// requirementsOf reads a package's requirements: from the index's
// metadata of the locked release, or the static metadata of a local
// project or a git source's checkout.
func (r *lockRun) requirementsOf(ctx context.Context, l *locked) ([]pep508.Requirement, error) {
	var dist []string
	var err error
	switch src, _ := ParseDirectURL(l.direct); {
	case l.direct != "" && src.Kind == DirectDirectory:
		if dist, err = staticRequiresDist(dirTree(filepath.FromSlash(path.Join(src.Path, src.Subdirectory)))); err != nil {
			return nil, err
		}
	case l.tree != nil: // a git source's checkout
		if dist, err = staticRequiresDist(*l.tree); err != nil {
			return nil, err
		}
	case l.direct != "":
		return nil, fmt.Errorf("they are not read from %s sources", src.Kind)
	default:
		rel := l.release
		if rel == nil {
			if rel, err = r.lookupRelease(ctx, l.pkg); err != nil {
				return nil, err
			}
		}
		meta, err := r.provider.Metadata(ctx, l.pkg.Name, *rel)
		if err != nil {
			return nil, err
		}
		dist = meta.RequiresDist
	}
	var out []pep508.Requirement
	for _, s := range dist {
		if rq, err := pep508.ParseRequirement(s); err == nil {
			out = append(out, rq)
		}
	}
	return out, nil
}

// staticRequiresDist reads a source tree's requirements from its static
// metadata.
func staticRequiresDist(t projectTree) ([]string, error) {
	lp, err := readProjectTree(t)
	if err != nil {
		return nil, err
	}
	if slices.Contains(lp.unknown, "dependencies") {
		return nil, fmt.Errorf("%s does not declare them statically", lp.file)
	}
	return lp.requiresDist, nil
}

// warnUnknownDependencies says, once, which packages list no dependencies
// because none could be read.
func (r *lockRun) warnUnknownDependencies(unknown []*locked, errs []error) {
	var names []string
	var first error
	for i, err := range errs {
		if err != nil {
			names = append(names, unknown[i].pkg.Name)
			if first == nil {
				first = err
			}
		}
	}
	if len(names) == 0 {
		return
	}
	r.warn("dependencies of %s are not known: %s does not record them and they could not be read (%v); their Nix packages list no dependencies, which a build's runtime-dependency check may report",
		strings.Join(names, ", "), r.lock.Path, first)
}
