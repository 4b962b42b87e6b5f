package resolver

import "github.com/req2nix/req2nix/pypi/pep508"

// startSpeculation starts fetching every root requirement's project, and
// from there walks ahead of the solver.
func (w *world) startSpeculation() {
	for _, r := range w.rootReqs {
		if r.URL == "" {
			w.fetch.discover(pep508.NormalizeName(r.Name), r.Requirement)
		} else if c := w.fetch.artifact(r.URL); c != nil {
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
// constraints), fetches its
// metadata and discovers its dependencies in turn. It runs in its own
// goroutine, reads only what is fixed for the resolution, and ignores
// errors: the solver meets them again if they matter.
func (w *world) speculate(name string, hint pep508.Requirement) {
	if _, direct := w.direct[name]; direct {
		return
	}
	ctx := w.fetch.ctx
	info, err := w.fetch.info(ctx, name)
	if err != nil {
		return
	}
	allowed := info.specSet(hint.Specifiers)
	for _, c := range w.constraints[name] {
		allowed = allowed.intersect(info.specSet(c.Specifiers))
	}
	c := info.candidates(allowed, w.opts.Pre || hint.Specifiers.Prereleases())
	v, ok := info.preferred(c, w.pinned(name), w.nixpkgs(name))
	if !ok {
		return
	}
	rm, err := w.fetch.metadata(name, info.proj.Releases[v]).wait(ctx)
	if err != nil {
		return
	}
	w.discoverDeps(rm, hint.Extras)
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
