package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// ReasonLock: the lock file installs that version (or nothing) on this
// system; nothing was resolved.
const ReasonLock ReasonKind = "lock"

// FromLockSystems is FromLock for several systems at once (nil means
// AllSystems()), concurrently over the one provider: what the lock
// installs on each, as a MultiResolution. opts.Platform and opts.Nixpkgs
// are replaced per system (by nixpkgsBySystem's lookups, where given). A system the
// lock has nothing for (no file to install there, an environment it
// excludes) is in Failed; the call fails when no system is left, or on
// the provider's first error in system order.
func FromLockSystems(ctx context.Context, p Provider, lock *lockfile.Lock, opts LockOptions, systems []string, nixpkgsBySystem map[string]func(string) string) (*MultiResolution, error) {
	systems, err := normalizeSystems(systems)
	if err != nil {
		return nil, err
	}
	runs := make([]*systemRun, len(systems))
	var wg sync.WaitGroup
	for i, s := range systems {
		runs[i] = &systemRun{system: s}
		o := opts
		o.Platform = s
		if version, ok := nixpkgsBySystem[s]; ok {
			o.Nixpkgs, o.NixpkgsVersion = nil, version
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i].res, runs[i].err = FromLock(ctx, p, lock, o)
		}()
	}
	wg.Wait()
	out := &MultiResolution{Systems: systems, BySystem: map[string]*Resolution{}, Failed: map[string]error{}}
	for _, r := range runs {
		var lockErr *reqfile.Error
		switch {
		case r.err == nil:
			out.BySystem[r.system] = r.res
		case errors.As(r.err, &lockErr):
			out.Failed[r.system] = r.err
		default:
			return nil, r.err
		}
	}
	if len(out.BySystem) == 0 {
		return nil, allFailed(runs)
	}
	out.Differences = lockDifferences(lock, runs)
	return out, nil
}

// lockDifferences lists the packages the lock installs at different
// versions (or not at all) on the systems it resolved for: the lock's
// markers chose, so each system's reason is what the lock gives it.
func lockDifferences(lock *lockfile.Lock, runs []*systemRun) []Difference {
	var ok []*systemRun
	names := map[string]bool{}
	for _, r := range runs {
		if r.err == nil {
			ok = append(ok, r)
			for _, p := range r.res.Packages {
				names[p.Name] = true
			}
		}
	}
	file := filepath.Base(lock.Path)
	var out []Difference
	for _, name := range slices.Sorted(maps.Keys(names)) {
		d := Difference{Name: name, Versions: map[string]string{}}
		distinct := map[string]bool{}
		for _, r := range ok {
			v := r.version(name)
			d.Versions[r.system], distinct[v] = v, true
		}
		if len(distinct) < 2 {
			continue
		}
		for _, r := range ok {
			detail := fmt.Sprintf("%s locks %s %s there", file, name, d.Versions[r.system])
			if d.Versions[r.system] == "" {
				detail = fmt.Sprintf("%s installs no %s there", file, name)
			}
			d.Reasons = append(d.Reasons, Reason{System: r.system, Kind: ReasonLock, Detail: detail})
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
