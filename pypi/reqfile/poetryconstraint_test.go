package reqfile

import (
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// TestPoetryConstraint follows poetry-core's parse_constraint
// (constraints/version/parser.py) form by form.
func TestPoetryConstraint(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		// any version
		{in: "*", want: ""},
		{in: "", want: ""},
		{in: "x", want: ""},
		{in: "X.x.*", want: ""},
		{in: "x.*", want: ""},
		{in: "v*", want: ""},
		// caret: the next breaking release bumps the first non-zero component
		{in: "^1.2.3", want: ">=1.2.3,<2.0.0"},
		{in: "^1.2", want: ">=1.2,<2.0"},
		{in: "^1", want: ">=1,<2"},
		{in: "^0.2.3", want: ">=0.2.3,<0.3.0"},
		{in: "^0.0.3", want: ">=0.0.3,<0.0.4"},
		{in: "^0.0", want: ">=0.0,<0.1"},
		{in: "^0", want: ">=0,<1"},
		{in: "^0.0.0", want: ">=0.0.0,<0.0.1"},
		{in: "^1.2.3.4", want: ">=1.2.3.4,<2.0.0.0"},
		{in: "^1.2.3b1", want: ">=1.2.3b1,<2.0.0"},
		{in: "^1.2.3-beta.2", want: ">=1.2.3b2,<2.0.0"},
		{in: "^1!2.3", want: ">=1!2.3,<1!3.0"},
		{in: "^v2.1", want: ">=2.1,<3.0"},
		// tilde: next minor, or next major for a bare major
		{in: "~1.2.3", want: ">=1.2.3,<1.3.0"},
		{in: "~1.2", want: ">=1.2,<1.3"},
		{in: "~1", want: ">=1,<2"},
		{in: "~ 0.5.1rc1", want: ">=0.5.1rc1,<0.6.0"},
		// PEP 440 tilde as poetry reads it
		{in: "~=1.2", want: ">=1.2,<2.0"},
		{in: "~=1.2.3", want: ">=1.2.3,<1.3.0"},
		{in: "~=1", want: ">=1,<1.1"},
		// wildcards (poetry's X_CONSTRAINT and BASIC_CONSTRAINT's .*): its
		// range from X.dev0 to the next release's dev0 is PEP 440's prefix match
		{in: "1.2.*", want: "==1.2.*"},
		{in: "==1.2.*", want: "==1.2.*"},
		{in: "v1.*", want: "==1.*"},
		{in: "0.*", want: "==0.*"},
		{in: "010.*.*", want: "==10.*"},
		{in: "1.2.3.*", want: "==1.2.3.*"},
		{in: "1.2.3.4.*", want: "==1.2.3.4.*"},
		{in: "=0.*", want: "==0.*"},
		{in: "!=1.2.*", want: "!=1.2.*"},
		{in: "!=0.*", want: "!=0.*"},
		{in: "==1!2.*", want: "==1!2.*"},
		{in: ">=1.0.*", want: ">=1.0"},
		// comparisons and exact versions
		{in: ">=1,<2", want: ">=1,<2"},
		{in: ">= 1.0, < 2.0", want: ">=1.0,<2.0"},
		{in: ">=1.0 <2.0", want: ">=1.0,<2.0"},
		{in: ">=1.0,  !=1.5 , <2", want: ">=1.0,!=1.5,<2"},
		{in: ">=1.0,", want: ">=1.0"},
		{in: ">1.0", want: ">1.0"},
		{in: "<=2", want: "<=2"},
		{in: "<2.0.0a1", want: "<2.0.0a1"},
		{in: "==1.2.3", want: "==1.2.3"},
		{in: "=1.2.3", want: "==1.2.3"},
		{in: "1.2.3", want: "==1.2.3"},
		{in: "v1.2", want: "==1.2"},
		{in: "!=1.5", want: "!=1.5"},
		{in: "==1.0+local.1", want: "==1.0+local.1"},
		{in: ">=1.0+local", want: ">=1.0"},
		{in: "dev", want: "==0.0.dev0"},
		{in: " ^1.0 ", want: ">=1.0,<2.0"},
		{in: "^1.0 ~1.0.5", want: ">=1.0,<2.0,>=1.0.5,<1.1.0"},
		// errors
		{in: "^ 1.2", wantErr: `cannot parse version constraint "^ 1.2": the version is missing`}, // poetry splits at the space
		{in: "==1.0b1.*", wantErr: `cannot parse version constraint "==1.0b1.*": "==1.0b1.*": a wildcard must follow a plain release such as 1.2`},
		{in: "1.2.x", wantErr: `cannot parse version constraint "1.2.x": "1.2.x" is not a version`},
		// unions: ranges that overlap or touch merge (poetry-core's VersionUnion.of)
		{in: "^3.2 || ^4.0", want: ">=3.2,<5.0"},
		{in: "^1 || ^2", want: ">=1,<3"},
		{in: "^4.0 || ^3.2", want: ">=3.2,<5.0"},
		{in: ">=2.2,<3 | ^3.0 | ~4.1", want: ">=2.2,<4.2,!=4.0.*"},
		{in: "^1.0 || ^1.5", want: ">=1.0,<2.0"},
		{in: "3.* || 4.*", want: ">=3,<5"},
		{in: "^3.0 || 4.*", want: ">=3.0,<5"},
		{in: ">=1.0 || <1.5", want: ""},
		{in: "^1.0 || *", want: ""},
		{in: "<1.0 || >=1.0,<2", want: "<2"},
		{in: ">=1.0,<2.0 || <=2.0,>=1.5", want: ">=1.0,<=2.0"},
		{in: "1.0 || >=1.0,<2", want: ">=1.0,<2"},
		{in: ">1.0,<2 || 1.0", want: ">=1.0,<2"},
		// unions with a gap: != clauses where they express it
		{in: "^1.0 || ^3.0", want: ">=1.0,<4.0,!=2.*"},
		{in: "^3.2 || ^4.1", want: ">=3.2,<5.0,!=4.0.*"},
		{in: "^2.7 || ^3.5", want: ">=2.7,<4.0,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*"},
		{in: "~1.4 || ^1.6", want: ">=1.4,<2.0,!=1.5.*"},
		{in: "^2 || <1", want: "<3,!=1.*"},
		{in: "1.* || 3.*", want: ">=1,<4,!=2.*"},
		{in: "^1.2 || ^2.0.3", want: ">=1.2,<3.0.0,!=2.0.0.*,!=2.0.1.*,!=2.0.2.*"},
		{in: ">=3.8,<3.9.7 || >3.9.7,<4.0", want: ">=3.8,<4.0,!=3.9.7"},
		{in: "<1.5 || >1.5", want: "!=1.5"},
		{in: "^1.0 || >=3.0a1", want: ">=1.0,!=2.*"},
		{in: "^1!1.0 || ^1!3.0", want: ">=1!1.0,<1!4.0,!=1!2.*"},
		{in: ">=1,<2,!=1.5 || ^3", want: ">=1,<4,!=1.5,!=2.*"},
		{in: ">=1,<4,!=2.* || ^2.5", wantErr: `version constraint ">=1,<4,!=2.* || ^2.5" is a union (||) that no PEP 440 specifier set can express (another alternative allows versions that !=2.* excludes); write the versions it should allow as one range`},
		// unions no specifier set expresses
		{in: ">=1.0 | <0.5", wantErr: `version constraint ">=1.0 | <0.5" is a union (||) that no PEP 440 specifier set can express (the gap from 0.5 to 1.0 is not a whole number of release prefixes: it would need !=0.5.*, !=0.6.*, ... without end); write the versions it should allow as one range`},
		{in: "1.0 || 2.0", wantErr: `version constraint "1.0 || 2.0" is a union (||) that no PEP 440 specifier set can express (the gap after <=1.0 starts inside the versions of a release); write the versions it should allow as one range`},
		{in: "^1.0 || >2.5", wantErr: `version constraint "^1.0 || >2.5" is a union (||) that no PEP 440 specifier set can express (the gap before >2.5 ends inside the versions of a release); write the versions it should allow as one range`},
		{in: "^2 || ^2024", wantErr: `version constraint "^2 || ^2024" is a union (||) too long to write as PEP 440 specifiers (the gap from 3 to 2024 would take 2021 != clauses; req2nix writes at most 64); write the versions it should allow as one range`},
		{in: "^1 || ^1!1", wantErr: `version constraint "^1 || ^1!1" is a union (||) that no PEP 440 specifier set can express (the gap between <2 and >=1!1 spans epochs); write the versions it should allow as one range`},
		{in: "^1 ||", wantErr: `cannot parse version constraint "^1 ||": the version is missing`},
		{in: "^abc", wantErr: `cannot parse version constraint "^abc": "abc" is not a version`},
		{in: "foo", wantErr: `cannot parse version constraint "foo": "foo" is not a version`},
		{in: "<>1.0", wantErr: `cannot parse version constraint "<>1.0": "<>1.0": write != instead of <>`},
		{in: "0+Aa.*", wantErr: `cannot parse version constraint "0+Aa.*": "0+Aa.*": a wildcard must follow a plain release such as 1.2`},
		{in: "0\n0", wantErr: `cannot parse version constraint "0\n0": "0\n0" is not a version`},
		{in: "===1.0", wantErr: `cannot parse version constraint "===1.0": "=1.0" is not a version`},
		{in: "1.0,,2.0", wantErr: `cannot parse version constraint "1.0,,2.0": "1.0,,2.0" is not a version`},
	}
	for _, tt := range tests {
		got, err := poetryConstraint(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("poetryConstraint(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("poetryConstraint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if _, err := pep440.ParseSpecifiers(got); err != nil {
			t.Errorf("poetryConstraint(%q) = %q, which PEP 440 rejects: %v", tt.in, got, err)
		}
	}
}

func TestPythonAndPlatformMarkers(t *testing.T) {
	tests := []struct {
		fn       func(string) (string, error)
		in, want string
	}{
		{pythonMarker, "^3.8", `python_version >= "3.8" and python_version < "4.0"`},
		{pythonMarker, ">=3.8.1,<3.12", `python_full_version >= "3.8.1" and python_version < "3.12"`},
		{pythonMarker, "3.9.*", `python_version == "3.9.*"`},
		{pythonMarker, "!=3.9.*", `python_version != "3.9.*"`},
		{pythonMarker, "*", ``},
		{func(s string) (string, error) { return platformMarker(s), nil }, "linux", `sys_platform == "linux"`},
		{func(s string) (string, error) { return platformMarker(s), nil }, "linux || darwin", `sys_platform == "linux" or sys_platform == "darwin"`},
		{func(s string) (string, error) { return platformMarker(s), nil }, "!=win32", `sys_platform != "win32"`},
	}
	for _, tt := range tests {
		got, err := tt.fn(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
