package resolver

import "github.com/req2nix/req2nix/pypi/pep508"

// startSpeculation starts fetching every root requirement's project, and
// from there walks ahead of the solver.
func (w *world) startSpeculation() {
	for _, r := range w.rootReqs {
		if r.URL == "" {
			w.fetch.discover(pep508.NormalizeName(r.Name), r.Requirement)
		}
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
	extras := append([]string{""}, hint.Extras...)
	for _, r := range rm.reqs {
		for _, x := range extras {
			if r.Marker.Evaluate(w.envWith(pep508.NormalizeName(x))) {
				w.fetch.discover(pep508.NormalizeName(r.Name), r)
				break
			}
		}
	}
}
