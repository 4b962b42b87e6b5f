package pep508

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// The vectors below are ported from pypa/packaging 26's
// tests/test_requirements.py, in that file's order, then PEP 508's examples.

// TestParseRequirementMatrix is packaging's test_basic_valid_requirement_parsing:
// every combination of name, extras, URL or specifier, marker and whitespace.
func TestParseRequirementMatrix(t *testing.T) {
	names := []string{"package", "pAcKaGe", "Package", "foo-bar.quux_bAz", "installer", "android12"}
	extrasSets := [][]string{nil, {"a"}, {"a", "b"}, {"B", "CDEF123", "a"}}
	details := []struct{ url, specifier string }{
		{"", ""},
		{"https://example.com/packagename.zip", ""},
		{"ssh://user:pass%20word@example.com/packagename.zip", ""},
		{"https://example.com/name;v=1.1/?query=foo&bar=baz#blah", ""},
		{"git+ssh://git.example.com/MyProject", ""},
		{"git+ssh://git@github.com:pypa/packaging.git", ""},
		{"git+https://git.example.com/MyProject.git@master", ""},
		{"git+https://git.example.com/MyProject.git@v1.0", ""},
		{"git+https://git.example.com/MyProject.git@refs/pull/123/head", ""},
		{"gopher:/foo/com", ""},
		{"", "==={ws}arbitrarystring"},
		{"", "({ws}==={ws}arbitrarystring{ws})"},
		{"", "=={ws}1.0"},
		{"", "({ws}=={ws}1.0{ws})"},
		{"", "=={ws}1.0-alpha"},
		{"", "<={ws}1!3.0.0.rc2"},
		{"", ">{ws}2.2{ws},{ws}<{ws}3"},
		{"", "(>{ws}2.2{ws},{ws}<{ws}3)"},
	}
	markers := []string{
		"",
		"python_version{ws}>={ws}'3.3'",
		`({ws}python_version{ws}>={ws}"3.4"{ws}){ws}and extra{ws}=={ws}"oursql"`,
		"sys_platform{ws}!={ws}'linux' and(os_name{ws}=={ws}'linux' or python_version{ws}>={ws}'3.3'{ws}){ws}",
	}
	for _, name := range names {
		for _, extras := range extrasSets {
			for _, d := range details {
				for _, marker := range markers {
					for _, ws := range []string{"", " ", "\t"} {
						checkMatrixRequirement(t, name, extras, d.url, d.specifier, marker, ws)
					}
				}
			}
		}
	}
}

// checkMatrixRequirement builds one requirement of the matrix as packaging's
// test does and checks every parsed part.
func checkMatrixRequirement(t *testing.T, name string, extras []string, url, spec, marker, ws string) {
	t.Helper()
	fill := func(s string) string { return strings.ReplaceAll(s, "{ws}", ws) }
	parts := []string{name}
	if len(extras) > 0 {
		parts = append(parts, "[", strings.Join(extras, fill("{ws},{ws}")), "]")
	}
	if spec != "" {
		parts = append(parts, fill(spec))
	}
	if url != "" {
		parts = append(parts, "@", url)
	}
	if marker != "" {
		if url != "" {
			parts = append(parts, " ;")
		} else {
			parts = append(parts, ";")
		}
		parts = append(parts, fill(marker))
	}
	input := strings.Join(parts, ws)
	r, err := ParseRequirement(input)
	if err != nil {
		t.Fatalf("ParseRequirement(%q): %v", input, err)
	}
	wantSpec := must(t, pep440.ParseSpecifiers, strings.Trim(strings.ReplaceAll(spec, "{ws}", ""), "()"))
	wantMarker := ""
	if marker != "" {
		wantMarker = must(t, ParseMarker, strings.ReplaceAll(marker, "{ws}", "")).String()
	}
	if r.Name != name || !sameSet(r.Extras, extras) || r.URL != url ||
		r.Specifiers.String() != wantSpec.String() || r.Marker.String() != wantMarker {
		t.Errorf("ParseRequirement(%q) = %+v, want name %q extras %q url %q specifier %q marker %q",
			input, r, name, extras, url, wantSpec, wantMarker)
	}
}

func TestNormalizedRequirementString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`mariadb>=1.0.1; extra == "mariadb_connector"`, `mariadb>=1.0.1; extra == "mariadb-connector"`},
		{`mariadb>=1.0.1; python_version >= "3" and extra == "mariadb_connector"`,
			`mariadb>=1.0.1; python_version >= "3" and extra == "mariadb-connector"`},
	}
	for _, tt := range tests {
		if got := must(t, ParseRequirement, tt.in).String(); got != tt.want {
			t.Errorf("ParseRequirement(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRequirementValidParts(t *testing.T) {
	tests := []struct {
		in         string
		name, url  string
		extras     []string
		specifiers string
		marker     string
	}{
		// test_valid_marker
		{in: "name; python_implementation == ''", name: "name", marker: `platform_python_implementation == ""`},
		{in: "name; platform_python_implementation == ''", name: "name", marker: `platform_python_implementation == ""`},
		{in: "name; os.name == 'linux'", name: "name", marker: `os_name == "linux"`},
		{in: "name; os_name == 'linux'", name: "name", marker: `os_name == "linux"`},
		{in: "name; '8' in platform.version", name: "name", marker: `"8" in platform_version`},
		{in: "name; '8' not in platform.version", name: "name", marker: `"8" not in platform_version`},
		// test_file_url
		{in: "name @ file:///absolute/path", name: "name", url: "file:///absolute/path"},
		{in: "name @ file://.", name: "name", url: "file://."},
		{in: "name @ file:.", name: "name", url: "file:."},
		{in: "name @ file:/.", name: "name", url: "file:/."},
		// test_empty_extras, test_empty_specifier
		{in: "name[]", name: "name"},
		{in: "name()", name: "name"},
		// the older suite's cases
		{in: "A", name: "A"},
		{in: "foo-bar.quux_baz", name: "foo-bar.quux_baz"},
		{in: "name>=3", name: "name", specifiers: ">=3"},
		{in: "name (==4)", name: "name", specifiers: "==4"},
		{in: "name>=3,<2", name: "name", specifiers: ">=3,<2"},
		{in: "name >=2, <3", name: "name", specifiers: ">=2,<3"},
		{in: "foobar [quux,bar]", name: "foobar", extras: []string{"quux", "bar"}},
		{in: "name [fred,bar] @ http://foo.com ; python_version=='2.7'", name: "name",
			extras: []string{"fred", "bar"}, url: "http://foo.com", marker: `python_version == "2.7"`},
		{in: "foo @ https://example.com/name;v=1.1/?query=foo&bar=baz#blah ; python_version=='3.4'", name: "foo",
			url: "https://example.com/name;v=1.1/?query=foo&bar=baz#blah", marker: `python_version == "3.4"`},
		{in: "name[quux, strange];python_version<'2.7' and platform_version=='2'", name: "name",
			extras: []string{"quux", "strange"}, marker: `python_version < "2.7" and platform_version == "2"`},
		{in: "name; os_name=='a' and os_name=='b' or os_name=='c'", name: "name",
			marker: `os_name == "a" and os_name == "b" or os_name == "c"`},
		// whitespace: leading and trailing spaces and tabs (a line break is
		// an error: see TestTrailingLineBreak)
		{in: "  name  ", name: "name"},
		{in: "name\t", name: "name"},
		{in: "name >= 1.0 ; os_name == 'a' \t", name: "name", specifiers: ">=1.0", marker: `os_name == "a"`},
		{in: "name @ http://x \t", name: "name", url: "http://x"},
		// a URL runs to whitespace, so a ";" straight after it is part of it
		{in: "name @ http://x;os_name=='a'", name: "name", url: "http://x;os_name=='a'"},
		{in: "name; os_name not  in 'a'", name: "name", marker: `os_name not in "a"`},
		// an identifier ends at a word boundary: "_" is a word character
		{in: "foo_", name: "foo_"},
		{in: "foo_[x_]", name: "foo_", extras: []string{"x_"}},
		// repeated extras collapse as in packaging's set
		{in: "name[b,a,b]", name: "name", extras: []string{"b", "a"}},
		// the name ends at "name-" (Unicode \b before "é"); the "é" is then an error
		{in: "name-é", name: "", url: ""},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if tt.name == "" {
			if err == nil {
				t.Errorf("ParseRequirement(%q) = %+v, want an error", tt.in, r)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRequirement(%q): %v", tt.in, err)
			continue
		}
		want := must(t, pep440.ParseSpecifiers, tt.specifiers).String()
		if r.Name != tt.name || r.URL != tt.url || !slices.Equal(r.Extras, tt.extras) ||
			r.Specifiers.String() != want || r.Marker.String() != tt.marker {
			t.Errorf("ParseRequirement(%q) = name %q url %q extras %q spec %q marker %q, want %q %q %q %q %q",
				tt.in, r.Name, r.URL, r.Extras, r.Specifiers, r.Marker, tt.name, tt.url, tt.extras, want, tt.marker)
		}
	}
}

// TestParseRequirementErrors checks packaging's exact messages and caret
// lines (test_error_*), then cases of its tokenizer rules it does not test.
func TestParseRequirementErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "Expected package name at the start of dependency specifier\n    \n    ^"},
		{"==0.0", "Expected package name at the start of dependency specifier\n    ==0.0\n    ^"},
		{"name[bar baz]", "Expected comma between extra names\n    name[bar baz]\n             ^"},
		{"name[bar, baz,]", "Expected extra name after comma\n    name[bar, baz,]\n                  ^"},
		{"name (>= 1.0", "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier\n" +
			"    name (>= 1.0\n         ~~~~~~~^"},
		{"black (>=20.*) ; extra == 'format'", ".* suffix can only be used with `==` or `!=` operators\n" +
			"    black (>=20.*) ; extra == 'format'\n           ~~~~~^"},
		{"name >= 1.0+local.version.label", "Local version label can only be used with `==` or `!=` operators\n" +
			"    name >= 1.0+local.version.label\n         ~~~~~~^"},
		{"name <= 1.0+local.version.label", "Local version label can only be used with `==` or `!=` operators\n" +
			"    name <= 1.0+local.version.label\n         ~~~~~~^"},
		{"name > 1.0+local.version.label", "Local version label can only be used with `==` or `!=` operators\n" +
			"    name > 1.0+local.version.label\n         ~~~~~^"},
		{"name < 1.0+local.version.label", "Local version label can only be used with `==` or `!=` operators\n" +
			"    name < 1.0+local.version.label\n         ~~~~~^"},
		{"name ~= 1.0+local.version.label", "Local version label can only be used with `==` or `!=` operators\n" +
			"    name ~= 1.0+local.version.label\n         ~~~~~~^"},
		{"name[bar, baz >= 1.0", "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras\n" +
			"    name[bar, baz >= 1.0\n        ~~~~~~~~~~^"},
		{"name[bar, baz", "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras\n" +
			"    name[bar, baz\n        ~~~~~~~~~^"},
		{"name @ https://example.com/; extra == 'example'", "Expected semicolon (after URL and whitespace) or end\n" +
			"    name @ https://example.com/; extra == 'example'\n           ~~~~~~~~~~~~~~~~~~~~~~^"},
		{"name; (extra == 'example'", "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression\n" +
			"    name; (extra == 'example'\n          ~~~~~~~~~~~~~~~~~~~^"},
		{"name @ ", "Expected URL after @\n    name @ \n           ^"},
		{"name; invalid_name", "Expected a marker variable or quoted string\n    name; invalid_name\n          ^"},
		{"name; '3.7' <= invalid_name", "Expected a marker variable or quoted string\n" +
			"    name; '3.7' <= invalid_name\n                   ^"},
		{"name; '3.7' notin python_version", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    name; '3.7' notin python_version\n                ^"},
		{"name; '3.6'inpython_version", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    name; '3.6'inpython_version\n               ^"},
		{"name; '3.7' not python_version", "Expected 'in' after 'not'\n    name; '3.7' not python_version\n                    ^"},
		{"name; '3.7' ~ python_version", "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n" +
			"    name; '3.7' ~ python_version\n                ^"},
		{"name==1.0.org1", "Expected comma (within version specifier), semicolon (after version specifier) or end\n" +
			"    name==1.0.org1\n        ~~~~~^"},
		{"name==", "Expected semicolon (after name with no version specifier) or end\n    name==\n        ^"},
		{"name 1.0", "Expected semicolon (after name with no version specifier) or end\n    name 1.0\n         ^"},
		{"name >= 1.0 #", "Expected comma (within version specifier), semicolon (after version specifier) or end\n" +
			"    name >= 1.0 #\n         ~~~~~~~^"},
		{"name >= 1.0 <= 2.0", "Expected comma (within version specifier), semicolon (after version specifier) or end\n" +
			"    name >= 1.0 <= 2.0\n         ~~~~~~~^"},
		// beyond packaging's suite
		{"foo!", "Expected semicolon (after name with no version specifier) or end\n    foo!\n       ^"},
		{"name; foobar=='x'", "Expected a marker variable or quoted string\n    name; foobar=='x'\n          ^"},
		{"name==1.0a1.*", ".* suffix cannot be used after pre-release, post-release, developmental release, " +
			"or local version labels\n    name==1.0a1.*\n        ~~~~~~~~^"},
		{"name @ http://x os_name=='a'", "Expected semicolon (after URL and whitespace) or end\n" +
			"    name @ http://x os_name=='a'\n           ~~~~~~~~~^"},
		{"name; os_name == 'a' os_name", "Expected end of dependency specifier\n" +
			"    name; os_name == 'a' os_name\n                         ^"},
		{"name; os_name not\tx", "Expected 'in' after 'not'\n    name; os_name not\tx\n                      ^"},
		{"name; os_name == 'unterminated", "Expected a marker variable or quoted string\n" +
			"    name; os_name == 'unterminated\n                     ^"},
		{`name; os_name == "\x"`, "Invalid quoted string\n    name; os_name == \"\\x\"\n                     ~~~~^"},
		{"foo-", "Expected semicolon (after name with no version specifier) or end\n    foo-\n       ^"},
		{"foo.[x]", "Expected semicolon (after name with no version specifier) or end\n    foo.[x]\n       ^"},
		{"name[x.]", "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras\n    name[x.]\n        ~~^"},
		{"name>=1.0,,", "Expected comma (within version specifier), semicolon (after version specifier) or end\n" +
			"    name>=1.0,,\n        ~~~~~~^"},
		// columns count characters, not bytes
		{"näme", "Expected package name at the start of dependency specifier\n    näme\n    ^"}, // "n" and "ä" are both word characters: no \b, no name
		{"name; os_name == 'é' or", "Expected a marker variable or quoted string\n    name; os_name == 'é' or\n                           ^"},
	}
	for _, tt := range tests {
		_, err := ParseRequirement(tt.in)
		checkSyntaxErrorText(t, tt.in, err, tt.want)
	}
}

func TestSyntaxErrorFields(t *testing.T) {
	tests := []struct {
		in, msgPrefix string
		start, column int
	}{
		{"name >= 1.0 <= 2.0", "Expected comma (within version specifier)", 5, 12},
		{"name; os_name == 'é' oops", "Expected end of dependency specifier", 21, 21},
		// the tokenizer takes "===foo,bar" as one clause; pep440 rejects "bar"
		{"name===foo,bar", "Invalid version specifier: ", 4, 14},
	}
	for _, tt := range tests {
		_, err := ParseRequirement(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(se.Msg, tt.msgPrefix) || se.Start != tt.start || se.Column != tt.column {
			t.Errorf("ParseRequirement(%q) error = %#v, want %q... at %d..%d", tt.in, err, tt.msgPrefix, tt.start, tt.column)
		}
	}
}

// TestRequirementString is packaging's test_str_and_repr matrix plus the
// older suite's string cases: String reproduces canonical input exactly.
func TestRequirementString(t *testing.T) {
	var inputs []string
	for _, urlOrSpec := range []string{"", " @ https://url ", "!=2.0", "==2.*"} {
		for _, extras := range []string{"", "[a]", "[a,b]", "[a1,b1,b2]"} {
			for _, marker := range []string{"", `; python_version == "3.11"`, `; "3." not in python_version`} {
				inputs = append(inputs, "name"+extras+urlOrSpec+marker)
			}
		}
	}
	inputs = append(inputs,
		`name[bar]>=3; python_version == "2.7"`,
		`name @ http://foo.com ; extra == "feature"`,
		`name[a] @ http://foo.com`,
	)
	for _, in := range inputs {
		want := strings.TrimSpace(in)
		if got := must(t, ParseRequirement, in).String(); got != want {
			t.Errorf("ParseRequirement(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestRequirementStringCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"name [b, a, b] ( >= 1.0 , < 2 ) ; os_name=='x'", `name[a,b]<2,>=1.0; os_name == "x"`},
		{"name@http://x", "name @ http://x"},
		{"name @ http://x ;os.name=='x'", `name @ http://x ; os_name == "x"`},
		{`name; extra == "Foo.Bar"`, `name; extra == "foo-bar"`},
	}
	for _, tt := range tests {
		r := must(t, ParseRequirement, tt.in)
		want := must(t, ParseRequirement, tt.want) // the canonical form parses too
		if got := r.String(); got != tt.want || want.String() != tt.want {
			t.Errorf("ParseRequirement(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// requirementKey is what packaging's Requirement.__eq__ compares.
func requirementKey(r Requirement) string {
	extras := slices.Clone(r.Extras)
	slices.Sort(extras)
	return strings.Join([]string{NormalizeName(r.Name), strings.Join(extras, ","),
		r.Specifiers.String(), r.URL, r.Marker.String()}, "|")
}

func TestRequirementEquality(t *testing.T) {
	equal := [][2]string{
		{"packaging>20.1", "packaging>20.1"},
		{`requests[security, tests]>=2.8.1,==2.8.*;python_version<"2.7"`,
			`requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"`},
		{`importlib-metadata; python_version<"3.8"`, "importlib-metadata; python_version<'3.8'"},
		{`appdirs>=1.4.4,<2; os_name=="posix" and extra=="testing"`,
			"appdirs>=1.4.4,<2; os_name == 'posix' and extra == 'testing'"},
		{"scikit-learn==1.0.1", "scikit_learn==1.0.1"}, // equivalent, not the same string
	}
	different := [][2]string{
		{"package_one", "package_two"},
		{"packaging>20.1", "packaging>=20.1"},
		{"packaging>20.1", "packaging>21.1"},
		{"packaging>20.1", "package>20.1"},
		{`requests[security,tests]>=2.8.1,==2.8.*;python_version<"2.7"`,
			`requests [security,tests] >= 2.8.1 ; python_version < "2.7"`},
		{`importlib-metadata; python_version<"3.8"`, "importlib-metadata; python_version<'3.7'"},
		{`appdirs>=1.4.4,<2; os_name=="posix" and extra=="testing"`,
			"appdirs>=1.4.4,<2; os_name == 'posix' and extra == 'docs'"},
	}
	for _, p := range equal {
		if a, b := requirementKey(must(t, ParseRequirement, p[0])), requirementKey(must(t, ParseRequirement, p[1])); a != b {
			t.Errorf("%q and %q differ: %q vs %q", p[0], p[1], a, b)
		}
	}
	for _, p := range different {
		if a, b := requirementKey(must(t, ParseRequirement, p[0])), requirementKey(must(t, ParseRequirement, p[1])); a == b {
			t.Errorf("%q and %q compare equal: %q", p[0], p[1], a)
		}
	}
}

// TestPEP508Examples parses the specification's own examples.
func TestPEP508Examples(t *testing.T) {
	for _, in := range []string{
		"A", "A.B-C_D", "aa", "name", "name<=1", "name>=3", "name>=3,<2",
		"name@http://foo.com",
		"name [fred,bar] @ http://foo.com ; python_version=='2.7'",
		"name[quux, strange];python_version<'2.7' and platform_version=='2'",
		"name; os_name=='a' or os_name=='b'",
		"name; os_name=='a' and os_name=='b' or os_name=='c'",
		"name; os_name=='a' and (os_name=='b' or os_name=='c')",
		"name; os_name=='a' or os_name=='b' and os_name=='c'",
		"name; (os_name=='a' or os_name=='b') and os_name=='c'",
		"requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"",
		"pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
	} {
		r := must(t, ParseRequirement, in)
		if back := must(t, ParseRequirement, r.String()); back.String() != r.String() {
			t.Errorf("%q: String %q re-parses as %q", in, r.String(), back.String())
		}
	}
}

// must returns parse(s), failing the test on error.
func must[T any](t testing.TB, parse func(string) (T, error), s string) T {
	t.Helper()
	v, err := parse(s)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return v
}

// checkSyntaxErrorText checks that err is a *SyntaxError about input whose
// text is want.
func checkSyntaxErrorText(t *testing.T, input string, err error, want string) {
	t.Helper()
	var se *SyntaxError
	switch {
	case !errors.As(err, &se):
		t.Errorf("parsing %q: error = %v, want a *SyntaxError", input, err)
	case se.Input != input:
		t.Errorf("parsing %q: error Input = %q", input, se.Input)
	case se.Error() != want:
		t.Errorf("parsing %q: error:\n%s\nwant:\n%s", input, se, want)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// TestTrailingLineBreak: packaging 26 ends input at `\Z`, so a requirement
// or marker string that ends with a line break is invalid (its `$` used to
// match before the final "\n"), while trailing spaces and tabs are not.
func TestTrailingLineBreak(t *testing.T) {
	tests := []struct {
		in, want string // want: the start of the error
	}{
		{"name\n", "Expected semicolon (after name with no version specifier) or end"},
		{"name>=1\n", "Expected comma (within version specifier), semicolon (after version specifier) or end"},
		{"name[x]\n", "Expected semicolon (after name with no version specifier) or end"},
		{"name >= 1.0 ; os_name == 'a' \n", "Expected end of dependency specifier"},
		{"name @ http://x \n", "Expected semicolon (after URL and whitespace) or end"},
		{"name\r\n", "Expected semicolon (after name with no version specifier) or end"},
	}
	for _, tt := range tests {
		_, err := ParseRequirement(tt.in)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseRequirement(%q) = %v, want an error starting %q", tt.in, err, tt.want)
		}
		if _, err := ParseRequirement(strings.TrimRight(tt.in, "\r\n")); err != nil {
			t.Errorf("ParseRequirement(%q) without its line break: %v", tt.in, err)
		}
	}
	for _, in := range []string{"python_version >= '3'\n", "os_name == 'a' and extra == 'x'\n", "(os_name == 'a')\n"} {
		if _, err := ParseMarker(in); err == nil || !strings.HasPrefix(err.Error(), "Expected end of marker expression") {
			t.Errorf("ParseMarker(%q) = %v, want an error", in, err)
		}
		if _, err := ParseMarker(in[:len(in)-1] + " \t"); err != nil {
			t.Errorf("ParseMarker(%q) with spaces for its line break: %v", in, err)
		}
	}
}
