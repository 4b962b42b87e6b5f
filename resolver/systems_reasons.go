package resolver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// differences lists the packages not at one version on every resolved
// system, with the reasons each system has what it has.
func (a *agreement) differences() []Difference {
	var out []Difference
	for _, name := range a.names() {
		versions := map[string]string{}
		distinct := map[string]bool{}
		for _, r := range a.runs {
			versions[r.system] = r.version(name)
			distinct[versions[r.system]] = true
		}
		if len(distinct) < 2 {
			continue
		}
		d := Difference{Name: name, Versions: versions}
		for _, r := range a.runs {
			d.Reasons = append(d.Reasons, a.reasons(name, r, versions)...)
		}
		out = append(out, d)
	}
	return out
}

// reasons says why system r does not have the versions of name other
// systems have.
func (a *agreement) reasons(name string, r *systemRun, versions map[string]string) []Reason {
	if versions[r.system] == "" {
		return a.absence(name, r)
	}
	var out []Reason
	seen := map[string]bool{versions[r.system]: true, "": true}
	for _, other := range a.runs {
		if u := versions[other.system]; !seen[u] {
			seen[u] = true
			out = append(out, a.versionReason(name, u, r))
		}
	}
	return out
}

// versionReason says why r does not have version u of name.
func (a *agreement) versionReason(name, u string, r *systemRun) Reason {
	reason := Reason{System: r.system, Version: u}
	i, usable := usableIndex(r.w, name, u)
	switch why := a.rejected[name][u][r.system]; {
	case !usable && i >= 0:
		reason.Kind, reason.Detail = ReasonFiles, fmt.Sprintf("%s %s %s", name, u, r.w.defs[r.w.ids[name]].info.why[i])
	case !usable:
		reason.Kind, reason.Detail = ReasonFiles, fmt.Sprintf("%s %s is not on the index for %s", name, u, r.system)
	case why != "":
		reason.Kind, reason.Detail = ReasonConflict, why
	default:
		mine := r.version(name)
		reason.Kind, reason.Detail = ReasonAgreement, fmt.Sprintf("%s %s was not tried on %s", name, u, r.system)
		if others := slices.DeleteFunc(a.holdersOf(name, mine), func(s string) bool { return s == r.system }); len(others) > 0 {
			reason.Detail = fmt.Sprintf("%s %s is also the version on %s", name, mine, strings.Join(others, ", "))
		}
	}
	return reason
}

// absence says why r does not install name at all, one reason per
// requirement that brings it in on another system: its marker is false on
// r (ReasonMarker), or what holds it differs on r (ReasonDependency).
func (a *agreement) absence(name string, r *systemRun) []Reason {
	var out []Reason
	seen := map[string]bool{} // one reason per requirement, whichever system shows it first
	add := func(key string, kind ReasonKind, detail string) {
		if !seen[key] {
			seen[key] = true
			out = append(out, Reason{System: r.system, Kind: kind, Detail: detail})
		}
	}
	for _, t := range a.holders(name) {
		if t.find(name).Root {
			for _, req := range t.w.rootReqs {
				if pep508.NormalizeName(req.Name) == name && !req.Marker.Evaluate(r.w.envWith("")) {
					add(req.Source.String(), ReasonMarker, fmt.Sprintf("%s requires %s", req.Source, req.Requirement))
				}
			}
		}
		for _, dep := range t.res.Packages {
			if slices.Contains(dep.Dependencies, name) {
				kind, detail := dependentReason(name, dep, t, r)
				add(dep.Name+"=="+dep.Version, kind, detail)
			}
		}
	}
	return out
}

// dependentReason says why dep, which requires name on t, does not on r.
func dependentReason(name string, dep Package, t, r *systemRun) (ReasonKind, string) {
	here := r.find(dep.Name)
	switch {
	case here == nil:
		return ReasonDependency, fmt.Sprintf("required by %s %s on %s, which %s does not install", dep.Name, dep.Version, t.system, r.system)
	case here.Version != dep.Version:
		return ReasonDependency, fmt.Sprintf("required by %s %s on %s; %s has %s %s", dep.Name, dep.Version, t.system, r.system, dep.Name, here.Version)
	}
	for _, req := range t.w.requiresDist(dep.Name, dep.Version) {
		if pep508.NormalizeName(req.Name) == name && applies(req, t.w, dep.Extras) && !applies(req, r.w, here.Extras) {
			return ReasonMarker, fmt.Sprintf("%s %s requires %s", dep.Name, dep.Version, req)
		}
	}
	return ReasonDependency, fmt.Sprintf("required by %s %s with extras [%s] on %s; %s needs [%s]",
		dep.Name, dep.Version, strings.Join(dep.Extras, ","), t.system, r.system, strings.Join(here.Extras, ","))
}

// applies reports whether a Requires-Dist entry holds on w's target for a
// package installed with the given extras.
func applies(req pep508.Requirement, w *world, extras []string) bool {
	for _, x := range append([]string{""}, extras...) {
		if req.Marker.Evaluate(w.envWith(x)) {
			return true
		}
	}
	return false
}

// requiresDist returns the parsed Requires-Dist of the chosen version of
// name in a finished resolution (nil when unknown).
func (w *world) requiresDist(name, version string) []pep508.Requirement {
	id, ok := w.ids[name]
	if !ok {
		return nil
	}
	d := w.defs[id]
	if d.direct != nil {
		if d.direct.meta == nil {
			return nil
		}
		return d.direct.meta.reqs
	}
	meta := w.metas[[2]int{int(id), d.info.index(version)}]
	if meta == nil {
		return nil
	}
	return parseMeta(meta).reqs
}

// String renders the difference on one line for a summary: the versions
// and the systems having them, then the reasons.
//
//	numpy: 2.0.0 on x86_64-linux, aarch64-linux; 1.26.4 on x86_64-darwin, aarch64-darwin (x86_64-darwin: numpy 2.0.0 has no ...)
func (d Difference) String() string {
	var groups []string
	var order []string
	bySystems := map[string][]string{}
	for _, s := range AllSystems() {
		v, ok := d.Versions[s]
		if !ok {
			continue
		}
		if _, seen := bySystems[v]; !seen {
			order = append(order, v)
		}
		bySystems[v] = append(bySystems[v], s)
	}
	for _, v := range order {
		what := v
		if v == "" {
			what = "not installed"
		}
		groups = append(groups, what+" on "+strings.Join(bySystems[v], ", "))
	}
	var why []string
	for _, r := range d.Reasons {
		why = append(why, r.System+": "+strings.TrimSuffix(strings.ReplaceAll(r.Detail, "\n", " "), "."))
	}
	out := d.Name + ": " + strings.Join(groups, "; ")
	if len(why) > 0 {
		out += " (" + strings.Join(why, "; ") + ")"
	}
	return out
}
