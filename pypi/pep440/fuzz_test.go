package pep440

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that String() is a fixed
// point: it parses back to an equal version with the identical string.
func FuzzParse(f *testing.F) {
	for _, s := range sortedVersions {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, v, err)
		}
		if again.String() != v.String() || again.Compare(v) != 0 {
			t.Fatalf("Parse(%q) = %q, which re-parses as %q", s, v, again)
		}
		if v.Public()+localSuffix(v) != v.String() || !v.IsPrerelease() && v.IsDevrelease() {
			t.Fatalf("inconsistent parts for %q: public %q local %q", s, v.Public(), v.Local())
		}
	})
}

func localSuffix(v Version) string {
	if v.Local() == "" {
		return ""
	}
	return "+" + v.Local()
}

// FuzzParseSpecifiers checks that ParseSpecifiers never panics, that
// String() round-trips, and that the round-tripped set agrees with the
// original on a few versions.
func FuzzParseSpecifiers(f *testing.F) {
	for _, tc := range specifierVectors {
		f.Add(tc.spec)
	}
	probes := []Version{MustParse("1.0"), MustParse("2.0a1"), MustParse("1.0.post1+x")}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpecifiers(s)
		if err != nil {
			return
		}
		again, err := ParseSpecifiers(spec.String())
		if err != nil {
			t.Fatalf("ParseSpecifiers(%q).String() = %q does not parse: %v", s, spec, err)
		}
		if again.String() != spec.String() {
			t.Fatalf("ParseSpecifiers(%q) = %q, which re-parses as %q", s, spec, again)
		}
		for _, v := range probes {
			if spec.Contains(v, true) != again.Contains(v, true) {
				t.Fatalf("%q and its String() %q disagree on %s", s, spec, v)
			}
		}
	})
}

// FuzzCompare checks that Compare is antisymmetric and agrees with the
// specifier operators built from one of the versions, and that ===a
// contains exactly the versions written as a is (case aside).
func FuzzCompare(f *testing.F) {
	f.Add("1.0", "1.0.0")
	f.Add("1.0a1", "1.0.dev1")
	f.Add("1.0+abc.1", "1.0+abc.01")
	f.Add("1!1.0.post1", "1.0.post1.dev2")
	f.Add("1.01", "1.1")
	f.Add("V1.0RC1", "v1.0rc1")
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := Parse(a)
		vb, errB := Parse(b)
		if errA != nil || errB != nil {
			return
		}
		checkArbitrary(t, a, b, va, vb)
		c := va.Compare(vb)
		if vb.Compare(va) != -c {
			t.Fatalf("Compare(%s, %s) = %d but Compare(%s, %s) = %d", va, vb, c, vb, va, vb.Compare(va))
		}
		if va.Local() != "" {
			if (c == 0) != mustSpecF(t, "=="+va.String()).Contains(vb, true) {
				t.Fatalf("Compare(%s, %s) = %d disagrees with ==%s", va, vb, c, va)
			}
			return
		}
		// Without a local label, == and >= compare vb's public part.
		cp := va.Compare(MustParse(vb.Public()))
		if (cp == 0) != mustSpecF(t, "=="+va.String()).Contains(vb, true) ||
			(cp <= 0) != mustSpecF(t, ">="+va.String()).Contains(vb, true) {
			t.Fatalf("Compare(%s, %s) = %d disagrees with ==%s or >=%s", va, vb.Public(), cp, va, va)
		}
	})
}

func mustSpecF(t *testing.T, s string) Specifiers {
	spec, err := ParseSpecifiers(s)
	if err != nil {
		t.Fatalf("ParseSpecifiers(%q): %v", s, err)
	}
	return spec
}

// checkArbitrary: ===a (a as written, white space around it dropped)
// contains the version parsed from a, and the one parsed from b exactly
// when b is written as a is, case aside.
func checkArbitrary(t *testing.T, a, b string, va, vb Version) {
	ta, tb := trimSpace(a), trimSpace(b)
	spec, err := ParseSpecifiers("===" + ta)
	if err != nil {
		return // a version with ";" or ")" is no === operand
	}
	if !spec.Contains(va, true) {
		t.Fatalf("===%s does not contain %q", ta, a)
	}
	if got, want := spec.Contains(vb, true), strings.EqualFold(ta, tb); got != want {
		t.Fatalf("===%s contains %q: %v, want %v", ta, b, got, want)
	}
}
