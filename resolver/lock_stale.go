package resolver

import (
	"errors"
	"fmt"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// checkStale fails when the project file beside the lock declares a
// dependency (for the target and the selection) that the lock does not
// install, or at a version the declaration excludes: the lock was not
// refreshed after the project changed. Nothing is resolved behind the
// user's back; the error names the command that refreshes the lock.
// With chosen nil (before packages are selected), any locked version of
// the name will do.
func (r *lockRun) checkStale(chosen []*locked) error {
	if r.lock.Project == nil {
		return nil
	}
	byName := map[string][]*locked{}
	if chosen == nil {
		for i := range r.lock.Packages {
			p := &r.lock.Packages[i]
			byName[p.Name] = append(byName[p.Name], &locked{pkg: p})
		}
	}
	for _, l := range chosen {
		byName[l.pkg.Name] = append(byName[l.pkg.Name], l)
	}
	var errs []error
	for _, d := range r.lock.Project.Declared {
		if err := r.checkDeclared(d, byName); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkDeclared checks one declared requirement against what is installed.
func (r *lockRun) checkDeclared(d reqfile.Requirement, byName map[string][]*locked) error {
	name := pep508.NormalizeName(d.Name)
	if !d.Marker.Evaluate(r.env) || name == r.lock.Project.Name {
		return nil // not for this target, or the project's own extras
	}
	ls := byName[name]
	if len(ls) == 0 {
		return r.staleError(d, fmt.Sprintf("%s does not lock it for %s", r.lock.Path, r.target.describe()))
	}
	if d.URL != "" || d.Specifiers.IsEmpty() {
		return nil
	}
	for _, l := range ls {
		if v, err := pep440.Parse(l.pkg.Version); err != nil || d.Specifiers.Contains(v, true) {
			return nil
		}
	}
	return r.staleError(d, fmt.Sprintf("%s locks %s", r.lock.Path, ls[0].pkg))
}

func (r *lockRun) staleError(d reqfile.Requirement, what string) error {
	return &reqfile.Error{Source: d.Source, Msg: fmt.Sprintf("%s is declared but %s: the lock is stale; run %s to refresh it (req2nix reads a lock as it is and does not resolve)",
		pypi.Redact(requirementText(d)), what, refreshCommand(r.lock))}
}

// requirementText writes a declared requirement briefly: name, extras
// and specifier (or URL).
func requirementText(d reqfile.Requirement) string {
	short := d.Requirement
	short.Marker = pep508.Marker{}
	return short.String()
}

// refreshCommand is the command that rewrites a lock from its project.
func refreshCommand(lock *lockfile.Lock) string {
	switch lock.Format {
	case lockfile.UV:
		return "`uv lock`"
	case lockfile.Poetry:
		return "`poetry lock` (Poetry 1.x: `poetry lock --no-update`)"
	case lockfile.Pipenv:
		return "`pipenv lock`"
	}
	switch lock.CreatedBy {
	case "uv":
		return "`uv export -o " + lock.Path + "`"
	case "pip":
		return "`pip lock -o " + lock.Path + "`"
	case "":
		return "the tool that wrote " + lock.Path
	}
	return fmt.Sprintf("%s (its created-by) to rewrite %s", lock.CreatedBy, lock.Path)
}
