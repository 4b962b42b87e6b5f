package reqfile

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// This file holds an independent model of poetry-core's version
// constraints (constraints/version: VersionRange.allows, intersect,
// VersionUnion.of, VersionUnion.allows), written from its source, and
// checks poetryConstraint against it on many versions.

// pvRange is poetry-core's VersionRange (a Version is min == max, both
// included); nil ends are unbounded.
type pvRange struct {
	min, max       *pep440.Version
	incMin, incMax bool
}

var (
	postRE = regexp.MustCompile(`\.post\d+`)
	devRE  = regexp.MustCompile(`\.dev\d+`)
)

func pv(s string) *pep440.Version { v := pep440.MustParse(s); return &v }

func isLocal(v pep440.Version) bool { return v.Local() != "" }

func withoutPost(v pep440.Version) pep440.Version {
	return pep440.MustParse(postRE.ReplaceAllString(v.String(), ""))
}

func withoutLocal(v pep440.Version) pep440.Version { return pep440.MustParse(v.Public()) }

// firstDev is Version.first_devrelease: dev0 of the same release,
// pre- and post-release (the local label dropped).
func firstDev(v pep440.Version) pep440.Version {
	return pep440.MustParse(devRE.ReplaceAllString(v.Public(), "") + ".dev0")
}

func isUnstable(v pep440.Version) bool { return v.IsPrerelease() } // pre- or dev release

func eqPtr(a, b *pep440.Version) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Compare(*b) == 0
}

// allowedMax is VersionRangeConstraint.allowed_max.
func (r pvRange) allowedMax() *pep440.Version {
	switch {
	case r.max == nil:
		return nil
	case r.incMax || isUnstable(*r.max):
		return r.max
	case eqPtr(r.min, r.max) && (r.incMin || r.incMax):
		return r.max
	}
	d := firstDev(*r.max)
	return &d
}

// allows is VersionRange.allows.
func (r pvRange) allows(v pep440.Version) bool {
	if r.min != nil {
		this, other := *r.min, v
		if !this.IsPostrelease() && other.IsPostrelease() {
			other = withoutPost(other)
		}
		if !isLocal(this) && isLocal(other) {
			other = withoutLocal(v) // poetry-core takes the original here
		}
		if other.Compare(this) < 0 {
			return false
		}
		if !r.incMin && (other.Compare(*r.min) == 0 || other.Compare(this) == 0) {
			return false
		}
	}
	if r.max != nil {
		this, other := *r.allowedMax(), v
		if !isLocal(this) && isLocal(other) {
			other = withoutLocal(other)
		}
		if other.Compare(this) > 0 {
			return false
		}
		if !r.incMax && (other.Compare(*r.max) == 0 || other.Compare(this) == 0) {
			return false
		}
	}
	return true
}

// allowsLower and allowsHigher are VersionRangeConstraint's: whether r
// reaches further down (up) than o.
func (r pvRange) allowsLower(o pvRange) bool {
	return reachesFurther(r.min, o.min, r.incMin, o.incMin, 1)
}

func (r pvRange) allowsHigher(o pvRange) bool {
	return reachesFurther(r.allowedMax(), o.allowedMax(), r.incMax, o.incMax, -1)
}

// reachesFurther compares two ends on the same side (dir 1: lower ends,
// -1: upper ends); a nil end is unbounded.
func reachesFurther(this, other *pep440.Version, thisInc, otherInc bool, dir int) bool {
	switch {
	case this == nil:
		return other != nil
	case other == nil:
		return false
	case this.Compare(*other) != 0:
		return this.Compare(*other)*dir < 0
	}
	return thisInc && !otherInc
}

func (r pvRange) strictlyLower(o pvRange) bool {
	this, other := r.allowedMax(), o.min
	switch {
	case this == nil || other == nil:
		return false
	case this.Compare(*other) != 0:
		return this.Compare(*other) < 0
	}
	return !(r.incMax && o.incMin)
}

func (r pvRange) allowsAny(o pvRange) bool { return !o.strictlyLower(r) && !r.strictlyLower(o) }

func (r pvRange) adjacentTo(o pvRange) bool {
	return r.max != nil && eqPtr(r.max, o.min) && r.incMax != o.incMin
}

// intersect is VersionRange.intersect of two ranges; ok is false when empty.
func (r pvRange) intersect(o pvRange) (pvRange, bool) {
	var out pvRange
	if r.allowsLower(o) {
		if r.strictlyLower(o) {
			return out, false
		}
		out.min, out.incMin = o.min, o.incMin
	} else {
		if o.strictlyLower(r) {
			return out, false
		}
		out.min, out.incMin = r.min, r.incMin
	}
	if r.allowsHigher(o) {
		out.max, out.incMax = o.max, o.incMax
	} else {
		out.max, out.incMax = r.max, r.incMax
	}
	return out, true
}

// union is VersionRange.union of two ranges that overlap or touch.
func (r pvRange) union(o pvRange) pvRange {
	out := o
	if r.allowsLower(o) {
		out.min, out.incMin = r.min, r.incMin
	}
	if r.allowsHigher(o) {
		out.max, out.incMax = r.max, r.incMax
	} else {
		out.max, out.incMax = o.max, o.incMax
	}
	return out
}

// cmpRanges is VersionRange._cmp, the order VersionUnion.of sorts by.
func cmpRanges(a, b pvRange) int {
	switch {
	case a.min == nil && b.min == nil:
		return cmpMax(a, b)
	case a.min == nil:
		return -1
	case b.min == nil:
		return 1
	case a.min.Compare(*b.min) != 0:
		return a.min.Compare(*b.min)
	case a.incMin != b.incMin:
		if a.incMin {
			return -1
		}
		return 1
	}
	return cmpMax(a, b)
}

func cmpMax(a, b pvRange) int {
	switch {
	case a.max == nil && b.max == nil:
		return 0
	case a.max == nil:
		return 1
	case b.max == nil:
		return -1
	case a.max.Compare(*b.max) != 0:
		return a.max.Compare(*b.max)
	case a.incMax != b.incMax:
		if a.incMax {
			return 1
		}
		return -1
	}
	return 0
}

// unionOf is VersionUnion.of for ranges.
func unionOf(rs []pvRange) []pvRange {
	sorted := append([]pvRange{}, rs...)
	for i := 1; i < len(sorted); i++ { // insertion sort: stable, as Python's
		for j := i; j > 0 && cmpRanges(sorted[j-1], sorted[j]) > 0; j-- {
			sorted[j-1], sorted[j] = sorted[j], sorted[j-1]
		}
	}
	var merged []pvRange
	for _, r := range sorted {
		if n := len(merged); n > 0 && (merged[n-1].allowsAny(r) || merged[n-1].adjacentTo(r)) {
			merged[n-1] = merged[n-1].union(r)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// unionAllows is VersionUnion.allows (with its excludes_single_version
// special case: "<V || >V" excludes V and its local versions only).
func unionAllows(rs []pvRange, v pep440.Version) bool {
	if len(rs) == 2 && rs[0].min == nil && rs[1].max == nil && !rs[0].incMax && !rs[1].incMin && eqPtr(rs[0].max, rs[1].min) {
		x := *rs[0].max
		if !isLocal(x) && isLocal(v) {
			v = withoutLocal(v)
		}
		return v.Compare(x) != 0
	}
	for _, r := range rs {
		if r.allows(v) {
			return true
		}
	}
	return false
}

// oracleRange parses one generated alternative, in the forms
// parse_single_constraint reads, into its range.
func oracleRange(t *testing.T, s string) (pvRange, bool) {
	t.Helper()
	r := pvRange{}
	for _, part := range strings.Split(s, ",") {
		p, ok := singleRange(t, strings.TrimSpace(part))
		if !ok {
			return r, false
		}
		if r.min == nil && r.max == nil && !r.incMin {
			r = p
			continue
		}
		if r, ok = r.intersect(p); !ok {
			return r, false
		}
	}
	return r, true
}

var singleRE = regexp.MustCompile(`^(\^|~|>=|<=|>|<)?(.+?)(\.\*)?$`)

func singleRange(t *testing.T, s string) (pvRange, bool) {
	m := singleRE.FindStringSubmatch(s)
	v := pep440.MustParse(m[2])
	rel := v.Release()
	bump := func(i int) *pep440.Version {
		next := append([]int{}, rel...)
		for len(next) <= i {
			next = append(next, 0)
		}
		next[i]++
		for j := i + 1; j < len(next); j++ {
			next[j] = 0
		}
		return pv(strings.Trim(strings.Join(strings.Fields(fmt.Sprint(next)), "."), "[]"))
	}
	switch op := m[1]; {
	case m[3] != "": // X.Y.*: from X.Y.dev0 to the next release's dev0
		lo, hi := firstDev(v), firstDev(*bump(len(rel) - 1))
		return pvRange{&lo, &hi, true, false}, true
	case op == "^":
		i := 0
		for i < len(rel)-1 && rel[i] == 0 {
			i++
		}
		return pvRange{&v, bump(min(i, 2)), true, false}, true
	case op == "~":
		if len(rel) == 1 {
			return pvRange{&v, bump(0), true, false}, true
		}
		return pvRange{&v, bump(1), true, false}, true
	case op == ">=":
		return pvRange{min: &v, incMin: true}, true
	case op == ">":
		return pvRange{min: &v}, true
	case op == "<=":
		return pvRange{max: &v, incMax: true}, true
	case op == "<":
		return pvRange{max: &v}, true
	}
	return pvRange{&v, &v, true, true}, true
}

// sampleVersions are the versions the property is checked on: releases of
// one to three components and, for some, their pre-, dev-, post- and local
// versions.
func unionSampleVersions() []pep440.Version {
	var out []pep440.Version
	for x := 0; x <= 5; x++ {
		for y := 0; y <= 4; y++ {
			for z := 0; z <= 2; z++ {
				base := fmt.Sprintf("%d.%d.%d", x, y, z)
				forms := []string{base}
				if z == 0 {
					forms = append(forms, fmt.Sprintf("%d.%d", x, y), base+".dev0", base+"a1", base+"rc1", base+"rc1.post1", base+".post1", base+".post1.dev0", base+"+local", base+".post1+local", base+"a1.dev0")
				}
				if z == 0 && y == 0 {
					forms = append(forms, fmt.Sprintf("%d", x), fmt.Sprintf("%d.dev0", x))
				}
				for _, f := range forms {
					out = append(out, pep440.MustParse(f))
				}
			}
		}
	}
	return append(out, pep440.MustParse("1!1.0"), pep440.MustParse("5.10"), pep440.MustParse("2.0.0.1"))
}

// randomAlternative is one generated alternative of a union.
func randomAlternative(rng *rand.Rand) string {
	ver := func() string {
		parts := []string{fmt.Sprint(rng.IntN(5))}
		for i, n := 0, rng.IntN(3); i < n; i++ {
			parts = append(parts, fmt.Sprint(rng.IntN(4)))
		}
		s := strings.Join(parts, ".")
		if rng.IntN(12) == 0 {
			s += []string{"a1", "rc1", ".dev0", ".post1"}[rng.IntN(4)]
		}
		return s
	}
	switch rng.IntN(10) {
	case 0, 1:
		return "^" + ver()
	case 2:
		return "~" + ver()
	case 3:
		return fmt.Sprintf("%d.%d.*", rng.IntN(5), rng.IntN(4))
	case 4:
		return ">=" + ver() + ",<" + ver()
	case 5:
		return []string{">=", ">", "<", "<="}[rng.IntN(4)] + ver()
	case 6:
		return ">" + ver() + ",<=" + ver()
	case 7:
		return ver()
	}
	return "^" + ver()
}

// TestPoetryUnionMatchesPoetryCore: over 2000 random unions and
// the sample versions, the translated specifier set contains exactly the
// versions poetry-core's union allows, but for two kinds of version no
// PEP 440 clause can single out:
//   - a pre- or dev release of the release a range of the union starts at
//     (3.0rc1 for "^1.0 || ^3.0"): "!=" cannot exclude it without the
//     release; PEP 440 considers such a version only when pre-releases are
//     allowed;
//   - a post-release of V where a range starts after V (">V"): in a
//     puncture ("<V || >V" between bounded ranges) poetry-core excludes
//     V.post1 while Poetry itself writes "!=V", which allows it; and
//     poetry-core's own ">V" allows V.post1+local but not V.post1 (its
//     allows() undoes the post-release stripping when it strips a local
//     label), which PEP 440's ">V" cannot follow.
//
// A refused union is never one that poetry-core merges into one range.
func TestPoetryUnionMatchesPoetryCore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	versions := unionSampleVersions()
	translated, refused := 0, 0
	namesPre := regexp.MustCompile(`a1|rc1|dev0`)
	for range 2000 {
		var alts []string
		var ranges []pvRange
		for range 2 + rng.IntN(2) {
			a := randomAlternative(rng)
			alts = append(alts, a)
			if r, ok := oracleRange(t, a); ok {
				ranges = append(ranges, r)
			}
		}
		c := strings.Join(alts, " || ")
		specs, err := poetryConstraint(c)
		merged := unionOf(ranges)
		if err != nil {
			refused++
			if len(merged) == 1 && !strings.Contains(err.Error(), "allows no version") {
				t.Errorf("%q refused (%v), but poetry-core merges it into one range", c, err)
			}
			continue
		}
		translated++
		set, err := pep440.ParseSpecifiers(specs)
		if err != nil {
			t.Fatalf("%q -> %q: %v", c, specs, err)
		}
		if set.Prereleases() && !namesPre.MatchString(c) {
			t.Errorf("%q -> %q names a pre-release the constraint does not", c, specs)
		}
		for _, v := range versions {
			want, got := unionAllows(merged, v), set.Contains(v, true)
			if want == got || v.IsPrerelease() && startsRange(merged, v) || v.IsPostrelease() && postOfExclusiveMin(merged, v) {
				continue
			}
			t.Errorf("%q -> %q: contains %s = %v, poetry-core allows it: %v", c, specs, v, got, want)
		}
	}
	t.Logf("%d unions translated, %d refused", translated, refused)
	if translated < 800 || refused < 400 {
		t.Errorf("the generator is off: %d translated, %d refused", translated, refused)
	}
}

// startsRange reports whether v is a pre- or dev release of the release a
// range of the union starts at.
func startsRange(rs []pvRange, v pep440.Version) bool {
	for _, r := range rs {
		if r.min != nil && pep440.MustParse(r.min.BaseVersion()).Compare(pep440.MustParse(v.BaseVersion())) == 0 {
			return true
		}
	}
	return false
}

// postOfExclusiveMin reports whether v is a post-release of the version an
// exclusive range start (">V") of the union names.
func postOfExclusiveMin(rs []pvRange, v pep440.Version) bool {
	for _, r := range rs {
		if r.min != nil && !r.incMin && r.min.Compare(withoutLocal(withoutPost(v))) == 0 {
			return true
		}
	}
	return false
}
