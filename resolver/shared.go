package resolver

import (
	"sync"

	"github.com/req2nix/req2nix/pypi"
)

// sharedAnalysis is the part of the resolver's per-project analysis that
// does not depend on the target, kept once for every resolution that
// shares it (ResolveSystems shares one between all its systems and
// rounds; Resolve has its own). What does depend on the target stays in
// each world: which files suit its tags, which markers hold.
type sharedAnalysis struct {
	metas sync.Map // metaKey -> *releaseMeta: Requires-Dist parsed once
	sets  sync.Map // *pypi.Project (as the provider returned it) -> *sync.Map of specifier text -> vset
}

// parsed returns the parsed metadata of a release, parsing meta the first
// time. One provider answers one release alike, so the key is the release.
func (s *sharedAnalysis) parsed(key metaKey, meta *pypi.Metadata) *releaseMeta {
	if s == nil {
		return parseMeta(meta)
	}
	if rm, ok := s.metas.Load(key); ok {
		return rm.(*releaseMeta)
	}
	rm, _ := s.metas.LoadOrStore(key, parseMeta(meta))
	return rm.(*releaseMeta)
}

// specSets returns the memo of version sets of a project document: they
// depend on its releases only, not on the target.
func (s *sharedAnalysis) specSets(proj *pypi.Project) *sync.Map {
	if s == nil {
		return &sync.Map{}
	}
	m, _ := s.sets.LoadOrStore(proj, &sync.Map{})
	return m.(*sync.Map)
}
