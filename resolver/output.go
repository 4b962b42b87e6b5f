package resolver

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
)

// resolution builds the output from the solver's decisions.
func (w *world) resolution(sol map[pkg]int) *Resolution {
	res := &Resolution{Python: w.target.python.String(), Platform: w.target.platform, FreeThreaded: w.target.tagTarget.FreeThreaded}
	byName := map[string]*Package{}
	roots := w.rootNames()
	ps := sortedPkgs(sol)
	for _, p := range ps {
		if d := w.defs[p]; p != rootPkg && d.extra == "" {
			byName[d.name] = w.outputPackage(p, sol[p], roots[d.name])
			w.notePreRelease(p, sol)
		}
	}
	for _, p := range ps {
		d := w.defs[p]
		if p == rootPkg {
			continue
		}
		out := byName[d.name]
		if d.extra != "" {
			out.Extras = append(out.Extras, d.extra)
		}
		for _, q := range w.edges[[2]int{int(p), sol[p]}] {
			if dep := w.defs[q].name; dep != d.name {
				out.Dependencies = append(out.Dependencies, dep)
			}
		}
	}
	for _, name := range sortedNames(byName) {
		out := byName[name]
		out.Extras = sortedUnique(out.Extras)
		out.Dependencies = sortedUnique(out.Dependencies)
		res.Packages = append(res.Packages, *out)
	}
	w.noteQuarantined()
	res.Warnings = slices.Sorted(maps.Keys(w.warnings))
	return res
}

// noteQuarantined warns about each quarantined project (PEP 792) that
// releases the solver looked at depend on: it installed none of them, so
// the user should know why a package is not at its newest.
func (w *world) noteQuarantined() {
	var q *pypi.QuarantinedError
	for p, d := range w.defs {
		if d.missing == nil || !errors.As(d.missing, &q) {
			continue
		}
		var needing []string
		for key, deps := range w.edges {
			if dp := pkg(key[0]); key[0] != int(rootPkg) && slices.Contains(deps, pkg(p)) && w.defs[dp].extra == "" {
				needing = append(needing, w.defs[dp].name+" "+w.versionString(dp, key[1]))
			}
		}
		if len(needing) == 0 {
			continue
		}
		slices.Sort(needing)
		w.warn("%s; releases that need it were passed over: %s", missingText(d.name, d.missing), strings.Join(needing, ", "))
	}
}

// notePreRelease warns about a pre-release chosen although pre-releases
// were not asked for (no --pre, no specifier naming one): PEP 440 allows it
// when no final release fits, but the user should know.
func (w *world) notePreRelease(p pkg, sol map[pkg]int) {
	d, v := w.defs[p], sol[p]
	decided := func(q pkg) (int, bool) { v, ok := sol[q]; return v, ok }
	if d.info == nil || !d.info.versions[v].IsPrerelease() || w.prePolicy(d.name, decided) == pep440.PrereleasesAllow {
		return
	}
	w.warn("%s %s is a pre-release, chosen because no final release fits the requirements; pin it or pass --pre to accept pre-releases", d.name, d.info.versions[v])
}

func (w *world) outputPackage(p pkg, v int, root bool) *Package {
	d := w.defs[p]
	out := &Package{Name: d.name, Version: w.versionString(p, v), Root: root}
	if d.direct != nil {
		d.direct.describe(out)
	} else {
		out.Files = chosenFiles(d.info.files[v])
		if meta := w.metas[[2]int{int(p), v}]; meta != nil {
			out.MetadataSource = string(meta.Source)
			out.RequiresPython = meta.RequiresPython
		}
		if rp := releaseRequiresPython(d.info.proj.Releases[v]); rp != "" {
			out.RequiresPython = rp
		}
		if d.info.yanked[v] || d.info.yankedOnly.has(v) {
			w.warn("%s %s is yanked%s; it is used because the requirements pin it", d.name, out.Version, yankReason(d.info.proj.Releases[v]))
		}
		if msg := statusWarning(d.info.proj); msg != "" {
			w.warn("%s", msg)
		}
	}
	out.Nixpkgs = sameVersion(out.Version, nixpkgsVersion(w.opts.Nixpkgs, w.opts.NixpkgsVersion, d.name))
	return out
}

// statusWarning words the PEP 792 status of a chosen project, "" when
// it is active: installers are to warn about archived and deprecated ones.
func statusWarning(p *pypi.Project) string {
	var what string
	switch p.Status {
	case pypi.StatusArchived:
		what = "its maintainers expect no further updates"
	case pypi.StatusDeprecated:
		what = "it is considered obsolete and may have been superseded by another project"
	default:
		return ""
	}
	msg := fmt.Sprintf("%s is %s on %s: %s", p.Name, p.Status, p.Index, what)
	if p.StatusReason != "" {
		msg += " (reason: " + p.StatusReason + ")"
	}
	return msg
}

func releaseRequiresPython(r pypi.Release) string {
	for _, f := range r.Files {
		if f.RequiresPython != "" {
			return f.RequiresPython
		}
	}
	return ""
}

// chosenFiles keeps the first sdist and the best wheel of the usable files
// (which come sdists first, wheels best first).
func chosenFiles(files []pypi.File) []File {
	var out []File
	var haveSdist, haveWheel bool
	for _, f := range files {
		wheel := strings.HasSuffix(f.Filename, ".whl")
		if (wheel && haveWheel) || (!wheel && haveSdist) {
			continue
		}
		kind := "sdist"
		if wheel {
			kind, haveWheel = "wheel", true
		} else {
			haveSdist = true
		}
		out = append(out, File{Kind: kind, Filename: f.Filename, URL: f.URL, SHA256: strings.ToLower(f.SHA256)})
	}
	return out
}

func sameVersion(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	va, err1 := pep440.Parse(a)
	vb, err2 := pep440.Parse(b)
	return err1 == nil && err2 == nil && va.Compare(vb) == 0
}

func sortedNames(m map[string]*Package) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedUnique(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
