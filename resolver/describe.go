package resolver

import (
	"fmt"
	"sort"
	"strings"
)

// termText renders "name<spec>" (see specText), or "the requirements" for
// the root.
func (w *world) termText(p pkg, set vset) string {
	if p == rootPkg {
		return "the requirements"
	}
	return w.name(p) + w.specText(p, set)
}

// specText renders a set as the specifier text it came from when it has
// one, else as its runs of consecutive releases (">=1.0,<2.0 | ==3.1"); ""
// stands for every version.
func (w *world) specText(p pkg, set vset) string {
	switch n := len(w.realMembers(p, set)); {
	case p == rootPkg || set.label == anyLabel:
		return ""
	case set.label != "":
		return set.label
	case n == w.real(p) && n > 1:
		return "" // every version
	case n == 0:
		return " (no version)"
	}
	return w.runs(p, set)
}

// realMembers lists the versions in set, without the phantom.
func (w *world) realMembers(p pkg, set vset) []int {
	var out []int
	for i := 0; i < w.real(p); i++ {
		if set.has(i) {
			out = append(out, i)
		}
	}
	return out
}

// runs renders a set as its runs of consecutive releases.
func (w *world) runs(p pkg, set vset) string {
	n := w.real(p)
	var parts []string
	for i := 0; i < n; {
		if !set.has(i) {
			i++
			continue
		}
		j := i
		for j+1 < n && set.has(j+1) {
			j++
		}
		parts = append(parts, w.run(p, i, j, n))
		i = j + 1
	}
	return strings.Join(parts, " | ")
}

func (w *world) run(p pkg, i, j, n int) string {
	v := func(k int) string { return w.versionString(p, k) }
	switch {
	case i == j:
		return "==" + v(i)
	case i == 0:
		return "<" + v(j+1)
	case j == n-1:
		return ">=" + v(i)
	}
	return ">=" + v(i) + ",<" + v(j+1)
}

// noVersions explains why no release of p in set can be chosen: none
// matches (listing what exists), or those that match cannot be used (with
// the reasons: requires-python, yanked, no file for the target, hashes).
func (w *world) noVersions(p pkg, set vset) string {
	d := w.defs[p]
	spec := w.specText(p, set)
	if d.info == nil {
		return fmt.Sprintf("%s%s does not match the direct reference %s", w.name(p), spec, d.direct.req.URL)
	}
	members := w.realMembers(p, set)
	if len(members) == 0 {
		if spec == "" || set.label == "" {
			return fmt.Sprintf("there is no version of %s (available: %s)", w.name(p), w.available(p))
		}
		return fmt.Sprintf("no version of %s matches %s (available: %s)", w.name(p), spec, w.available(p))
	}
	return w.unusable(p, spec, members)
}

// unusable explains why none of the given releases can be used, grouping
// them by reason.
func (w *world) unusable(p pkg, spec string, members []int) string {
	info := w.defs[p].info
	byReason := map[string][]string{}
	for _, i := range members {
		why := info.why[i]
		byReason[why] = append(byReason[why], info.versions[i].String())
	}
	if len(byReason) == 1 {
		for why, vs := range byReason {
			if len(vs) == 1 {
				return fmt.Sprintf("%s==%s %s", w.name(p), vs[0], why)
			}
			what := w.name(p)
			if spec != "" {
				what += " matching " + spec
			}
			return fmt.Sprintf("every version of %s (%s) %s", what, listVersions(vs), why)
		}
	}
	reasons := make([]string, 0, len(byReason))
	for why, vs := range byReason {
		reasons = append(reasons, fmt.Sprintf("%s %s", listVersions(vs), why))
	}
	sort.Strings(reasons)
	what := w.name(p)
	if spec != "" {
		what += " matching " + spec
	}
	return fmt.Sprintf("no version of %s can be used (%s)", what, strings.Join(reasons, "; "))
}

// available lists the newest releases of a package, for "no version"
// messages.
func (w *world) available(p pkg) string {
	vs := w.defs[p].info.versions
	if len(vs) == 0 {
		return "none"
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return listVersions(out)
}

// listVersions joins versions, keeping the newest few of a long list.
func listVersions(vs []string) string {
	const keep = 6
	if len(vs) > keep {
		return "…, " + strings.Join(vs[len(vs)-keep:], ", ")
	}
	return strings.Join(vs, ", ")
}
