package nixgen

import (
	"strings"
	"testing"
)

func TestParsePythonRequest(t *testing.T) {
	minor := func(m int) PythonRequest { return PythonRequest{Minor: m, Patch: -1} }
	exact := func(m, p int, suffix string) PythonRequest { return PythonRequest{Minor: m, Patch: p, Suffix: suffix} }
	ft := func(r PythonRequest) PythonRequest { r.FreeThreaded = true; return r }
	for _, tc := range []struct {
		in   string
		want PythonRequest
		attr string
	}{
		{"3.11", minor(11), "python311"},
		{" 3.12\t", minor(12), "python312"},
		{"3", minor(-1), ""},
		{"3.11.11", exact(11, 11, ""), "python311"},
		{"3.12.0", exact(12, 0, ""), "python312"},
		{"3.15.0b4", exact(15, 0, "b4"), "python315"},
		{"3.13.0rc1", exact(13, 0, "rc1"), "python313"},
		{"3.14.0a7", exact(14, 0, "a7"), "python314"},
		// uv's variants
		{"3.13t", ft(minor(13)), "python313FreeThreading"},
		{"3.13T", ft(minor(13)), "python313FreeThreading"},
		{"3.14.2t", ft(exact(14, 2, "")), "python314FreeThreading"},
		{"3.14.0rc1t", ft(exact(14, 0, "rc1")), "python314FreeThreading"},
		{"3.13+freethreaded", ft(minor(13)), "python313FreeThreading"},
		{"3.14+gil", minor(14), "python314"},
		// implementation forms (uv)
		{"cpython", minor(-1), ""},
		{"cp", minor(-1), ""},
		{"cpython3.12", minor(12), "python312"},
		{"CPython3.12", minor(12), "python312"},
		{"cp312", minor(12), "python312"},
		{"cp313t", ft(minor(13)), "python313FreeThreading"},
		{"cp3", minor(-1), ""},
		{"cpython@3.12", minor(12), "python312"},
		{"cp@3.12.4", exact(12, 4, ""), "python312"},
		{"cpython-3.12.4", exact(12, 4, ""), "python312"},
		{"cpython-3.12.3-macos-aarch64-none", exact(12, 3, ""), "python312"},
		{"cpython-3.13.0+freethreaded-linux-x86_64-gnu", ft(exact(13, 0, "")), "python313FreeThreading"},
		// nixpkgs attributes
		{"python3", minor(-1), ""},
		{"python312", minor(12), "python312"},
		{"python3.12", minor(12), "python312"},
		{"python313FreeThreading", ft(minor(13)), "python313FreeThreading"},
		{"python310", minor(10), "python310"},
	} {
		got, err := ParsePythonRequest(tc.in)
		if err != nil || got != tc.want || got.Attr() != tc.attr {
			t.Errorf("ParsePythonRequest(%q) = %+v (attr %q), %v; want %+v (attr %q)", tc.in, got, got.Attr(), err, tc.want, tc.attr)
			continue
		}
		back, err := ParsePythonRequest(got.String())
		if err != nil || back != got {
			t.Errorf("%q: String() %q reads back as %+v, %v", tc.in, got.String(), back, err)
		}
	}
}

func TestParsePythonRequestErrors(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"", "empty"},
		{">=3.12", "a version range is not supported"},
		{"3.12.*", "a version range is not supported"},
		{">=3.11,<3.13", "a version range is not supported"},
		{"2.7", "Python 2 is not Python 3"},
		{"2.7.18", "Python 2 is not Python 3"},
		{"4.0", "Python 4 is not Python 3"},
		{"3.12t", "there is no free-threading build of Python 3.12: it exists from 3.13 on"},
		{"cp312t", "there is no free-threading build of Python 3.12"},
		{"3t", "the free-threading build needs a minor version"},
		{"3.12d", "debug builds are not supported"},
		{"3.12.0+debug", "debug builds are not supported"},
		{"3.12+whatever", "unknown variant +whatever"},
		{"3.13rc1", "not a Python version"},
		{"3.012", "not a Python version"},
		{"3.12.x", "not a Python version"},
		{"3.12-dev", "not a Python version"},
		{"3.12.4.1", "not a Python version"},
		{"3.99999999999999999999", "not a Python version"},
		{"pypy3.10", "pypy is not CPython"},
		{"pypy", "pypy is not CPython"},
		{"pp310", "pp is not CPython"},
		{"graalpy@24.1", "graalpy is not CPython"},
		{"system", "pyenv's system Python is not a version"},
		{"cpython-3.12.3-macos-aarch64-none-extra", "is not a download key"},
		{"cpython-3.12.3-mac/os", "is not a download key"},
		{"cpythonic", "not a Python version"},
		{"/usr/bin/python3", "not a Python version"},
	} {
		_, err := ParsePythonRequest(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParsePythonRequest(%q) error %v, want one containing %q", tc.in, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "Python ") {
			t.Errorf("ParsePythonRequest(%q) error %q does not quote the request", tc.in, err)
		}
	}
}

func TestParsePythonVersionFile(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       string
		notes      []string
	}{
		{"plain", "3.12\n", "3.12", nil},
		{"no newline", "3.11.11", "3.11.11", nil},
		{"CRLF and blank lines", "\r\n\r\n  3.12.4  \r\n", "3.12.4", nil},
		{"byte order mark", "\ufeff3.13\n", "3.13", nil},
		{"comments", "# pinned for CI\n# 3.10\n3.11\n", "3.11", nil},
		{"trailing comment (pyenv: first word)", "3.12.4 # prod\n", "3.12.4", nil},
		{"uv download key", "cpython-3.12.4-linux-x86_64-gnu\n", "3.12.4", nil},
		{"free-threading", "3.13t\n", "3.13t", nil},
		{"several versions", "3.12\n3.11\n3.10\n", "3.12", []string{
			`.python-version:2: "3.11" ignored: the first version of the file (3.12) is used`,
			`.python-version:3: "3.10" ignored: the first version of the file (3.12) is used`,
		}},
		{"pyenv system and pypy before", "system\npypy3.10-7.3.12\n3.12.4\n", "3.12.4", []string{
			`.python-version:1: skipped: Python "system": pyenv's system Python is not a version: give one such as 3.12`,
			`.python-version:2: skipped: Python "pypy3.10-7.3.12": pypy is not CPython: req2nix builds environments with nixpkgs' CPython`,
		}},
	} {
		got, notes, err := ParsePythonVersionFile(".python-version", []byte(tc.data))
		if err != nil || got.String() != tc.want || strings.Join(notes, "\n") != strings.Join(tc.notes, "\n") {
			t.Errorf("%s: got %s, notes %q, %v; want %s, notes %q", tc.name, got, notes, err, tc.want, tc.notes)
		}
	}
}

func TestParsePythonVersionFileErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, wantErr string }{
		{"empty", "", "p/.python-version: no CPython version in the file"},
		{"comments only", "# 3.12\n\n", "no CPython version in the file"},
		{"only system", "system\n", "no CPython version in the file"},
		{"malformed", "# ok\n3.12.x\n", `p/.python-version:2: Python "3.12.x": not a Python version`},
		{"range (uv only)", ">=3.12\n", "p/.python-version:1: Python \">=3.12\": a version range is not supported"},
		{"binary", "3.12\x00", "not a text file"},
		{"invalid UTF-8", "3.12\xff", "not a text file"},
		{"huge", strings.Repeat("#", maxVersionFile+1), "too large for a .python-version file"},
	} {
		_, _, err := ParsePythonVersionFile("p/.python-version", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		}
	}
}

// FuzzParsePythonVersionFile: no file makes the parser panic; what it
// accepts is a CPython 3 request whose canonical form reads back the same
// and whose attribute is a pin's interpreter name.
func FuzzParsePythonVersionFile(f *testing.F) {
	for _, seed := range []string{"3.12\n", "# c\n3.11.11\n", "system\ncp313t\n", "cpython-3.13.0+freethreaded-linux-x86_64-gnu", ">=3.12", "3.15.0b4\r\n3.14"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _, err := ParsePythonVersionFile("f", data)
		if err != nil {
			return
		}
		back, err := ParsePythonRequest(r.String())
		if err != nil || back != r {
			t.Fatalf("%q: accepted %+v, whose form %q reads back as %+v, %v", data, r, r.String(), back, err)
		}
		if r.Minor >= 0 && !pythonAttrRE.R().MatchString(r.Attr()) {
			t.Fatalf("%q: attribute %q", data, r.Attr())
		}
		if r.FreeThreaded && r.Minor < 13 {
			t.Fatalf("%q: free-threading for 3.%d", data, r.Minor)
		}
	})
}
