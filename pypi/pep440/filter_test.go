package pep440

import (
	"strings"
	"testing"
)

// filterVectors are packaging's test_specifier_filter and
// test_filter_exclusionary_bridges vectors for SpecifierSet.filter, with
// prereleases=None as PrereleasesDefault, True as PrereleasesAllow and False
// as PrereleasesDeny (a set-level override maps the same way).
var filterVectors = []struct {
	spec   string
	policy PrereleasePolicy
	in     string
	want   string
}{
	{"", PrereleasesDefault, "1.0 2.0a1", "1.0"},
	{">=1.0.dev1", PrereleasesDefault, "1.0 2.0a1", "1.0 2.0a1"},
	{"", PrereleasesDefault, "1.0a1", "1.0a1"},
	{">=1.2.3", PrereleasesDefault, "1.2 1.5a1", "1.5a1"},
	{">=1.2.3", PrereleasesDefault, "1.3 1.5a1", "1.3"},
	{"", PrereleasesDefault, "1.0 2.0", "1.0 2.0"},
	{">=1.0", PrereleasesDefault, "2.0a1", "2.0a1"},
	{"!=2.0a1", PrereleasesDefault, "1.0a2 1.0 2.0a1", "1.0"},
	{"==2.0a1", PrereleasesDefault, "2.0a1", "2.0a1"},
	{">2.0a1", PrereleasesDefault, "2.0a1 3.0a2 3.0", "3.0a2 3.0"},
	{"<2.0a1", PrereleasesDefault, "1.0a2 1.0 2.0a1", "1.0a2 1.0"},
	{"~=2.0a1", PrereleasesDefault, "1.0 2.0a1 3.0a2 3.0", "2.0a1"},
	{"", PrereleasesDeny, "1.0a1", ""},
	{">=1.0.dev1", PrereleasesDeny, "1.0 2.0a1", "1.0"},
	{"", PrereleasesAllow, "1.0 2.0a1", "1.0 2.0a1"},
	{"", PrereleasesAllow, "1.0a1", "1.0a1"},
	{">=1.0", PrereleasesDeny, "1.0 2.0a1", "1.0"},
	{">=1.0", PrereleasesAllow, "1.0 2.0a1", "1.0 2.0a1"},
	{">=1.0,<=2.0", PrereleasesDefault, "1.0 1.5a1", "1.0"},
	{">=1.0,<=2.0dev", PrereleasesDefault, "1.0 1.5a1", "1.0 1.5a1"},
	{">=1.0,<=2.0", PrereleasesAllow, "1.0 1.5a1", "1.0 1.5a1"},
	{">=1.0,<=2.0dev", PrereleasesDeny, "1.0 1.5a1", "1.0"},
	{"===1.0", PrereleasesDefault, "1.0 1.0.0 2.0", "1.0"},
	{"===1.0", PrereleasesDefault, "1.0 1.0+downstream1", "1.0"},
	{">=1.0,===1.5", PrereleasesDefault, "1.0 1.5 2.0", "1.5"},
	{">=2.0,===1.5", PrereleasesDefault, "1.0 1.5 2.0", ""},
	{"!=1.0", PrereleasesDefault, "1.0 2.0", "2.0"},
	{"!=2.0.*", PrereleasesDefault, "1.0 2.0.0", "1.0"},
	{"!=1.0,!=2.0", PrereleasesDefault, "1.0 2.0 3.0", "3.0"},
	{">=1.0,!=2.0", PrereleasesDefault, "1.0 2.0 3.0", "1.0 3.0"},
	{"==1.*,>=1.0", PrereleasesDefault, "0.9 1.0 1.5 2.0", "1.0 1.5"},
	{"!=1.5", PrereleasesDefault, "1.4 1.6a1", "1.4"},
	// Exclusionary bridges: gaps where only pre-, dev or post-releases match.
	{">=1,!=1.*,!=2.*,!=3.0,<=3.0", PrereleasesDefault, "3.0.dev0 3.0a1", "3.0.dev0 3.0a1"},
	{">=1,!=1.*,!=2.*,!=3.0,<=3.0", PrereleasesDefault, "0.9 3.0.dev0 3.0a1 4.0", "3.0.dev0 3.0a1"},
	{">=1,!=1.*,!=2.*,!=3.0,<=3.0", PrereleasesAllow, "0.9 3.0.dev0 3.0a1 4.0", "3.0.dev0 3.0a1"},
	{">=1,!=1.*,!=2.*,!=3.0,<=3.0", PrereleasesDeny, "0.9 3.0.dev0 3.0a1 4.0", ""},
	{">=1.0a1,!=1.*,!=2.*,<3.0", PrereleasesDefault, "1.0a1 2.0a1 3.0a1", ""},
	{">=1.0a1,!=1.*,!=2.*,<3.0", PrereleasesAllow, "1.0a1 2.0a1 3.0a1", ""},
	{">=1.0.dev0,!=1.*,!=2.*,<3.0.dev0", PrereleasesDefault, "1.0.dev0 2.0.dev0 3.0.dev0", ""},
	{">=1.0,!=1.0,!=1.1,<2.0", PrereleasesDefault, "1.0.post1 1.1.post1", "1.0.post1 1.1.post1"},
	{">=1.0,!=1.0,!=1.1,<2.0", PrereleasesDefault, "0.9 1.0.post1 1.1.post1 2.0", "1.0.post1 1.1.post1"},
	{">=1.0,!=1.0,!=1.1,<2.0", PrereleasesDeny, "0.9 1.0.post1 1.1.post1 2.0", "1.0.post1 1.1.post1"},
	{">=1,!=1.*,!=2.*,!=3.0,!=3.1,<4", PrereleasesDefault, "0.5 3.0.dev0 3.1.dev0 5.0", "3.0.dev0 3.1.dev0"},
	{">=1,!=1.*,!=2.*,!=3.0,!=3.1,<4", PrereleasesDeny, "0.5 3.0.dev0 3.1.dev0 5.0", ""},
	{">=1.0a1,!=1.0,<1.1", PrereleasesDefault, "0.9 1.0a1 1.0b1 1.1", "1.0a1 1.0b1"},
	{">=1.0a1,!=1.0,<1.1", PrereleasesDefault, "1.0a1 1.0b1 1.1.dev0 1.1a1", "1.0a1 1.0b1"},
	{">=1.0a1,!=1.0,<1.1", PrereleasesAllow, "1.0a1 1.0b1 1.1.dev0 1.1a1", "1.0a1 1.0b1"},
	{">=1.0a1,!=1.0,<1.1", PrereleasesDeny, "0.9 1.0a1 1.0b1 1.1", ""},
	{">=0.9,!=0.9,<=1.0", PrereleasesDefault, "0.9.post1 1.0.dev0 1.0a1 1.0", "0.9.post1 1.0"},
	{">=0.9,!=0.9,<=1.0", PrereleasesDefault, "0.9.post1 1.0.dev0 1.0a1 1.0 1.0.post1", "0.9.post1 1.0"},
	{">=0.9,!=0.9,<=1.0", PrereleasesAllow, "0.9.post1 1.0.dev0 1.0a1 1.0 1.1", "0.9.post1 1.0.dev0 1.0a1 1.0"},
	{">=0.9,!=0.9,<=1.0", PrereleasesDeny, "0.9.post1 1.0.dev0 1.0a1 1.0 1.1", "0.9.post1 1.0"},
	{">=1!0,!=1!1.*,!=1!2.*,<1!3", PrereleasesDefault, "0!5.0 1!0.5 1!2.5 2!0.0", "1!0.5"},
	{">=1!0,!=1!1.*,!=1!2.*,<1!3", PrereleasesDeny, "0!5.0 1!0.5 1!2.5 2!0.0", "1!0.5"},
}

func TestFilterVectors(t *testing.T) {
	for _, tc := range filterVectors {
		if got := filterStrings(mustSpec(t, tc.spec), tc.in, tc.policy); got != tc.want {
			t.Errorf("ParseSpecifiers(%q).Filter(%s, %d) = %q, want %q", tc.spec, tc.in, tc.policy, got, tc.want)
		}
	}
}

// filterStrings filters space-separated versions and returns the result
// in the same form.
func filterStrings(s Specifiers, in string, policy PrereleasePolicy) string {
	var vs []Version
	for f := range strings.FieldsSeq(in) {
		vs = append(vs, MustParse(f))
	}
	var out []string
	for _, v := range s.Filter(vs, policy) {
		out = append(out, v.String())
	}
	return strings.Join(out, " ")
}

// sampleVersions is packaging's _SAMPLE_VERSIONS for its satisfiability
// tests: a family of pre-, post-, dev and local versions around many bases.
func sampleVersions() []Version {
	family := []string{
		".dev0", ".dev1", ".dev0+local", "a0", "a0.post0.dev0", "a0.post0", "a1.dev1",
		"a1.dev1+local", "a1", "a1+local", "b1", "b2.post1.dev1", "b2.post1", "rc1.dev1",
		"rc1", "rc2", "a2.dev0", "", ".0", ".post0.dev0", ".post0", ".post1.dev0", ".post1",
		".post1+local", ".post2", "+local", "+local1", "+local2", "+1", "+1.local",
		".1.dev1", ".1a1", ".1", ".1+local", ".1.post1",
	}
	bases := []string{
		"0", "0.0", "1.0", "1.1", "1.2", "2.0", "2.1", "3.0", "1.0.1", "1.4.2", "2.0.0",
		"3.10.2", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "10.0", "100.0",
		"1!0.0", "1!1.0", "1!2.0",
	}
	var vs []Version
	for _, b := range bases {
		for _, f := range family {
			vs = append(vs, MustParse(b+f))
		}
	}
	return vs
}

// TestSatisfiability ports packaging's TestIsUnsatisfiable lists: no sample
// version satisfies an unsatisfiable set, some satisfies a satisfiable one.
// (=== entries that need a non-normalised or non-PEP 440 candidate string
// are left out: candidates here are always normalised Versions.)
func TestSatisfiability(t *testing.T) {
	samples := sampleVersions()
	unsatisfiable := []string{
		">=2.0,<1.0", ">=2.0,<2.0", ">2.0,<=2.0", ">2.0,<2.0",
		"==1.0,!=1.0", "==1.0,>1.0", "==1.0,<1.0", "==1.0,>=2.0", "==3.0,<2.0",
		"==1.*,>=2.0", "==2.*,<2.0.dev0", "==3.*,<3.0.dev0", "==1.0.*,!=1.0.*", "==1.0,!=1.*",
		"~=2.0,<2.0", "~=2.0,>=3.0", "~=2.5,<2.5", "~=1.0,>=2.0", "~=1.4.2,<1.4.2",
		">=1.0,<=1.0,!=1.0",
		"==1!1.0,==1.0", ">=1!1.0,<1.0", ">=1!0.0,<1.0",
		"<0", "<0.0", "<0.0.dev0", ">=1.0,<0.0.dev0",
		">=1.0a1,<1.0", ">=1.0.dev0,<1.0", ">=1.0rc1,<1.0",
		">=1.0.post1,<1.0.post1", ">=1.0.post1.dev0,<1.0.post1",
		">1.0,<1.0.post0", ">1.0,<1.0.post1", ">1.0.post0,<1.0.post1",
		">=1.0.dev5,<1.0.dev3",
		"==1.0.dev0,>1.0.dev0", "==1.0a1,>1.0a1", "==1.0.post1,>1.0.post1",
		">1.0a1,<1.0a1.post1",
		"~=1.0.dev0,>=2.0", "~=1.0a1,>=2.0",
		">=1.0,<2.0,!=1.*", "~=1.4.2,!=1.4.*",
		"==1.0+local,!=1.0+local",
		"===a,===b", "===1.0,===2.0", "===foobar,==1.0", "===foobar,>=1.0", "===a,!=1.0",
		"===not-a-version,~=1.0", "===foobar,>=2.0,<3.0",
		"===1.0,>=2.0", "===1.0,!=1.0", "===1.0,>1.0", "===1.01,==1.0",
		"==1.0.*,==1.1.*", "==1.*,==2.*", "~=1.0,~=2.0", "~=1.4.2,~=1.5.0",
		"==1.0+local1,!=1.0",
		">=1.0,<1.1,!=1.0.*", "!=1.*,!=2.*,>=1.0,<3.0", "~=1.0,!=1.*",
		">1.0a1,<1.0a1.post2", ">0.dev0,<0.dev1", "~=1.0a1,<1.0", "~=1.0.dev5,<1.0",
		">1.0.post0.dev0,<1.0.post0", "~=1.2.3.4.5,>=1.2.3.5", "==1.1.dev0,<1.0.post1",
	}
	satisfiable := []string{
		"", ">=1.0", "<2.0", ">1.0", ">=1.0,<2.0", ">=1.0,<=1.0", ">=1.0,<100.0",
		"~=1.0", "~=1.0,<1.5", "~=1.4.2",
		"==1.0.*", "!=1.0.*", "==1.*,!=1.5", "==1.0.*,==1.*", "!=1.*,>=2.0",
		">=1.0,<2.0,!=1.5,!=1.6", ">=1.0,<2.0,!=1.0,!=1.1,!=1.2,!=1.3,!=1.4",
		"==1.0", "!=1.0",
		">=1.0.dev0,<1.0.dev1", ">=1.0a1,<1.0a2", ">1.0a1,<1.0a2", ">=1.0a1,<1.0b1", ">=1.0b1,<1.0rc1",
		">1.0.post0,<1.0.post2", ">1.0.post0,<1.0.post3", ">=1.0a1.dev0,<1.0a1",
		">=1!1.0,<1!2.0", ">1!1.0,<1!3.0", ">=1.0,<3.0,!=2.*",
		">=3.8,!=3.9.*,!=3.10.0,!=3.10.1,~=3.10.2,<3.14",
		"<1.0.dev1", ">1!1.0", "<1!2.0", ">1.0,<3.0", ">1.0,>2.0", "<2.0,<3.0", ">1.0.post0", ">1.0.post1,<2.0",
		"==1.0+local1,>=1.0", "!=1.0+local1,>=1.0", "==1.0,>=0.5", "==1.0,!=0.5", "==1.0,<=2.0",
		"==1.0+local1,!=1.0+local2", "==1.0+local1,==1.0", "==1.0+local1,<=1.0",
		"==1.0+local,>=1.0,<=1.0", "==1.0.post1+local,<=1.0.post1",
		">1.0,!=0.5", ">=1.0,<2.0rc1", ">=0.5,!=1.0.*", "~=1.0,!=1.3", ">=1!0.0,<1!1.0",
		"===1.0", "===1.0a1", "===1.0,==1.0", "===1.0,>=1.0", "===1.0,>=0.5", "===1.0,!=2.0",
		"===1.0.0,>=1.0",
		">=1.0,<1.0.post0", ">=1.0,<1.0.post1", ">=0,<1.0.post0,!=1.0",
		"==1.0.dev0,<1.0.post1", "==1.0a1,<1.0.post0", "==1.0rc1,<1.0.post0",
		"==1.0.post0.dev0,<1.0.post1", ">=1.0.dev0,<1.0.post1,!=1.0,!=1.0.post0",
		"==1.0,==1.0.0", "~=1.0.post1,>=1.0", ">=1.0,<1.0.post0.dev1", ">=1.0a1,<1.0a2,!=1.0a1",
		">1.0a1,<1.0b1", "~=1.0,~=1.1", "~=1.0,~=1.0.1", ">=1.0,<2.0,!=1.0.*,!=1.1.*",
		"~=1.0.dev0,<1.0.post0", "~=1.0a1,<1.0.post0",
	}
	unsatisfiableNoPre := []string{
		">=1.0.dev0,<1.0", ">=1.0a1,<1.0", ">=1.0rc1,<1.0",
		"==1.0.dev0", "==1.0a1", "==1.0a1.post0", "==1.0.post0.dev0", "==0.dev0",
		">=1.0a1,<1.0a2", ">=1.0b1,<1.0rc1", ">=1.0.dev0,<1.0.dev5", ">1.0a1,<1.0a3",
		">=1.0rc1,<=1.0,!=1.0", ">=1.0.dev0,<=1.0,!=1.0", ">=1.0.dev0,<=1.0.post0,!=1.0,!=1.0.post0",
		"==1!1.0.dev0", ">=1!1.0a1,<1!1.0", "===1.0a1", "===1.0.dev0", ">=2.0,<1.0",
	}
	satisfiableNoPre := []string{
		"", ">=1.0,<2.0", ">=1.0.dev0,<2.0", "==1.0", "==1.0.post0", ">=1.0.dev0,<1.0.post1",
		"<2.0", "==1.0+local", "===1.0", "~=1.0a1", "~=1.0.dev0", ">=1.0rc1,<=1.0.post0,!=1.0",
		">=1.0rc1,<=1.0", ">=1.0.dev0,<=1.0",
	}
	check := func(specs []string, policy PrereleasePolicy, wantAny bool) {
		for _, spec := range specs {
			got := mustSpec(t, spec).Filter(samples, policy)
			if (len(got) > 0) != wantAny {
				t.Errorf("ParseSpecifiers(%q).Filter(samples, %d) = %v, want satisfiable=%v", spec, policy, got, wantAny)
			}
		}
	}
	check(unsatisfiable, PrereleasesAllow, false)
	check(satisfiable, PrereleasesAllow, true)
	check(unsatisfiableNoPre, PrereleasesDeny, false)
	check(satisfiableNoPre, PrereleasesDeny, true)
}

// TestContainsBridges is packaging's test_contains_exclusionary_bridges
// (prereleases None behaves as true for a single version).
func TestContainsBridges(t *testing.T) {
	for _, tc := range []struct {
		spec, version string
		pre           bool
		want          bool
	}{
		{">=1,!=1.*,!=2.*,!=3.0,<=3.0", "3.0.dev0", true, true},
		{">=1,!=1.*,!=2.*,!=3.0,<=3.0", "3.0a1", true, true},
		{">=1,!=1.*,!=2.*,!=3.0,<=3.0", "3.0.dev0", false, false},
		{">=1,!=1.*,!=2.*,!=3.0,<=3.0", "3.0", true, false},
		{">=1,!=1.*,!=2.*,!=3.0,<=3.0", "2.0", true, false},
		{">=1.0a1,!=1.*,!=2.*,<3.0", "3.0a1", true, false},
		{">=1.0.dev0,!=1.*,!=2.*,<3.0.dev0", "2.0.dev0", true, false},
		{">=1.0,!=1.0,!=1.1,<2.0", "1.0.post1", false, true},
		{">=1.0,!=1.0,!=1.1,<2.0", "1.1", true, false},
		{">=1.0a1,!=1.0,<1.1", "1.0b1", true, true},
		{">=1.0a1,!=1.0,<1.1", "1.1.dev0", true, false},
		{">=1.0a1,!=1.0,<1.1", "1.1a1", true, false},
		{">=0.9,!=0.9,<=1.0", "1.0.dev0", true, true},
		{">=0.9,!=0.9,<=1.0", "1.0.post1", true, false},
		{">=1!0,!=1!1.*,!=1!2.*,<1!3", "1!2.5", true, false},
		{">1.0.dev1,==1.0.post0", "1.0.post0", true, true},
		{">1.0a1,==1.0.post0", "1.0.post0", true, true},
		{">1.0.dev1,<=2.0", "1.0", true, true},
		{">1.0a1,<=2.0", "1.0a1.post0", true, false},
		{">1.0.dev1,<=1.0.post1", "1.0.post1", true, true},
		{">1.0.dev1,!=1.0,!=1.0.post0,<=2.0", "1.0.post1", true, true},
		{"==1.0.dev0,<1.0.post1", "1.0.dev0", true, true},
		{"==1.0.post0.dev0,<1.0.post1", "1.0.post0.dev0", true, true},
		{">=1.0,<1.0.post1", "1.0.post0", true, true},
		{">=1.0,<1.0.post1", "1.0.dev0", true, false},
		{">=1.0.dev0,<1.0.post1", "1.0.a1", true, true},
		{">=1.0.dev0,<1.0.post1,!=1.0,!=1.0.post0", "1.0.post0.dev0", true, true},
		{">=1.0.dev0,<1.0.post2,!=1.0", "1.0.post0", true, true},
		// Local versions: ignored by all but ==/!= with a local label.
		{"==1.0.0", "1.0.0+local", true, true},
		{"!=1.0.0", "1.0.0+local", true, false},
		{"<=1.0.0", "1.0.0+local", true, true},
		{">=1.0.0", "1.0.0+local", true, true},
		{"<1.0.0", "1.0.0+local", true, false},
		{">1.0.0", "1.0.0+local", true, false},
		{"<1.0.post1", "1.0+local", true, true},
		{"<1.0.post1", "1.0.post0+local", true, true},
		// ~= combinations.
		{"~=1.18.0,~=1.18", "1.19.5", true, false},
		{"~=1.18.0,~=1.18", "1.18.0", true, true},
		{"~=1.4.2", "1.4.3.dev1", true, true},
		{"~=1.4.2", "1.4.3+local", true, true},
		{"~=1.4.2", "1.4.1.post1", true, false},
		{"~=1.4.2", "1.5.0.dev0", true, false},
		{"~=1.4.2", "2.0+local", true, false},
	} {
		if got := mustSpec(t, tc.spec).Contains(MustParse(tc.version), tc.pre); got != tc.want {
			t.Errorf("%q contains %q (prereleases %v) = %v, want %v", tc.spec, tc.version, tc.pre, got, tc.want)
		}
	}
}
