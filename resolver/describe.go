package resolver

import (
	"cmp"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/req2nix/req2nix/pypi"
)

// termText renders "name<spec>" (see specText), or "the requirements" for
// the root.
func (w *world) termText(p pkg, set vset) string {
	if p == rootPkg {
		return "the requirements"
	}
	return w.name(p) + w.specText(p, set)
}

// every reports whether set holds every release of p, so that a subject
// reads "every version of p". A project with a single release is named by
// that release instead ("flask==3.0.0"), which tells the reader what exists.
func (w *world) every(p pkg, set vset) bool {
	n := w.real(p)
	return p != rootPkg && n > 1 && len(w.realMembers(p, set)) == n
}

// specText renders a set in the user's terms: the specifier text it came
// from (clauses lower bound first: ">=1.21.1,<3"), else its runs of
// consecutive releases (">=1.0,<2.0 | ==3.1"); "" stands for every version.
func (w *world) specText(p pkg, set vset) string {
	switch n := len(w.realMembers(p, set)); {
	case p == rootPkg || set.label == anyLabel:
		return ""
	case set.label != "":
		return displaySpec(set.label)
	case n == w.real(p) && n > 1:
		return "" // every version
	case n == 0:
		return " (no version)"
	}
	return w.runs(p, set)
}

// displaySpec orders a specifier's clauses as people write them: exact
// pins, then lower bounds, upper bounds and exclusions (packaging sorts them
// by text, which puts "<3" before ">=1.21.1").
func displaySpec(label string) string {
	clauses := strings.Split(label, ",")
	rank := func(c string) int {
		for i, op := range []string{"===", "==", "~=", ">=", ">", "<=", "<", "!="} {
			if strings.HasPrefix(strings.TrimSpace(c), op) {
				return i
			}
		}
		return len(clauses)
	}
	sort.SliceStable(clauses, func(i, j int) bool { return rank(clauses[i]) < rank(clauses[j]) })
	return strings.Join(clauses, ",")
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

// runs renders a set as its runs of consecutive releases, or when it has
// gaps of single releases, as bounds with exclusions (">=1.0,!=1.2").
func (w *world) runs(p pkg, set vset) string {
	parts := w.runParts(p, set)
	if len(parts) > 1 {
		if holes, ok := w.holes(p, set); ok {
			return holes
		}
	}
	return strings.Join(parts, " | ")
}

// holes renders a set as the bounds of its members with "!=" for each
// release missing between them, when at most two are missing, each alone.
func (w *world) holes(p pkg, set vset) (string, bool) {
	members := w.realMembers(p, set)
	lo, hi := members[0], members[len(members)-1]
	var clauses []string
	if lo > 0 {
		clauses = append(clauses, ">="+w.versionString(p, lo))
	}
	if hi < w.real(p)-1 {
		clauses = append(clauses, "<"+w.versionString(p, hi+1))
	}
	missing := 0
	for i := lo; i <= hi; i++ {
		if !set.has(i) {
			if !set.has(i-1) || missing == 2 {
				return "", false
			}
			missing++
			clauses = append(clauses, "!="+w.versionString(p, i))
		}
	}
	return strings.Join(clauses, ","), true
}

// runParts lists the runs of consecutive releases of a set.
func (w *world) runParts(p pkg, set vset) []string {
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
	return parts
}

func (w *world) run(p pkg, i, j, n int) string {
	v := func(k int) string { return w.versionString(p, k) }
	switch {
	case i == j:
		return "==" + v(i)
	case i == 0 && j == n-1:
		return "" // every version
	case i == 0:
		return "<" + v(j+1)
	case j == n-1:
		return ">=" + v(i)
	}
	return ">=" + v(i) + ",<" + v(j+1)
}

// noVersions explains why no release of p in set can be chosen, as facts
// to be joined with "and": no index has the project, none matches (listing
// what exists), or those that match cannot be used, one fact per reason
// (requires-python, yanked, no file for the target, hashes).
func (w *world) noVersions(p pkg, set vset) []string {
	d := w.defs[p]
	spec := w.specText(p, set)
	if d.info == nil {
		return []string{fmt.Sprintf("%s%s does not match the direct reference %s", w.name(p), spec, d.direct.req.URL)}
	}
	if d.missing != nil {
		return []string{missingText(w.name(p), d.missing)}
	}
	members := w.realMembers(p, set)
	if len(members) == 0 {
		if spec == "" || set.label == "" {
			return []string{fmt.Sprintf("there is no version of %s (available: %s)", w.name(p), w.available(p))}
		}
		return []string{fmt.Sprintf("no version of %s matches %s (available: %s)", w.name(p), spec, w.available(p))}
	}
	return w.unusable(p, members)
}

// missingText states that no index offers a project: "nope is not on
// https://pypi.org/simple (did you mean "nose"?)", "evil is quarantined on
// https://pypi.org/simple (reason: malware)".
func missingText(name string, err error) string {
	var q *pypi.QuarantinedError
	if errors.As(err, &q) {
		text := fmt.Sprintf("%s is quarantined on %s", name, q.Index)
		if q.Reason != "" {
			text += " (reason: " + q.Reason + ")"
		}
		return text
	}
	var nf *pypi.NotFoundError
	errors.As(err, &nf)
	text := fmt.Sprintf("%s is not on %s", name, nf.Index)
	if len(nf.Suggestions) > 0 {
		text += fmt.Sprintf(" (did you mean %q?)", nf.Suggestions[0])
	}
	return text
}

// unusable states why each of the given releases cannot be used, one fact
// per reason, in the order of their first release; the requires-python
// specifiers that exclude the target make one fact.
func (w *world) unusable(p pkg, members []int) []string {
	order, byReason := w.groupByReason(p, members)
	var out, python []string
	for _, why := range order {
		if strings.HasPrefix(why, requiresPythonWhy) {
			python = append(python, why)
			continue
		}
		out = append(out, w.reasonText(p, byReason[why], why))
	}
	if len(python) > 0 {
		out = append([]string{w.pythonText(p, python, byReason)}, out...)
	}
	return out
}

// pythonText states that the target is outside the requires-python of
// releases of p, given as reasons made by pythonWhy.
func (w *world) pythonText(p pkg, whys []string, byReason map[string][]int) string {
	if len(whys) == 1 { // "does not satisfy requires-python >=3.14 of foo 2.0"
		return w.reasonText(p, byReason[whys[0]], whys[0])
	}
	parts := make([]string, len(whys))
	for k, why := range whys {
		parts[k] = fmt.Sprintf("of %s (%s)", w.releasesText(p, byReason[why]), strings.TrimPrefix(why, requiresPythonWhy))
	}
	return fmt.Sprintf("the target Python %s does not satisfy the requires-python %s", w.target.python, strings.Join(parts, " or "))
}

// groupByReason groups releases by why they cannot be used, the reasons in
// the order of their first release.
func (w *world) groupByReason(p pkg, members []int) ([]string, map[string][]int) {
	info := w.defs[p].info
	var order []string
	byReason := map[string][]int{}
	for _, i := range members {
		why := info.why[i]
		if _, ok := byReason[why]; !ok {
			order = append(order, why)
		}
		byReason[why] = append(byReason[why], i)
	}
	return order, byReason
}

// requiresPythonWhy prefixes the reason a release cannot be used when its
// requires-python excludes the target; pythonWhy builds it.
const requiresPythonWhy = "requires-python "

func pythonWhy(spec string) string { return requiresPythonWhy + spec }

// unavailable states why version v of p cannot be used.
func (w *world) unavailable(p pkg, set vset, reason string) string {
	if members := w.realMembers(p, set); len(members) > 0 {
		return w.reasonText(p, members, reason)
	}
	return w.termText(p, set) + " " + reason
}

// reasonText states that releases of p share the reason why they cannot be
// used: "the target Python 3.12.1 does not satisfy requires-python >=3.13
// of foo 2.0", "foo==2.0 is yanked (reason: ...)", "each of foo 1.0 and 1.1
// has no sdist and no wheel for ...", "every version of foo>=1.0 has ...".
func (w *world) reasonText(p pkg, members []int, why string) string {
	which := w.releasesText(p, members)
	if spec, ok := strings.CutPrefix(why, requiresPythonWhy); ok {
		return fmt.Sprintf("the target Python %s does not satisfy requires-python %s of %s", w.target.python, spec, which)
	}
	switch {
	case len(members) == 1:
		which = w.name(p) + "==" + w.versionString(p, members[0])
	case len(members) <= 3 && len(members) < w.real(p):
		which = "each of " + which
	case len(members) > 3 && len(members) < w.real(p):
		which = "every version of " + which
	}
	return which + " " + why
}

// releasesText names releases of p: "foo 2.0", "foo 1.0 and 1.1", for
// more than three the set ("foo>=1.0,<2.0"), or "every version of foo".
func (w *world) releasesText(p pkg, members []int) string {
	vs := make([]string, len(members))
	for k, i := range members {
		vs[k] = w.versionString(p, i)
	}
	if len(vs) == w.real(p) && len(vs) > 1 {
		return "every version of " + w.name(p)
	}
	if len(vs) > 3 {
		set := setOf(w.real(p)+1, func(i int) bool { return containsInt(members, i) })
		return w.name(p) + w.runs(p, set)
	}
	return w.name(p) + " " + joinAnd(vs)
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// hints adds advice on the facts of a derivation tree that the user can act
// on: yanked releases (usable only when pinned exactly) and projects that
// publish only pre-releases.
func (w *world) hints(root *incompat) []string {
	seen := map[string]bool{}
	var out []string
	add := func(h string) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	walkExternal(root, func(ic *incompat) {
		t := ic.terms[0]
		if (ic.kind != causeNoVersions && ic.kind != causeUnavailable) || t.pkg == rootPkg || w.defs[t.pkg].info == nil {
			return
		}
		for _, h := range w.setHints(t.pkg, t.set) {
			add(h)
		}
	})
	return out
}

// setHints gives the hints about the releases of p in set.
func (w *world) setHints(p pkg, set vset) []string {
	info := w.defs[p].info
	var out, yanked []string
	for _, i := range w.realMembers(p, set) {
		if info.why[i] != "" && info.proj.Releases[i].Yanked() {
			yanked = append(yanked, info.versions[i].String())
		}
	}
	switch newest := len(yanked) - 1; {
	case newest == 0:
		out = append(out, fmt.Sprintf("hint: %s %s is yanked; only an exact pin (%s==%s) selects it", w.name(p), yanked[0], w.defs[p].name, yanked[0]))
	case newest > 0:
		versions := joinAnd(yanked)
		if len(yanked) > 6 {
			versions = listVersions(yanked)
		}
		out = append(out, fmt.Sprintf("hint: %s %s are yanked; only an exact pin (such as %s==%s) selects one", w.name(p), versions, w.defs[p].name, yanked[newest]))
	}
	if h := w.uploadHint(p, set); h != "" {
		out = append(out, h)
	}
	if len(w.realMembers(p, set)) == 0 && w.onlyPre(info) {
		newest := info.versions[len(info.versions)-1].String()
		out = append(out, fmt.Sprintf("hint: %s publishes only pre-releases (newest %s); a specifier must admit one, e.g. %s>=%s",
			w.name(p), newest, w.defs[p].name, newest))
	}
	return out
}

// onlyPre reports whether a project has releases and all are pre-releases.
func (w *world) onlyPre(info *projectInfo) bool {
	return len(info.versions) > 0 && info.pre.count() == len(info.versions)
}

// walkExternal calls f on each external incompatibility of a derivation
// tree once, depth first, cause1 before cause2.
func walkExternal(ic *incompat, f func(*incompat)) {
	seen := map[*incompat]bool{}
	var walk func(*incompat)
	walk = func(ic *incompat) {
		if ic == nil || seen[ic] {
			return
		}
		seen[ic] = true
		if ic.kind != causeDerived {
			f(ic)
			return
		}
		walk(ic.cause1)
		walk(ic.cause2)
	}
	walk(ic)
}

// available lists the newest releases of a package, for "no version"
// messages.
func (w *world) available(p pkg) string {
	releases := w.defs[p].info.proj.Releases
	if len(releases) == 0 {
		return "none"
	}
	var out []string
	for _, r := range releases {
		out = append(out, cmp.Or(r.Key, r.Version.String())) // as the index spells it, which === compares
	}
	return listVersions(out)
}

// listVersions joins versions (oldest first), keeping of a long list the
// oldest and the newest few: the range is what tells why a bound matches
// nothing.
func listVersions(vs []string) string {
	const keep = 6
	if len(vs) > keep {
		return vs[0] + ", …, " + strings.Join(vs[len(vs)-keep+1:], ", ")
	}
	return strings.Join(vs, ", ")
}

// usable reports whether set holds a release of p that may be chosen: for a
// project, one usable for the target (requires-python, files, yanked,
// hashes); for the root or a direct reference, its one version.
func (w *world) usable(p pkg, set vset) bool {
	if d := w.defs[p]; d.info != nil {
		return !set.intersect(w.usableSet(d)).isEmpty()
	}
	return set.has(0)
}

// uploadHint explains --exclude-newer when nothing of p was uploaded
// before its cutoff and releases of p in set were left out for that: when
// the project's first upload was, so that the user can pick a date.
func (w *world) uploadHint(p pkg, set vset) string {
	info := w.defs[p].info
	excluded := false
	for _, i := range w.realMembers(p, set) {
		excluded = excluded || strings.HasPrefix(info.why[i], uploadedWhy)
	}
	first, ok := firstUpload(info.proj)
	if !excluded || !ok || first.Before(w.target.excludeNewer) {
		return ""
	}
	return fmt.Sprintf("hint: nothing of %s was uploaded before the --exclude-newer cutoff (%s): its first file was uploaded on %s; choose a later date, or require another version",
		w.name(p), cutoffText(w.target.excludeNewer), first.Format(time.RFC3339))
}

// firstUpload is the earliest upload time of any file of the project.
func firstUpload(proj *pypi.Project) (time.Time, bool) {
	var first time.Time
	for _, r := range proj.Releases {
		for _, f := range r.Files {
			if !f.UploadTime.IsZero() && (first.IsZero() || f.UploadTime.Before(first)) {
				first = f.UploadTime
			}
		}
	}
	return first, !first.IsZero()
}
