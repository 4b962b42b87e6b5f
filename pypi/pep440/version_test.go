package pep440

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sortedVersions is in PEP 440 order, lowest first (packaging's
// tests/test_version.py VERSIONS, plus edge cases). Every pair is checked.
var sortedVersions = []string{
	"0.dev0",
	"0",
	"1.0.dev0",
	"1.0.dev456",
	"1.0.dev456+local",
	"1.0a0",
	"1.0a0.post0.dev0",
	"1.0a0.post0",
	"1.0a1.dev1",
	"1.0a1.dev1+local",
	"1.0a1",
	"1.0a1+local",
	"1.0b0",
	"1.0b1.dev456",
	"1.0b2",
	"1.0b2.post345.dev456",
	"1.0b2.post345",
	"1.0b2-346",
	"1.0rc0",
	"1.0rc1.dev1",
	"1.0c1",
	"1.0rc2",
	"1.0",
	"1.0.post0.dev0",
	"1.0.post0",
	"1.0.post456.dev34",
	"1.0.post456",
	"1.0.post456+local",
	"1.0.1.dev1",
	"1.0.1a1",
	"1.0.1",
	"1.0.1+local",
	"1.0.1.post1",
	"1.1.dev1",
	"1.2+a",
	"1.2+abc",
	"1.2+abcdef",
	"1.2+def",
	"1.2+0",
	"1.2+1",
	"1.2+1.abc",
	"1.2+1.1",
	"1.2+1.1.0",
	"1.2+2",
	"1.2+123",
	"1.2+123456",
	"1.2+99999999999999999999999",
	"1.2.r32+123456",
	"1.2.rev33+123456",
	"9223372036854775807",
	"1!1.0.dev0",
	"1!1.0.dev456",
	"1!1.0.dev456+local",
	"1!1.0a0",
	"1!1.0a0.post0.dev0",
	"1!1.0a0.post0",
	"1!1.0a1.dev1",
	"1!1.0a1.dev1+local",
	"1!1.0a1",
	"1!1.0a1+local",
	"1!1.0b0",
	"1!1.0b1.dev456",
	"1!1.0b2",
	"1!1.0b2.post345.dev456",
	"1!1.0b2.post345",
	"1!1.0b2-346",
	"1!1.0rc0",
	"1!1.0rc1.dev1",
	"1!1.0c1",
	"1!1.0rc2",
	"1!1.0",
	"1!1.0.post0.dev0",
	"1!1.0.post0",
	"1!1.0.post456.dev34",
	"1!1.0.post456",
	"1!1.0.post456+local",
	"1!1.0.1.dev1",
	"1!1.0.1a1",
	"1!1.0.1",
	"1!1.0.1+local",
	"1!1.0.1.post1",
	"1!1.1.dev1",
	"1!1.2+a",
	"1!1.2+abc",
	"1!1.2+abcdef",
	"1!1.2+def",
	"1!1.2+0",
	"1!1.2+1",
	"1!1.2+1.abc",
	"1!1.2+1.1",
	"1!1.2+1.1.0",
	"1!1.2+2",
	"1!1.2+123",
	"1!1.2+123456",
	"1!1.2.r32+123456",
	"1!1.2.rev33+123456",
}

func TestCompareOrder(t *testing.T) {
	vs := make([]Version, len(sortedVersions))
	for i, s := range sortedVersions {
		vs[i] = MustParse(s)
	}
	for i, a := range vs {
		for j, b := range vs {
			if got, want := a.Compare(b), sign(i-j); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", sortedVersions[i], sortedVersions[j], got, want)
			}
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestCompareEqual lists spellings that differ but compare equal.
func TestCompareEqual(t *testing.T) {
	for _, tc := range [][2]string{
		{"1.0", "1.0.0"},
		{"1", "1.0.0.0"},
		{"0", "0.0"},
		{"0!1.0", "1"},
		{"1.0rc1", "1.0c1"},
		{"1.0rc1", "1.0pre1"},
		{"1.0rc1", "1.0preview1"},
		{"1.0.post0", "1.0-0"},
		{"1.0.post0", "1.0.r"},
		{"1.0+abc.1", "1.0+ABC-01"},
		{"1.0+0", "1.0+000"},
	} {
		a, b := MustParse(tc[0]), MustParse(tc[1])
		if a.Compare(b) != 0 || b.Compare(a) != 0 {
			t.Errorf("%q and %q should compare equal", tc[0], tc[1])
		}
	}
	if z := (Version{}); z.Compare(MustParse("0.dev0")) != -1 || z.Compare(Version{}) != 0 {
		t.Errorf("the zero Version must sort first")
	}
}

// TestNormalize follows PEP 440's normalisation section (and packaging's
// test_normalized_versions).
func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		// Case sensitivity.
		{"1.1RC1", "1.1rc1"},
		{"1.0+AbC", "1.0+abc"},
		// Integer normalisation.
		{"00", "0"},
		{"09000", "9000"},
		{"1.01", "1.1"},
		{"1.0a05", "1.0a5"},
		{"1.0b07", "1.0b7"},
		{"1.0c056", "1.0rc56"},
		{"1.0rc09", "1.0rc9"},
		{"1.0.post000", "1.0.post0"},
		{"1.1.dev09000", "1.1.dev9000"},
		{"00!1.2", "1.2"},
		{"0100!0.0", "100!0.0"},
		{"9223372036854775807", "9223372036854775807"},
		// Pre-release separators and spellings.
		{"1.0a", "1.0a0"},
		{"1.0.a", "1.0a0"},
		{"1.0.a1", "1.0a1"},
		{"1.0-a", "1.0a0"},
		{"1.0_a1", "1.0a1"},
		{"1.0a.1", "1.0a1"},
		{"1.0a-1", "1.0a1"},
		{"1.0a_1", "1.0a1"},
		{"1.0alpha", "1.0a0"},
		{"1.0-ALPHA1", "1.0a1"},
		{"1.0b", "1.0b0"},
		{"1.0.beta1", "1.0b1"},
		{"1.0-BETA", "1.0b0"},
		{"1.0c", "1.0rc0"},
		{"1.0.C1", "1.0rc1"},
		{"1.0rc", "1.0rc0"},
		{"1.0-RC1", "1.0rc1"},
		{"1.0pre", "1.0rc0"},
		{"1.0.preview2", "1.0rc2"},
		{"1.0a.", "1.0a0"},
		// Post-release separators and spellings.
		{"1.0post", "1.0.post0"},
		{"1.0.post", "1.0.post0"},
		{"1.0post1", "1.0.post1"},
		{"1.0-post", "1.0.post0"},
		{"1.0_post1", "1.0.post1"},
		{"1.0.post.1", "1.0.post1"},
		{"1.0POST1", "1.0.post1"},
		{"1.0r", "1.0.post0"},
		{"1.0rev", "1.0.post0"},
		{"1.0.r1", "1.0.post1"},
		{"1.0.rev1", "1.0.post1"},
		{"1.0-5", "1.0.post5"},
		{"1.0-r5", "1.0.post5"},
		{"1.0-rev5", "1.0.post5"},
		{"1.0a1-1", "1.0a1.post1"},
		{"1.0a-.post1", "1.0a0.post1"},
		{"1.0a--1", "1.0a0.post1"},
		// Dev-release separators and spellings.
		{"1.0dev", "1.0.dev0"},
		{"1.0.dev", "1.0.dev0"},
		{"1.0dev1", "1.0.dev1"},
		{"1.0-dev", "1.0.dev0"},
		{"1.0_DEV1", "1.0.dev1"},
		{"1.0.dev.1", "1.0.dev1"},
		{"1.0-1-dev", "1.0.post1.dev0"},
		{"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
		{"1.0alpha1post2dev3", "1.0a1.post2.dev3"},
		// Local versions.
		{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+ubuntu_1.2", "1.0+ubuntu.1.2"},
		{"1.0+Ubuntu-01_x", "1.0+ubuntu.1.x"},
		{"1.0+007", "1.0+7"},
		{"1.0+0", "1.0+0"},
		{"1.0+abc007", "1.0+abc007"},
		{"1.0+99999999999999999999999999", "1.0+99999999999999999999999999"},
		// Leading v and surrounding white space.
		{"v1.0", "1.0"},
		{"V1.0", "1.0"},
		{"   v1.0\t\n", "1.0"},
		{"\u202f1.0\t\u2029\n ", "1.0"},
		{"\x1c1.0\x1f", "1.0"},
		// Epochs.
		{"1!2.0", "1!2.0"},
		{"0!2.0", "2.0"},
		{"v1!2.0.dev1", "1!2.0.dev1"},
	}
	for _, tc := range tests {
		v, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := v.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty version"},
		{"   ", "empty version"},
		{"french toast", "expected a release number"},
		{"lolwat", "expected a release number"},
		{"1.0+a+", `unexpected "+"`},
		{"1.0++", "expected a letter or digit"},
		{"1.0+_foobar", "expected a letter or digit"},
		{"1.0+foo&asd", `unexpected "&"`},
		{"1.0+1+1", `unexpected "+"`},
		{"1.0+", "empty local version segment"},
		{"1.0+a.", "empty local version segment"},
		{"1.0+a..b", "expected a letter or digit"},
		{"1. 0", `unexpected "."`},
		{"1 .0", `unexpected " "`},
		{"1. 0a1", `unexpected "."`},
		{"1 .0a1", `unexpected " "`},
		{"1.0 a1", `unexpected " "`},
		{"1.0a 1", `unexpected " "`},
		{"٠١٢.٣٤٥.٦٧٨٩", "expected a release number"},
		{".", "expected a release number"},
		{"..", "expected a release number"},
		{"1..0", `unexpected "."`},
		{"1.0.", `unexpected "."`},
		{".1.0", "expected a release number"},
		{"1..2.3", `unexpected "."`},
		{"1.0+\u0130", "expected a letter or digit"},
		{"1.0\u0130", "non-ASCII"},
		{"1.0.po\u017ft1", `unexpected "."`},
		{"vv1.0", "expected a release number"},
		{"1!", "expected a release number at end of input"},
		{"1!2!3", `unexpected "!"`},
		{"!1", "expected a release number"},
		{"1.0-", `unexpected "-"`},
		{"1.0a1a2", `unexpected "a"`},
		{"1.0.post1.post2", `unexpected "."`},
		{"1.0.dev1.dev2", `unexpected "."`},
		{"1.0dev1a1", `unexpected "a"`},
		{"1.0.post1a1", `unexpected "a"`},
		{"1.0prev", `unexpected "v"`},
		{"1.0.x", `unexpected "."`},
		{"1.0-beta.1.2", `unexpected "."`},
		{"2024-01-01", `unexpected "-"`},
		{"1.0.*", `unexpected "."`},
		{"9223372036854775808", "larger than 9223372036854775807"},
		{"1.99999999999999999999", "larger than"},
		{"1.0a99999999999999999999", "pre-release number"},
		{"1.0.post99999999999999999999", "post-release number"},
		{"1.0-99999999999999999999", "post-release number"},
		{"1.0.dev99999999999999999999", "dev-release number"},
		{"99999999999999999999!1.0", "larger than"},
	}
	for _, tc := range tests {
		v, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", tc.in, v)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, fmt.Sprintf("invalid version %q: ", tc.in)) || !strings.Contains(msg, tc.wantErr) {
			t.Errorf("Parse(%q) error %q, want one naming the input and containing %q", tc.in, msg, tc.wantErr)
		}
	}
}

// TestAccessors checks the parts of a version (packaging's public,
// base_version, epoch, release, pre, post, dev, local and is_* tests).
func TestAccessors(t *testing.T) {
	tests := []struct {
		in                string
		public, base, loc string
		epoch             int
		release           []int
		pre               string // label and number, "" for none
		post, dev         int    // -1 for none
		isPre, isPost     bool
	}{
		{"1.0", "1.0", "1.0", "", 0, []int{1, 0}, "", -1, -1, false, false},
		{"1.0.dev6", "1.0.dev6", "1.0", "", 0, []int{1, 0}, "", -1, 6, true, false},
		{"1.0a1", "1.0a1", "1.0", "", 0, []int{1, 0}, "a1", -1, -1, true, false},
		{"1.0a1.post5", "1.0a1.post5", "1.0", "", 0, []int{1, 0}, "a1", 5, -1, true, true},
		{"1.0a1.post5.dev6", "1.0a1.post5.dev6", "1.0", "", 0, []int{1, 0}, "a1", 5, 6, true, true},
		{"1.0rc4", "1.0rc4", "1.0", "", 0, []int{1, 0}, "rc4", -1, -1, true, false},
		{"1.0.post5", "1.0.post5", "1.0", "", 0, []int{1, 0}, "", 5, -1, false, true},
		{"1.0.post5.dev1", "1.0.post5.dev1", "1.0", "", 0, []int{1, 0}, "", 5, 1, true, true},
		{"1!1.0b2", "1!1.0b2", "1!1.0", "", 1, []int{1, 0}, "b2", -1, -1, true, false},
		{"1!1.0a1.post5.dev6+deadbeef", "1!1.0a1.post5.dev6", "1!1.0", "deadbeef", 1, []int{1, 0}, "a1", 5, 6, true, true},
		{"1.0+deadbeef", "1.0", "1.0", "deadbeef", 0, []int{1, 0}, "", -1, -1, false, false},
		{"0!1.2.3.4.5+Ubuntu-01", "1.2.3.4.5", "1.2.3.4.5", "ubuntu.1", 0, []int{1, 2, 3, 4, 5}, "", -1, -1, false, false},
	}
	for _, tc := range tests {
		v := MustParse(tc.in)
		pre := ""
		if l, n, ok := v.Pre(); ok {
			pre = l + strconv.Itoa(n)
		}
		post, hasPost := v.Post()
		dev, hasDev := v.Dev()
		if !hasPost {
			post = -1
		}
		if !hasDev {
			dev = -1
		}
		got := []any{v.Public(), v.BaseVersion(), v.Local(), v.Epoch(), v.Release(), pre, post, dev, v.IsPrerelease(), v.IsPostrelease(), v.IsDevrelease()}
		want := []any{tc.public, tc.base, tc.loc, tc.epoch, tc.release, tc.pre, tc.post, tc.dev, tc.isPre, tc.isPost, tc.dev >= 0}
		for i := range got {
			if !equalAny(got[i], want[i]) {
				t.Errorf("%q: accessor %d = %v, want %v", tc.in, i, got[i], want[i])
			}
		}
	}
}

func equalAny(a, b any) bool {
	if ai, ok := a.([]int); ok {
		return slices.Equal(ai, b.([]int))
	}
	return a == b
}

func TestReleaseIsACopy(t *testing.T) {
	v := MustParse("1.2.3")
	v.Release()[0] = 9
	if v.String() != "1.2.3" || v.Release()[0] != 1 {
		t.Errorf("Release() exposes internal state")
	}
}

func TestZeroVersion(t *testing.T) {
	var z Version
	if z.String() != "" || z.Public() != "" || z.BaseVersion() != "" || z.Local() != "" ||
		z.Epoch() != 0 || z.Release() != nil || z.IsPrerelease() || z.IsPostrelease() || z.IsDevrelease() {
		t.Errorf("zero Version accessors should return zero values")
	}
	if _, _, ok := z.Pre(); ok {
		t.Errorf("zero Version has no pre-release")
	}
}
