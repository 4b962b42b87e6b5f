package pep508

import (
	"errors"
	"strings"
	"testing"
)

// The vectors below are ported from pypa/packaging 26's tests/test_markers.py,
// in that file's order, then precedence and evaluation cases of our own.

var (
	markerVariables = []string{
		"extra", "implementation_name", "implementation_version", "os_name",
		"platform_machine", "platform_release", "platform_system", "platform_version",
		"python_full_version", "python_version", "platform_python_implementation", "sys_platform",
	}
	pep345Variables     = []string{"os.name", "sys.platform", "platform.version", "platform.machine", "platform.python_implementation"}
	setuptoolsVariables = []string{"python_implementation"}
	markerOperators     = []string{"===", "==", ">=", "<=", "!=", "~=", ">", "<", "in", "not in"}
	markerValues        = []string{"1.0", "5.6a0", "dog", "freebsd", "literally any string can go here", "things @#4 dsfd ((("}
)

// TestParseMarkerMatrix is test_parses_valid, test_parses_pep345_valid and
// test_parses_setuptools_legacy_valid: every variable, operator and value,
// with the variable on either side.
func TestParseMarkerMatrix(t *testing.T) {
	for _, vars := range [][]string{markerVariables, pep345Variables, setuptoolsVariables} {
		for _, v := range vars {
			for _, op := range markerOperators {
				for _, value := range markerValues {
					for _, s := range []string{v + " " + op + " '" + value + "'", "'" + value + "' " + op + " " + v} {
						m := must(t, ParseMarker, s)
						if back := must(t, ParseMarker, m.String()); back.String() != m.String() {
							t.Errorf("ParseMarker(%q).String() = %q re-parses as %q", s, m, back)
						}
					}
				}
			}
		}
	}
}

func TestParseMarkerInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"this_isnt_a_real_variable >= '1.0'", "Expected a marker variable or quoted string\n" +
			"    this_isnt_a_real_variable >= '1.0'\n    ^"},
		{"python_version", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    python_version\n                  ^"},
		{"(python_version)", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    (python_version)\n                   ^"},
		{"python_version >= 1.0 and (python_version)", "Expected a marker variable or quoted string\n" +
			"    python_version >= 1.0 and (python_version)\n                      ^"},
		{`(python_version == "2.7" and os_name == "linux"`, "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression\n" +
			`    (python_version == "2.7" and os_name == "linux"` + "\n    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~^"},
		{`(python_version == "2.7") with random text`, "Expected end of marker expression\n" +
			`    (python_version == "2.7") with random text` + "\n                              ^"},
		// test_parses_invalid_malformed_quoted_string
		{`os_name == "C:\"`, "Invalid quoted string\n    os_name == \"C:\\\"\n               ~~~~~^"},
		{`os_name == "\x"`, "Invalid quoted string\n    os_name == \"\\x\"\n               ~~~~^"},
		// beyond packaging's suite
		{"", "Expected a marker variable or quoted string\n    \n    ^"},
		{"os_name == 'a' and", "Expected a marker variable or quoted string\n    os_name == 'a' and\n                      ^"},
		{"os_name == 'a' AND os_name == 'b'", "Expected end of marker expression\n" +
			"    os_name == 'a' AND os_name == 'b'\n                   ^"},
		{"os_name == 'a' andos_name == 'b'", "Expected end of marker expression\n" +
			"    os_name == 'a' andos_name == 'b'\n                   ^"},
		{"os_name == 'a'or os_name == 'b' extra", "Expected end of marker expression\n" +
			"    os_name == 'a'or os_name == 'b' extra\n                                    ^"},
		{"platform_release>'0a'0", "Expected end of marker expression\n    platform_release>'0a'0\n                         ^"},
		{"Python_Version == '3'", "Expected a marker variable or quoted string\n    Python_Version == '3'\n    ^"},
		{"os_name = 'a'", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    os_name = 'a'\n            ^"},
		{"os_name == 'a\nb'", "Invalid quoted string\n    os_name == 'a\nb'\n               ~~~~~^"},
		{`os_name == 'a\'`, "Invalid quoted string\n    os_name == 'a\\'\n               ~~~~^"}, // the quote is escaped
		{`os_name == "\N{DIGIT ONE}"`, "Invalid quoted string\n    os_name == \"\\N{DIGIT ONE}\"\n               ~~~~~~~~~~~~~~~^"},
	}
	for _, tt := range tests {
		_, err := ParseMarker(tt.in)
		checkSyntaxErrorText(t, tt.in, err, tt.want)
	}
}

// TestMarkerString is test_str_repr_eq_hash and the normalisation tests.
func TestMarkerString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"python_version == '2.7'", `python_version == "2.7"`},
		{`python_version == "2.7"`, `python_version == "2.7"`},
		{`python_version == "2.7" and os_name == "linux"`, `python_version == "2.7" and os_name == "linux"`},
		{`python_version == "2.7" or os_name == "linux"`, `python_version == "2.7" or os_name == "linux"`},
		{`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`,
			`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`},
		{`(python_version == "2.7")`, `python_version == "2.7"`},
		{`(python_version == "2.7" and sys_platform == "win32")`, `python_version == "2.7" and sys_platform == "win32"`},
		{`python_version == "2.7" and (sys_platform == "win32" or sys_platform == "linux")`,
			`python_version == "2.7" and (sys_platform == "win32" or sys_platform == "linux")`},
		// test_extra_str_normalization and friends
		{`'S_P__A_M' == extra`, `"s-p-a-m" == extra`},
		{`extra == 'S_P__A_M'`, `extra == "s-p-a-m"`},
		{"extra == os_name", "extra == os_name"},
		{"os_name == extra", "os_name == extra"},
		{`(extra == "Foo_Bar" or extra == "Baz") and python_version >= "3"`,
			`(extra == "foo-bar" or extra == "baz") and python_version >= "3"`},
		{`"Foo.Bar" in extras`, `"foo-bar" in extras`},
		{`"Foo.Bar" not in dependency_groups`, `"foo-bar" not in dependency_groups`},
		{`extras == "Foo"`, `extras == "Foo"`}, // packaging only normalises the membership form
		// legacy spellings become canonical names
		{"os.name == 'a' and sys.platform == 'b'", `os_name == "a" and sys_platform == "b"`},
		{"platform.version in 'x' or platform.machine == 'y'", `platform_version in "x" or platform_machine == "y"`},
		{"platform.python_implementation == 'x' and python_implementation == 'y'",
			`platform_python_implementation == "x" and platform_python_implementation == "y"`},
		// parentheses are kept around written groups, dropped around single items
		{`((os_name == "a" and os_name == "b")) or os_name == "c"`, `(os_name == "a" and os_name == "b") or os_name == "c"`},
		{`os_name == "a" and ((os_name == "b" or os_name == "c"))`, `os_name == "a" and (os_name == "b" or os_name == "c")`},
		{`(os_name == "a") and (((os_name == "b")))`, `os_name == "a" and os_name == "b"`},
		{`((os_name == "a" or os_name == "b"))`, `os_name == "a" or os_name == "b"`},
		{"os_name=='a'or(os_name=='b')and\tos_name=='c'", `os_name == "a" or os_name == "b" and os_name == "c"`},
		// values: Python escapes are decoded; quotes chosen so the text reads back
		{`os_name == "a\tb"`, "os_name == \"a\tb\""},
		{`os_name == '\x41\101\u0041\U00000041'`, `os_name == "AAAA"`},
		{`os_name == "C:\dir"`, `os_name == "C:\dir"`},
		{`os_name == 'a"b'`, `os_name == 'a"b'`},
		{`os_name == 'a"b\x27'`, `os_name == "a\x22b'"`},
		{`os_name == 'a\\nb'`, `os_name == "a\\nb"`},
		{`os_name == 'a\nb'`, `os_name == "a\nb"`},
		{"os_name == 'a\\\nb'", `os_name == "ab"`},
	}
	for _, tt := range tests {
		m := must(t, ParseMarker, tt.in)
		if got := m.String(); got != tt.want {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if again := must(t, ParseMarker, tt.want).String(); again != tt.want {
			t.Errorf("ParseMarker(%q).String() = %q, not stable", tt.want, again)
		}
	}
}

// TestMarkerStringsDiffer is test_different_markers_different_hashes.
func TestMarkerStringsDiffer(t *testing.T) {
	for _, p := range [][2]string{
		{`python_version == "2.7"`, `python_version == "3.7"`},
		{`python_version == "2.7"`, `python_version == "2.7" and os_name == "linux"`},
		{`python_version == "2.7"`, `(python_version == "2.7" and os_name == "linux")`},
		{`python_version == "2.7" and (os_name == "linux" or sys_platform == "win32")`,
			`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`},
	} {
		if a, b := must(t, ParseMarker, p[0]).String(), must(t, ParseMarker, p[1]).String(); a == b {
			t.Errorf("%q and %q format alike: %q", p[0], p[1], a)
		}
	}
}

func TestZeroMarker(t *testing.T) {
	var m Marker
	if !m.IsZero() || m.String() != "" || !m.Evaluate(nil) {
		t.Errorf("zero Marker: IsZero %v String %q Evaluate %v, want true, \"\", true", m.IsZero(), m, m.Evaluate(nil))
	}
	if must(t, ParseMarker, "os_name == 'a'").IsZero() {
		t.Error("a parsed marker IsZero")
	}
}

// TestMarkerEvaluate is test_evaluates, test_evaluate_pep345_markers,
// test_evaluate_setuptools_legacy_markers, the extras tests and
// TestOperatorEvaluation, followed by our own cases.
func TestMarkerEvaluate(t *testing.T) {
	tests := []struct {
		marker string
		env    Environment
		want   bool
	}{
		{"os_name == 'foo'", Environment{"os_name": "foo"}, true},
		{"os_name == 'foo'", Environment{"os_name": "bar"}, false},
		{"'2.7' in python_version", Environment{"python_version": "2.7.5"}, true},
		{"'2.7' not in python_version", Environment{"python_version": "2.7"}, false},
		{"os_name == 'foo' and python_version ~= '2.7.0'", Environment{"os_name": "foo", "python_version": "2.7.6"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "foo", "python_version": "2.7.4"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "bar", "python_version": "2.7.4"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "other", "python_version": "2.7.4"}, false},
		{"extra == 'security'", Environment{"extra": "quux"}, false},
		{"extra == 'security'", Environment{"extra": "security"}, true},
		{"extra == 'SECURITY'", Environment{"extra": "security"}, true},
		{"extra == 'security'", Environment{"extra": "SECURITY"}, true},
		{"extra == 'pep-685-norm'", Environment{"extra": "PEP_685...norm"}, true},
		{"extra == 'Different.punctuation..is...equal'", Environment{"extra": "different__punctuation_is_EQUAL"}, true},
		{`extra == "im_valid"`, Environment{}, false}, // test_environment_assumes_empty_extra
		{"sys.platform == 'win32'", Environment{"sys_platform": "linux2"}, false},
		{"platform.version in 'Ubuntu'", Environment{"platform_version": "#39"}, false},
		{"platform.machine=='x86_64'", Environment{"platform_machine": "x86_64"}, true},
		{"platform.python_implementation=='Jython'", Environment{"platform_python_implementation": "CPython"}, false},
		{"python_version == '2.5' and platform.python_implementation!= 'Jython'", Environment{"python_version": "2.7"}, false},
		{"python_implementation=='Jython'", Environment{"platform_python_implementation": "CPython"}, false},
		{`(extra == "Foo_Bar" or extra == "Baz") and python_version >= "3"`, Environment{"extra": "foo-bar", "python_version": "3.12"}, true},
		{"python_full_version < '3.12'", Environment{"python_full_version": "3.11.1+"}, true},
		// test_version_like_equality: extras are names, not versions
		{`extra == "v2"`, Environment{}, false},
		{`extra == "v2"`, Environment{"extra": ""}, false},
		{`extra == "v2"`, Environment{"extra": "v2"}, true},
		{`extra == "v2"`, Environment{"extra": "v2a3"}, false},
		{`extra == "v2a3"`, Environment{"extra": "v2"}, false},
		{`extra == "v2a3"`, Environment{"extra": "v2a3"}, true},
		// TestOperatorEvaluation
		{`"2.7.9" < python_full_version`, Environment{"python_full_version": "2.7.10"}, true},
		{`"2.7.9" < python_full_version`, Environment{"python_full_version": "2.7.8"}, false},
		{`"b" < python_full_version`, Environment{"python_full_version": "c"}, false},
		{`"b" < python_full_version`, Environment{"python_full_version": "a"}, false},
		{`"b" > "a"`, Environment{"a": "a"}, false},
		{`"b" < "a"`, Environment{"a": "a"}, false},
		{`"b" >= "a"`, Environment{"a": "a"}, false},
		{`"b" <= "a"`, Environment{"a": "a"}, false},
		{`"a" <= "a"`, Environment{"a": "a"}, true},
		{`python_full_version > "3.6.2"`, Environment{"python_full_version": "3.11.0a5"}, true},
		// versions compare as PEP 440 versions, not strings
		{`python_version >= "3.8"`, Environment{"python_version": "3.10"}, true},
		{`python_version < "3.8"`, Environment{"python_version": "3.10"}, false},
		{`python_version > "3.9"`, Environment{"python_version": "3.10"}, true},
		{`python_version == "3.10"`, Environment{"python_version": "3.10.0"}, true},
		{`python_version == "3.1"`, Environment{"python_version": "3.10"}, false},
		{`python_full_version == "3.12.*"`, Environment{"python_full_version": "3.12.4"}, true},
		{`python_full_version != "3.12.*"`, Environment{"python_full_version": "3.12.4"}, false},
		{`python_version === "3.8"`, Environment{"python_version": "3.8"}, true},
		{`python_version === "3.8"`, Environment{"python_version": "3.8.0"}, false},
		{`implementation_version >= "3.12"`, Environment{"implementation_version": "3.12.0rc1"}, false},
		{`implementation_version >= "3.12rc1"`, Environment{"implementation_version": "3.12.0rc1"}, true},
		{`platform_release >= "5.4"`, Environment{"platform_release": "6.7.0"}, true},
		{`platform_release >= "5.4"`, Environment{"platform_release": "6.7.0-gentoo"}, false},         // not a version: never contained
		{`platform_release == "6.7.0-gentoo"`, Environment{"platform_release": "6.7.0-gentoo"}, true}, // not a specifier: string ==
		// reversed operands: the literal is the candidate, the variable the bound
		{`"3.8" < python_version`, Environment{"python_version": "3.12"}, true},
		{`"3.8" >= python_version`, Environment{"python_version": "3.12"}, false},
		{`"3.12" == python_version`, Environment{"python_version": "3.12"}, true},
		{`"3.12.*" == python_full_version`, Environment{"python_full_version": "3.12.1"}, false}, // packaging issue #934
		// strings have no order: "<" and ">" are false, "<=" and ">=" are "=="
		{`os_name < "posiy"`, Environment{"os_name": "posix"}, false},
		{`os_name > "nt"`, Environment{"os_name": "posix"}, false},
		{`os_name >= "posix"`, Environment{"os_name": "posix"}, true},
		{`os_name <= "nt"`, Environment{"os_name": "posix"}, false},
		{`sys_platform != "win32"`, Environment{"sys_platform": "linux"}, true},
		{`sys_platform == "3.8"`, Environment{"sys_platform": "3.8.0"}, false}, // not version-typed
		{`"linux" in sys_platform`, Environment{"sys_platform": "linux2"}, true},
		{`"lin" not in sys_platform`, Environment{"sys_platform": "linux"}, false},
		{`sys_platform in "linux darwin"`, Environment{"sys_platform": "darwin"}, true},
		{`python_version in "3.10 3.11"`, Environment{"python_version": "3.1"}, true}, // substring, as in Python
		{`python_version < "3.x"`, Environment{"python_version": "3.1"}, false},       // not a specifier
		// a variable on the right of a variable is compared as its name
		{"os_name == sys_platform", Environment{"os_name": "sys_platform", "sys_platform": "x"}, true},
		// missing variables are empty strings
		{`os_name == ""`, Environment{}, true},
		{`python_version >= "3"`, Environment{}, false},
		{`platform_version != "x"`, nil, true},
		// quotes: both styles, escapes decoded
		{`os_name == 'posix'`, Environment{"os_name": "posix"}, true},
		{`os_name == "po\x73ix"`, Environment{"os_name": "posix"}, true},
	}
	for _, tt := range tests {
		m := must(t, ParseMarker, tt.marker)
		got, err := m.EvaluateStrict(tt.env)
		if err != nil || got != tt.want {
			t.Errorf("ParseMarker(%q).EvaluateStrict(%v) = %v, %v, want %v", tt.marker, tt.env, got, err, tt.want)
		}
		if m.Evaluate(tt.env) != tt.want {
			t.Errorf("ParseMarker(%q).Evaluate(%v) = %v, want %v", tt.marker, tt.env, !tt.want, tt.want)
		}
	}
}

// TestMarkerSetVariables is test_extras_and_dependency_groups, with the
// set {"foo", "bar"} given as the comma-separated list "foo,bar".
func TestMarkerSetVariables(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`"foo" in {0}`, true},
		{`"bar" in {0}`, true},
		{`"baz" in {0}`, false},
		{`"baz" not in {0}`, true},
		{`"foo" in {0} and "bar" in {0}`, true},
		{`"foo" in {0} or "bar" in {0}`, true},
		{`"baz" in {0} and "foo" in {0}`, false},
		{`"foo" in {0} or "baz" in {0}`, true},
		{`"Foo" in {0}`, true},
		{`"fo" in {0}`, false}, // membership, not substring
		{`"foo" == {0}`, false},
		{`"foo" != {0}`, true},
	}
	for _, variable := range []string{"extras", "dependency_groups"} {
		for _, tt := range tests {
			m := must(t, ParseMarker, strings.ReplaceAll(tt.expr, "{0}", variable))
			for _, list := range []string{"foo,bar", " Foo , BAR ,"} {
				if got, err := m.EvaluateStrict(Environment{variable: list}); err != nil || got != tt.want {
					t.Errorf("%q with %s=%q = %v, %v, want %v", m, variable, list, got, err, tt.want)
				}
			}
		}
		// a missing set is empty (packaging's "lock_file" context)
		if got, err := must(t, ParseMarker, `"foo" in `+variable).EvaluateStrict(Environment{}); err != nil || got {
			t.Errorf(`"foo" in %s with no %s = %v, %v, want false`, variable, variable, got, err)
		}
	}
}

// TestMarkerPrecedence checks that "and" binds tighter than "or" and that
// parentheses group, over every assignment of three conditions.
func TestMarkerPrecedence(t *testing.T) {
	tests := []struct {
		marker string
		want   func(a, b, c bool) bool
	}{
		{`os_name == "a" or sys_platform == "b" and platform_system == "c"`, func(a, b, c bool) bool { return a || b && c }},
		{`os_name == "a" and sys_platform == "b" or platform_system == "c"`, func(a, b, c bool) bool { return a && b || c }},
		{`(os_name == "a" or sys_platform == "b") and platform_system == "c"`, func(a, b, c bool) bool { return (a || b) && c }},
		{`os_name == "a" and (sys_platform == "b" or platform_system == "c")`, func(a, b, c bool) bool { return a && (b || c) }},
		{`os_name == "a" or sys_platform == "b" or platform_system == "c"`, func(a, b, c bool) bool { return a || b || c }},
		{`os_name == "a" and sys_platform == "b" and platform_system == "c"`, func(a, b, c bool) bool { return a && b && c }},
	}
	pick := func(cond bool, yes string) string {
		if cond {
			return yes
		}
		return "no"
	}
	for _, tt := range tests {
		m := must(t, ParseMarker, tt.marker)
		for i := range 8 {
			a, b, c := i&1 != 0, i&2 != 0, i&4 != 0
			env := Environment{"os_name": pick(a, "a"), "sys_platform": pick(b, "b"), "platform_system": pick(c, "c")}
			if got := m.Evaluate(env); got != tt.want(a, b, c) {
				t.Errorf("%q with a=%v b=%v c=%v = %v, want %v", tt.marker, a, b, c, got, !got)
			}
		}
	}
}

// TestMarkerEvaluateUndefined covers what packaging raises on
// (UndefinedComparison, UndefinedEnvironmentName): EvaluateStrict reports
// an *EvalError and Evaluate is false, even if another branch holds.
func TestMarkerEvaluateUndefined(t *testing.T) {
	tests := []struct {
		marker string
		env    Environment
		want   string
	}{
		{"'2.7.0' ~= os_name", Environment{"os_name": "posix"}, `"~=" is undefined`}, // test_fails_when_undefined
		{"os_name === 'posix'", Environment{"os_name": "posix"}, `"===" is undefined`},
		{"sys_platform === 'linux'", Environment{"sys_platform": "linux"}, `"===" is undefined`},
		{"python_version ~= '3'", Environment{"python_version": "3.8"}, `"~=" is undefined`},
		{`extras == "a"`, Environment{"extras": "a"}, "set-valued extras"},
		{`"a" in dependency_groups or dependency_groups == "a"`, Environment{"dependency_groups": "a"}, "set-valued dependency_groups"},
		{`"a" == "b"`, Environment{}, `"b" does not exist in evaluation environment`},
		{`os_name == "posix" or "a" == "b"`, Environment{"os_name": "posix"}, `"b" does not exist`},
	}
	for _, tt := range tests {
		m := must(t, ParseMarker, tt.marker)
		got, err := m.EvaluateStrict(tt.env)
		var ee *EvalError
		if !errors.As(err, &ee) || got || !strings.Contains(ee.Error(), tt.want) || ee.Marker != m.String() {
			t.Errorf("ParseMarker(%q).EvaluateStrict(%v) = %v, %v, want false and an *EvalError containing %q",
				tt.marker, tt.env, got, err, tt.want)
		}
		if m.Evaluate(tt.env) {
			t.Errorf("ParseMarker(%q).Evaluate(%v) = true, want false", tt.marker, tt.env)
		}
	}
}

// TestRequirementMarkerEvaluate is test_sys_platform_linux_equal/_in.
func TestRequirementMarkerEvaluate(t *testing.T) {
	tests := []struct {
		req, platform string
		want          bool
	}{
		{`something>=1.2.3; sys_platform == "foo"`, "foo", true},
		{`something>=1.2.3; sys_platform == "foo"`, "bar", false},
		{"aviato>=1.2.3; 'f' in sys_platform", "foo", true},
		{"aviato>=1.2.3; 'f' in sys_platform", "bar", false},
	}
	for _, tt := range tests {
		if got := must(t, ParseRequirement, tt.req).Marker.Evaluate(Environment{"sys_platform": tt.platform}); got != tt.want {
			t.Errorf("%q with sys_platform=%q = %v, want %v", tt.req, tt.platform, got, tt.want)
		}
	}
}
