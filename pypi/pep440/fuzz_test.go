package pep440

import "testing"

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
// specifier operators built from one of the versions.
func FuzzCompare(f *testing.F) {
	f.Add("1.0", "1.0.0")
	f.Add("1.0a1", "1.0.dev1")
	f.Add("1.0+abc.1", "1.0+abc.01")
	f.Add("1!1.0.post1", "1.0.post1.dev2")
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := Parse(a)
		vb, errB := Parse(b)
		if errA != nil || errB != nil {
			return
		}
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
