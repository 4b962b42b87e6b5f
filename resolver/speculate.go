package resolver

import (
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// startSpeculation starts fetching every root requirement's project, and
// from there walks ahead of the solver.
func (w *world) startSpeculation() {
	for _, r := range w.rootReqs {
		if r.URL == "" {
			w.fetch.discover(pep508.NormalizeName(r.Name), r.Requirement)
			continue
		}
		sha, _ := w.archiveSHA256(r) // the key readArchive uses: one download
		if c := w.fetch.artifact(r.URL, sha); c != nil {
			extras := r.Extras
			w.fetch.spawn(func() { w.speculateFrom(c, extras) })
		}
	}
}

// speculateFrom discovers the dependencies of a direct reference once its
// archive's metadata is read.
func (w *world) speculateFrom(c *call[*releaseMeta], extras []string) {
	if rm, err := c.wait(w.fetch.ctx); err == nil {
		w.discoverDeps(rm, extras)
	}
}

// speculate guesses the version the solver will choose for name (the
// preferred candidate under the specifier that discovered it and the
// constraints), fetches its metadata and discovers its dependencies in
// turn. It runs in its own goroutine, reads only what is fixed for the
// resolution, and ignores errors: the solver meets them again if they
// matter.
func (w *world) speculate(name string, hint pep508.Requirement) {
	if _, direct := w.direct[name]; direct {
		return
	}
	ctx := w.fetch.ctx
	info, err := w.fetch.info(ctx, name)
	if err != nil {
		return
	}
	v, ok := w.likelyChoice(info, name, hint)
	if !ok {
		return
	}
	rm, err := w.fetch.metadata(name, info.proj.Releases[v]).wait(ctx)
	if err != nil {
		return
	}
	w.discoverDeps(rm, hint.Extras)
}

// likelyChoice is the version the solver would choose for name if the
// requirement and the constraints were all it knew.
func (w *world) likelyChoice(info *projectInfo, name string, r pep508.Requirement) (int, bool) {
	allowed := info.specSet(r.Specifiers)
	for _, c := range w.constraints[name] {
		allowed = allowed.intersect(info.specSet(c.Specifiers))
	}
	pre := w.in.PrereleasePolicy(name)
	if pre == pep440.PrereleasesDefault && (w.opts.Pre || r.Specifiers.Prereleases()) {
		pre = pep440.PrereleasesAllow
	}
	c := info.candidates(allowed, info.usable, pre)
	return w.preferred(info, name, c)
}

// prefetchBatch is how many older candidates are fetched ahead once the
// solver comes back to a package after a conflict.
const prefetchBatch = 12

// prefetchAlternatives starts fetching the metadata of the next candidates
// older than v, and of their dependencies' likely versions, when the
// solver chooses a version of a package for the second time or more (it
// is backtracking): trying version after version then costs a round trip
// per batch, not per version (uv does the same).
func (w *world) prefetchAlternatives(name string, info *projectInfo, c vset, v int) {
	for i, n := v-1, 0; i >= 0 && n < prefetchBatch; i-- {
		if c.has(i) {
			n++
			r := info.proj.Releases[i]
			w.fetch.spawn(func() { w.prefetchRelease(name, r) })
		}
	}
}

// prefetchRelease fetches a release's metadata, then starts fetching its
// dependencies' likely versions' metadata.
func (w *world) prefetchRelease(name string, r pypi.Release) {
	ctx := w.fetch.ctx
	rm, err := w.fetch.metadata(name, r).wait(ctx)
	if err != nil {
		return
	}
	env := w.envWith("")
	for _, req := range rm.reqs {
		dep := pep508.NormalizeName(req.Name)
		if _, direct := w.direct[dep]; direct || !req.Marker.Evaluate(env) {
			continue
		}
		w.fetch.discover(dep, req)
		info, err := w.fetch.info(ctx, dep)
		if err != nil {
			continue
		}
		if i, ok := w.likelyChoice(info, dep, req); ok {
			w.fetch.metadata(dep, info.proj.Releases[i])
		}
	}
}

// discoverDeps discovers the requirements of a release that apply on the
// target, with or without the given extras.
func (w *world) discoverDeps(rm *releaseMeta, extras []string) {
	extras = append([]string{""}, extras...)
	for _, r := range rm.reqs {
		for _, x := range extras {
			if r.Marker.Evaluate(w.envWith(pep508.NormalizeName(x))) {
				w.fetch.discover(pep508.NormalizeName(r.Name), r)
				break
			}
		}
	}
}
