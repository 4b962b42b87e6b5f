package lockfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// Each lock parser is fuzzed on arbitrary text (seed corpus in
// testdata/fuzz/<FuzzName>): it must never panic, must fail only with a
// *reqfile.Error, and what it accepts must hold what the resolver relies
// on (normalised names, PEP 440 versions, lower-case hex digests).

func FuzzParsePylock(f *testing.F) {
	f.Add([]byte("lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nversion = \"1\"\nwheels = [{url = \"https://h/a-1-py3-none-any.whl\", hashes = {sha256 = \"00\"}}]\n"))
	fuzzParse(f, Pylock, "pylock.toml")
}

func FuzzParseUV(f *testing.F) {
	f.Add([]byte("version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [{ name = \"b\", marker = \"sys_platform == 'linux'\" }]\n"))
	fuzzParse(f, UV, "uv.lock")
}

func FuzzParsePoetry(f *testing.F) {
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1\"\npython-versions = \"^3.8\"\nfiles = [{file = \"a-1.tar.gz\", hash = \"sha256:00\"}]\n[package.dependencies]\nb = {version = \"^1\", markers = \"python_version < '3.9'\"}\n[metadata]\nlock-version = \"2.1\"\n"))
	fuzzParse(f, Poetry, "poetry.lock")
}

func FuzzParsePipenv(f *testing.F) {
	f.Add([]byte(`{"_meta": {"pipfile-spec": 6, "sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]}, "default": {"a": {"version": "==1", "hashes": ["sha256:00"], "markers": "os_name == 'posix'"}}, "develop": {"b": {"git": "https://h/b", "ref": "0123"}}}`))
	fuzzParse(f, Pipenv, "Pipfile.lock")
}

// FuzzParsePipfile fuzzes the Pipfile reader (the project file a
// Pipfile.lock is checked against) the same way: no panic, only
// *reqfile.Error, and valid names in what it accepts.
func FuzzParsePipfile(f *testing.F) {
	f.Add([]byte("[[source]]\nurl = \"https://pypi.org/simple\"\n[packages]\nrequests = {version = \">=2\", extras = [\"socks\"], markers = \"os_name == 'posix'\"}\nflask = \"*\"\n[dev-packages]\npytest = {version = \"*\", sys_platform = \"== 'linux'\"}\n[requires]\npython_version = \"3.12\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePipfile("Pipfile", data, reqfile.Selection{Groups: []string{"dev"}})
		if err != nil {
			var rerr *reqfile.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("error %v (%T) is not a *reqfile.Error", err, err)
			}
			return
		}
		for _, r := range p.Declared {
			if !pep508.ValidName(r.Name) {
				t.Fatalf("declared name %q is not a valid name", r.Name)
			}
		}
	})
}

func fuzzParse(f *testing.F, format Format, name string) {
	f.Fuzz(func(t *testing.T, data []byte) {
		lock, err := Parse(format, name, data)
		if err != nil {
			var rerr *reqfile.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("error %v (%T) is not a *reqfile.Error", err, err)
			}
			return
		}
		checkLock(t, lock)
	})
}

// checkLock checks the invariants of a parsed lock.
func checkLock(t *testing.T, lock *Lock) {
	t.Helper()
	for _, p := range lock.Packages {
		if !pep508.ValidName(p.Name) || pep508.NormalizeName(p.Name) != p.Name {
			t.Fatalf("package name %q is not normalised", p.Name)
		}
		if _, err := pep440.Parse(p.Version); p.Version != "" && err != nil {
			t.Fatalf("%s: version %q is not PEP 440", p.Name, p.Version)
		}
		for _, file := range p.Files {
			for algo, digest := range file.Hashes {
				if _, ok := hexDigest(digest); !ok || digest != strings.ToLower(digest) || algo != strings.ToLower(algo) {
					t.Fatalf("%s: hash %s:%s is not lower-case hex", p.Name, algo, digest)
				}
			}
		}
		_ = p.RequiresPython.String()
		_ = p.Marker.String()
		for _, d := range append(append([]Dependency{}, p.Dependencies...), lock.Roots...) {
			if pep508.NormalizeName(d.Name) != d.Name {
				t.Fatalf("%s: dependency name %q is not normalised", p.Name, d.Name)
			}
		}
	}
}
