package pep440

import (
	"fmt"
	"strings"
	"testing"
)

// containsCase is one version checked against one specifier set.
type containsCase struct {
	version, spec string
	want          bool
}

// specifierVectors are packaging's tests/test_specifiers.py
// test_specifiers vectors (checked with prereleases=True), ordered by
// operator as PEP 440 presents them.
var specifierVectors = []containsCase{
	// == : zero padding, local labels ignored unless the clause has one.
	{"2.0", "==2", true},
	{"2.0", "==2.0", true},
	{"2.0", "==2.0.0", true},
	{"2.0+deadbeef", "==2", true},
	{"2.0+deadbeef", "==2.0", true},
	{"2.0+deadbeef", "==2.0.0", true},
	{"2.0+deadbeef", "==2+deadbeef", true},
	{"2.0+deadbeef", "==2.0+deadbeef", true},
	{"2.0+deadbeef", "==2.0.0+deadbeef", true},
	{"2.0+deadbeef.0", "==2.0.0+deadbeef.00", true},
	{"2.1", "==2", false},
	{"2.1", "==2.0", false},
	{"2.1", "==2.0.0", false},
	{"2.0", "==2.0+deadbeef", false},
	// == with a prefix: any suffix, padded release, local ignored.
	{"2.dev1", "==2.*", true},
	{"2a1", "==2.*", true},
	{"2a1.post1", "==2.*", true},
	{"2b1", "==2.*", true},
	{"2b1.dev1", "==2.*", true},
	{"2c1", "==2.*", true},
	{"2c1.post1.dev1", "==2.*", true},
	{"2c1.post1.dev1", "==2.0.*", true},
	{"2rc1", "==2.*", true},
	{"2rc1", "==2.0.*", true},
	{"2", "==2.*", true},
	{"2", "==2.0.*", true},
	{"2", "==2.0.0.*", true},
	{"2", "==0!2.*", true},
	{"0!2", "==2.*", true},
	{"2.0", "==2.*", true},
	{"2.0.0", "==2.*", true},
	{"2.0.0.0", "==2.0.*", true},
	{"2.1+local.version", "==2.1.*", true},
	{"2.0", "==3.*", false},
	{"2.1", "==2.0.*", false},
	{"3", "==2.0.0.*", false},
	{"2.1.0.0", "==2.0.*", false},
	// !=
	{"2.1", "!=2", true},
	{"2.1", "!=2.0", true},
	{"2.0.1", "!=2", true},
	{"2.0.1", "!=2.0", true},
	{"2.0.1", "!=2.0.0", true},
	{"2.0", "!=2.0+deadbeef", true},
	{"2.0", "!=2", false},
	{"2.0", "!=2.0", false},
	{"2.0", "!=2.0.0", false},
	{"2.0+deadbeef", "!=2", false},
	{"2.0+deadbeef", "!=2.0", false},
	{"2.0+deadbeef", "!=2.0.0", false},
	{"2.0+deadbeef", "!=2+deadbeef", false},
	{"2.0+deadbeef", "!=2.0+deadbeef", false},
	{"2.0+deadbeef", "!=2.0.0+deadbeef", false},
	{"2.0+deadbeef.0", "!=2.0.0+deadbeef.00", false},
	// != with a prefix.
	{"2.0", "!=3.*", true},
	{"2.1", "!=2.0.*", true},
	{"3", "!=2.0.0.*", true},
	{"2.1.0.0", "!=2.0.*", true},
	{"2.dev1", "!=2.*", false},
	{"2a1", "!=2.*", false},
	{"2a1.post1", "!=2.*", false},
	{"2b1", "!=2.*", false},
	{"2b1.dev1", "!=2.*", false},
	{"2c1", "!=2.*", false},
	{"2c1.post1.dev1", "!=2.*", false},
	{"2c1.post1.dev1", "!=2.0.*", false},
	{"2rc1", "!=2.*", false},
	{"2rc1", "!=2.0.*", false},
	{"2", "!=2.*", false},
	{"2", "!=2.0.*", false},
	{"2", "!=2.0.0.*", false},
	{"2.0", "!=2.*", false},
	{"2.0.0", "!=2.*", false},
	{"2.0.0.0", "!=2.0.*", false},
	// >=
	{"2.0", ">=2", true},
	{"2.0", ">=2.0", true},
	{"2.0", ">=2.0.0", true},
	{"2.0.post1", ">=2", true},
	{"2.0.post1.dev1", ">=2", true},
	{"3", ">=2", true},
	{"3.0.0a8", ">=3.0.0a7", true},
	{"2.0.dev1", ">=2", false},
	{"2.0a1", ">=2", false},
	{"2.0a1.dev1", ">=2", false},
	{"2.0b1", ">=2", false},
	{"2.0b1.post1", ">=2", false},
	{"2.0c1", ">=2", false},
	{"2.0c1.post1.dev1", ">=2", false},
	{"2.0rc1", ">=2", false},
	{"1", ">=2", false},
	// <=
	{"2.0", "<=2", true},
	{"2.0", "<=2.0", true},
	{"2.0", "<=2.0.0", true},
	{"2.0.dev1", "<=2", true},
	{"2.0a1", "<=2", true},
	{"2.0a1.dev1", "<=2", true},
	{"2.0b1", "<=2", true},
	{"2.0b1.post1", "<=2", true},
	{"2.0c1", "<=2", true},
	{"2.0c1.post1.dev1", "<=2", true},
	{"2.0rc1", "<=2", true},
	{"1", "<=2", true},
	{"3.0.0a7", "<=3.0.0a8", true},
	{"2.0+local", "<=2", true},
	{"2.0.post1", "<=2", false},
	{"2.0.post1.dev1", "<=2", false},
	{"3", "<=2", false},
	// > : excludes V's post-releases and local versions.
	{"3", ">2", true},
	{"2.1", ">2.0", true},
	{"2.0.1", ">2", true},
	{"2.1.post1", ">2", true},
	{"2.1+local.version", ">2", true},
	{"3.0.0a8", ">3.0.0a7", true},
	{"2.0.5", ">2.0dev", true},
	{"1.0+local", ">1.0.dev1", true},
	{"4.1.0a2.dev1235+local", ">4.1.0a2.dev1234", true},
	{"1.0a2+local", ">1.0a1", true},
	{"1.0b2+local", ">1.0b1", true},
	{"1.0rc2+local", ">1.0rc1", true},
	{"1.0.post2+local", ">1.0.post1", true},
	{"1.0.dev2+local", ">1.0.dev1", true},
	{"1.0a1.dev2+local", ">1.0a1.dev1", true},
	{"1.0.post1.dev2+local", ">1.0.post1.dev1", true},
	{"1", ">2", false},
	{"2.0.dev1", ">2", false},
	{"2.0a1", ">2", false},
	{"2.0a1.post1", ">2", false},
	{"2.0b1", ">2", false},
	{"2.0b1.dev1", ">2", false},
	{"2.0c1", ">2", false},
	{"2.0c1.post1.dev1", ">2", false},
	{"2.0rc1", ">2", false},
	{"2.0", ">2", false},
	{"2.0.post1", ">2", false},
	{"2.0.post1.dev1", ">2", false},
	{"2.0+local.version", ">2", false},
	{"4.1.0a2.dev1234+local", ">4.1.0a2.dev1234", false},
	{"1.0a1+local", ">1.0a1", false},
	{"1.0b1+local", ">1.0b1", false},
	{"1.0rc1+local", ">1.0rc1", false},
	{"1.0.post1+local", ">1.0.post1", false},
	{"1.0.dev1+local", ">1.0.dev1", false},
	{"1.0a1.dev1+local", ">1.0a1.dev1", false},
	{"1.0.post1.dev1+local", ">1.0.post1.dev1", false},
	// < : excludes V's pre-releases unless V is one.
	{"1", "<2", true},
	{"2.0", "<2.1", true},
	{"2.0.dev0", "<2.1", true},
	{"3.0.0a7", "<3.0.0a8", true},
	{"2.0.dev1", "<2", false},
	{"2.0a1", "<2", false},
	{"2.0a1.post1", "<2", false},
	{"2.0b1", "<2", false},
	{"2.0b2.dev1", "<2", false},
	{"2.0c1", "<2", false},
	{"2.0c1.post1.dev1", "<2", false},
	{"2.0rc1", "<2", false},
	{"2.0", "<2", false},
	{"2.post1", "<2", false},
	{"2.post1.dev1", "<2", false},
	{"3", "<2", false},
	// ~=
	{"1", "~=1.0", true},
	{"1.0.1", "~=1.0", true},
	{"1.1", "~=1.0", true},
	{"1.9999999", "~=1.0", true},
	{"1.1", "~=1.0a1", true},
	{"2022.01.01", "~=2022.01.01", true},
	{"2.0", "~=1.0", false},
	{"1.1.0", "~=1.0.0", false},
	{"1.1.post1", "~=1.0.0", false},
	// Epochs.
	{"2!1.0", "~=2!1.0", true},
	{"2!1.0", "==2!1.*", true},
	{"2!1.0", "==2!1.0", true},
	{"2!1.0", "!=1.0", true},
	{"2!1.0.0", "==2!1.0.0.0.*", true},
	{"2!1.0.0", "==2!1.0.*", true},
	{"2!1.0.0", "==2!1.*", true},
	{"1.0", "!=2!1.0", true},
	{"1.0", "<=2!0.1", true},
	{"2!1.0", ">=2.0", true},
	{"1.0", "<2!0.1", true},
	{"2!1.0", ">2.0", true},
	{"1.0", "~=2!1.0", false},
	{"2!1.0", "~=1.0", false},
	{"2!1.0", "==1.0", false},
	{"1.0", "==2!1.0", false},
	{"2!1.0", "==1.0.0.*", false},
	{"1.0", "==2!1.0.0.*", false},
	{"2!1.0", "==1.*", false},
	{"1.0", "==2!1.*", false},
	{"2!1.0", "!=2!1.0", false},
}

// familyVectors are packaging's edge cases of >V and <V around pre-, post-
// and dev releases (test_specifier_contains_prereleases_edge_cases and
// friends), checked with prereleases=True.
var familyVectors = []containsCase{
	{"2.0.dev1", ">=1.0", true},
	{"2.0a1", ">=2.0.dev1", true},
	{"2.0a1.dev1", "==2.0.*", true},
	{"1.0.dev1", "<=2.0", true},
	{"1.0a1", "<=2.0.dev1", true},
	{"2.0a1", "<2.0", false},
	{"2.0a1", "<2.0a2", true},
	{"1.0.dev0", ">1.0.dev1", false},
	{"1.0.dev2", ">1.0.dev1", true},
	{"1.0.post0", ">1.0.dev1", true},
	{"1.0.post1", ">1.0.dev1", true},
	{"1.0.post0", ">1.0.dev0", true},
	{"1.0.post0", ">1.0a1", true},
	{"1.0.post0", ">1.0b1", true},
	{"1.0.post0", ">1.0rc1", true},
	{"1.0a1.post0", ">1.0a1", false},
	{"1.0b2.post0", ">1.0b2", false},
	{"1.0rc1.post0", ">1.0rc1", false},
	{"1.0a2.post0", ">1.0a1", true},
	{"1.0b2.post0", ">1.0b1", true},
	{"1.0", ">1.0.dev1", true},
	{"1.0a1", ">1.0.dev1", true},
	{"1.1", ">1.0.dev1", true},
	{"1.0.post0", ">1.0", false},
	{"1.0.post1", ">1.0", false},
	{"2.0.post0", ">1.0", true},
	{"0.9.post0", ">1.0", false},
	{"1.1.post0", ">1.0.dev1", true},
	{"0.9.post0", ">1.0.dev1", false},
	{"1.0.post1.dev0", "<1.0.post1", false},
	{"1.0.post0.dev0", "<1.0.post0", false},
	{"1.0.dev0", "<1.0.post1", true},
	{"1.0a1", "<1.0.post1", true},
	{"1.0rc1", "<1.0.post1", true},
	{"1.0.dev0", "<1.0.post0", true},
	{"1.0a1", "<1.0.post0", true},
	{"1.0b1", "<1.0.post0", true},
	{"1.0rc2", "<1.0.post0", true},
	{"1.0.post0.dev0", "<1.0.post1", true},
	{"1.0.post1.dev0", "<1.0.post2", true},
	{"1.0", "<1.0.post1", true},
	{"1.0.post0", "<1.0.post1", true},
	{"0.9", "<1.0.post1", true},
	{"1.0", "<1.0.post0", true},
}

func TestContainsVectors(t *testing.T) {
	for _, set := range [][]containsCase{specifierVectors, familyVectors} {
		for _, tc := range set {
			s, err := ParseSpecifiers(tc.spec)
			if err != nil {
				t.Errorf("ParseSpecifiers(%q): %v", tc.spec, err)
				continue
			}
			if got := s.Contains(MustParse(tc.version), true); got != tc.want {
				t.Errorf("%q contains %q = %v, want %v", tc.spec, tc.version, got, tc.want)
			}
		}
	}
}

// TestContainsPrereleasesFalse: with prereleases false every pre-release
// and dev release is excluded, whatever the clauses say; other versions
// behave as with true.
func TestContainsPrereleasesFalse(t *testing.T) {
	for _, set := range [][]containsCase{specifierVectors, familyVectors} {
		for _, tc := range set {
			s := mustSpec(t, tc.spec)
			v := MustParse(tc.version)
			want := tc.want && !v.IsPrerelease()
			if got := s.Contains(v, false); got != want {
				t.Errorf("%q contains %q (prereleases false) = %v, want %v", tc.spec, tc.version, got, want)
			}
		}
	}
}

func mustSpec(t *testing.T, s string) Specifiers {
	t.Helper()
	spec, err := ParseSpecifiers(s)
	if err != nil {
		t.Fatalf("ParseSpecifiers(%q): %v", s, err)
	}
	return spec
}

func TestArbitraryEquality(t *testing.T) {
	for _, tc := range []containsCase{
		{"1.0.0", "===1.0", false},
		{"1.0.dev0", "===1.0", false},
		{"1.0", "===1.0", true},
		{"1.0.dev0", "===1.0.dev0", true},
		{"1.0+downstream1", "===1.0", false},
		{"1.0", "===1.0+downstream1", false},
		{"1.0a1", "===1.0A1", true},
		{"1.0A1", "===1.0a1", true},
		{"1.0B1", "===1.0b1", true},
		{"1.0RC1", "===1.0rc1", true},
		{"1.0.POST1", "===1.0.post1", true},
		{"1.0.dev1", "===1.0.DEV1", true},
		{"1.0+LOCAL", "===1.0+local", true},
		{"1.0+abc.def", "===1.0+ABC.DEF", true},
		{"1.0+AbC", "===1.0+abc", true},
		{"1.0A1.POST2.DEV3", "===1.0a1.post2.dev3", true},
		// The candidate is compared as written (PEP 440: "simple string
		// equality"), case aside, not in its normalised form.
		{"1.01", "===1.01", true},
		{"1.01", "===1.1", false},
		{"1.1", "===1.01", false},
		{"1.a1", "===1.a1", true},
		{"1.a1", "===1a1", false},
		{"0!1.0", "===1.0", false},
		{"0!1.0", "===0!1.0", true},
		{"1.0", "===0!1.0", false},
		{"01.0", "===1.0", false},
		{"1.0-1", "===1.0.post1", false},
		{"1.0-1", "===1.0-1", true},
		{"1.0.post1", "===1.0-1", false},
		{"1.0.dev01", "===1.0.dev1", false},
		{"1.0.dev1", "===1.0.dev01", false},
		{"v1.0", "===V1.0", true},
		{"v1.0", "===1.0", false},
		{" 1.0 ", "===1.0", true},        // the version's surrounding white space is not part of it
		{"1.0+k", "===1.0+\u212a", true}, // KELVIN SIGN lower-cases to k
		{"1.0+i", "===1.0+\u0130", false},
		{"1.0", "===", false},
	} {
		if got := mustSpec(t, tc.spec).Contains(MustParse(tc.version), true); got != tc.want {
			t.Errorf("%q contains %q = %v, want %v", tc.spec, tc.version, got, tc.want)
		}
	}
}

// TestPrereleases follows packaging's test_specifier_prereleases_detection
// and SpecifierSet.prereleases: any clause naming a pre-release, except
// != and wildcards.
func TestPrereleases(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want bool
	}{
		{"", false},
		{"==1.0", false},
		{">=1.0", false},
		{"<=1.0", false},
		{"~=1.0", false},
		{"<1.0", false},
		{">1.0", false},
		{"<1.0.dev1", true},
		{">1.0.dev1", true},
		{"!=1.0.dev1", false},
		{"==1.0.*", false},
		{"==1.0.dev1", true},
		{">=1.0.dev1", true},
		{"<=1.0.dev1", true},
		{"~=1.0.dev1", true},
		{">=1.0a1", true},
		{"==1.0rc1+local", true},
		{"===1.0a1", true},
		{"===1.0", false},
		{"===lolwat", false},
		{">=1.0,!=2.0b1", false},
		{">=1.0,<2.0b1", true},
	} {
		if got := mustSpec(t, tc.spec).Prereleases(); got != tc.want {
			t.Errorf("ParseSpecifiers(%q).Prereleases() = %v, want %v", tc.spec, got, tc.want)
		}
	}
}

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		spec     string
		versions string
		policy   PrereleasePolicy
		want     string
	}{
		// Default: finals only when any final matches...
		{">=1.2.3", "1.2 1.3 1.5a1", PrereleasesDefault, "1.3"},
		{">=1.2.3", "1.2 1.2.3 1.3 1.4", PrereleasesDefault, "1.2.3 1.3 1.4"},
		{">=1.2.3", "1.5a1 1.3 1.6.dev1 1.4.post1", PrereleasesDefault, "1.3 1.4.post1"},
		// ... else the matching pre-releases, in order.
		{">=1.2.3", "1.2 1.5a1", PrereleasesDefault, "1.5a1"},
		{">=1.2.3", "1.6b1 1.2 1.5a1", PrereleasesDefault, "1.6b1 1.5a1"},
		{">=1.2.3", "1.2 1.1", PrereleasesDefault, ""},
		// A clause naming a pre-release lets all matching ones through.
		{">=1.2.3a1", "1.3 1.5a1", PrereleasesDefault, "1.3 1.5a1"},
		{">=1.0,<2.0b1", "1.0 2.0a1 1.5.dev0", PrereleasesDefault, "1.0 2.0a1 1.5.dev0"},
		// != and wildcards do not name pre-releases.
		{"!=1.5a1", "1.3 1.5a2", PrereleasesDefault, "1.3"},
		{"==1.*", "1.3 1.5a2", PrereleasesDefault, "1.3"},
		// Empty set: the PEP 440 rule alone.
		{"", "1.3 1.5a1", PrereleasesDefault, "1.3"},
		{"", "1.5a1", PrereleasesDefault, "1.5a1"},
		{"", "", PrereleasesDefault, ""},
		// Allow keeps every matching version; Deny never keeps pre-releases.
		{">=1.2.3", "1.3 1.5a1", PrereleasesAllow, "1.3 1.5a1"},
		{"", "1.3 1.5a1", PrereleasesAllow, "1.3 1.5a1"},
		{">=1.2.3", "1.2 1.5a1", PrereleasesDeny, ""},
		{">=1.2.3a1", "1.3 1.5a1", PrereleasesDeny, "1.3"},
		{"<2", "1.0 2.0a1 1.9", PrereleasesAllow, "1.0 1.9"},
	} {
		s := mustSpec(t, tc.spec)
		var vs []Version
		for f := range strings.FieldsSeq(tc.versions) {
			vs = append(vs, MustParse(f))
		}
		var got []string
		for _, v := range s.Filter(vs, tc.policy) {
			got = append(got, v.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("ParseSpecifiers(%q).Filter(%s, %d) = %v, want %s", tc.spec, tc.versions, tc.policy, got, tc.want)
		}
	}
}

func TestSpecifiersString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{" , ,", ""},
		{"!=2.0", "!=2.0"},
		{"<2.0", "<2.0"},
		{"~=2.0", "~=2.0"},
		{"< 2", "<2"},
		{"  >=  1.0  ", ">=1.0"},
		{">=1.0.0,!=1.0.1", "!=1.0.1,>=1.0.0"},
		{">=1.0,!=1.0.1", "!=1.0.1,>=1.0"},
		{"<=2.0.0,!=2.0.1,>=1.0.0,!=1.0.1", "!=1.0.1,!=2.0.1,<=2.0.0,>=1.0.0"},
		// Normalised versions.
		{"==V1.0A1", "==1.0a1"},
		{"==01.02.*", "==1.2.*"},
		{"!=0!1.*", "!=1.*"},
		{">=1.0-1", ">=1.0.post1"},
		{"==1.0+Ubuntu-1", "==1.0+ubuntu.1"},
		{"===FooBar", "===FooBar"},
		// Duplicates (trailing zeros ignored, except for ~=) are dropped.
		{">=1.0,>=1.0", ">=1.0"},
		{">=1.0.0,>=1.0", ">=1.0"},
		{"==2.8.0,==2.8", "==2.8"},
		{"~=1.0,~=1.0.0", "~=1.0,~=1.0.0"},
		{"===a,===a,===A", "===A,===a"},
	} {
		s := mustSpec(t, tc.in)
		if got := s.String(); got != tc.want {
			t.Errorf("ParseSpecifiers(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		if again := mustSpec(t, s.String()); again.String() != s.String() {
			t.Errorf("String() of %q does not round-trip: %q then %q", tc.in, s, again)
		}
		if s.IsEmpty() != (tc.want == "") {
			t.Errorf("ParseSpecifiers(%q).IsEmpty() = %v", tc.in, s.IsEmpty())
		}
	}
}

// TestParseSpecifiersValid is packaging's SPECIFIERS and
// test_specifiers_normalized list, with every operator a spelling allows.
func TestParseSpecifiersValid(t *testing.T) {
	for _, s := range []string{"~=2.0", "==2.1.*", "==2.1.0.3", "!=2.2.*", "!=2.2.0.5", "<=5", ">=7.9a1", "<1.0.dev1", ">2.0.post1", "===lolwat", "===", "=== 1.0", "==\t1.0 ", "\u00a0>=1.0\u2029"} {
		if _, err := ParseSpecifiers(s); err != nil {
			t.Errorf("ParseSpecifiers(%q): %v", s, err)
		}
	}
	for _, v := range []string{
		"1.0dev", "1.0.dev", "1.0-DEV1", "1.0a", "1.0.ALPHA1", "1.0-b", "1.0BETA", "1.0c1",
		"1.0.RC", "1.0post", "1.0-POST1", "1.0-5", "1.01", "1.0a05", "1.0c056", "1.0.post000",
		"1.1.dev09000", "00!1.2", "0100!0.0", "v1.0", "  \r \f \v v1.0\t\n",
	} {
		for _, op := range []string{"~=", "==", "!=", "<=", ">=", "<", ">"} {
			if _, err := ParseSpecifiers(op + v); err != nil {
				t.Errorf("ParseSpecifiers(%q): %v", op+v, err)
			}
		}
	}
	for _, op := range []string{"==", "!="} {
		if _, err := ParseSpecifiers(op + "1.0+AbC"); err != nil {
			t.Errorf("ParseSpecifiers(%q): %v", op+"1.0+AbC", err)
		}
	}
}

// TestParseSpecifiersInvalid is packaging's test_specifiers_invalid plus
// set-level cases; errors name the input and the problem.
func TestParseSpecifiersInvalid(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"2.0", "expected an operator"},
		{"=>2.0", "expected an operator"},
		{"=2.0", "expected an operator"},
		{"==", "missing version"},
		{"~=1.0+5", "only allowed with == and !="},
		{">=1.0+deadbeef", "only allowed with == and !="},
		{"<=1.0+abc123", "only allowed with == and !="},
		{">1.0+watwat", "only allowed with == and !="},
		{"<1.0+1.0", "only allowed with == and !="},
		{"~=1.0.*", "wildcard is only allowed with == and !="},
		{">=1.0.*", "wildcard is only allowed with == and !="},
		{"<=1.0.*", "wildcard is only allowed with == and !="},
		{">1.0.*", "wildcard is only allowed with == and !="},
		{"<1.0.*", "wildcard is only allowed with == and !="},
		{"==1.0.*+5", "invalid version"},
		{"!=1.0.*+deadbeef", "invalid version"},
		{"==2.0a1.*", "must follow a plain release"},
		{"!=2.0a1.*", "must follow a plain release"},
		{"==2.0.post1.*", "must follow a plain release"},
		{"!=2.0.post1.*", "must follow a plain release"},
		{"==2.0.dev1.*", "must follow a plain release"},
		{"!=2.0.dev1.*", "must follow a plain release"},
		{"==1.0+5.*", "must follow a plain release"},
		{"!=1.0+deadbeef.*", "must follow a plain release"},
		{"==1.0.*.5", "invalid version"},
		{"==*", "invalid version"},
		{"==.*", "invalid version"},
		{"~=1", "~= needs at least two release segments"},
		{"~=1a1", "~= needs at least two release segments"},
		{"==1.2+\u0130", "invalid version"},
		{"==1.2+\u0130\u0131\u017fK", "invalid version"},
		{"==1.0 1.1", `unexpected "1.1" after the version`},
		{">= 1.0 <2", `unexpected "<2"`},
		{"(>=1.0)", "expected an operator"},
		{">=1.0)", "invalid version"},
		{"===1.0)", `")" is not allowed`},
		{"===1.0;", `";" is not allowed`},
		{">=1.0; python_version<'3'", "unexpected"},
		{">=foo", `invalid version "foo"`},
		{">=1.0,<2,foo", "expected an operator"},
	} {
		s, err := ParseSpecifiers(tc.in)
		if err == nil {
			t.Errorf("ParseSpecifiers(%q) = %q, want an error", tc.in, s)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("%q", tc.in)) || !strings.Contains(msg, tc.wantErr) {
			t.Errorf("ParseSpecifiers(%q) error %q, want one naming the input and containing %q", tc.in, msg, tc.wantErr)
		}
	}
}

func TestContainsZeroVersion(t *testing.T) {
	if mustSpec(t, "").Contains(Version{}, true) || mustSpec(t, "!=1.0").Contains(Version{}, true) {
		t.Errorf("the zero Version must not be contained")
	}
}
