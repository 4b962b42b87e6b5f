package pypi

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

func TestEggInfoRequirements(t *testing.T) {
	// Cases follow importlib.metadata's _convert_egg_info_reqs_to_simple_reqs.
	text := `requests>=2
six

[security]
pyOpenSSL>=0.14

[:python_version < "3.8"]
importlib-metadata

[socks:sys_platform == "win32" or python_version < "3"]
win-inet-pton

# a comment
[url]
pkg @ https://example.org/pkg.zip
`
	want := []string{
		"requests>=2",
		"six",
		`pyOpenSSL>=0.14; extra == "security"`,
		`importlib-metadata; python_version < "3.8"`,
		`win-inet-pton; (sys_platform == "win32" or python_version < "3") and extra == "socks"`,
		`pkg @ https://example.org/pkg.zip ; extra == "url"`,
	}
	if got := eggInfoRequirements(text); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestReadArtifactMetadataKinds(t *testing.T) {
	const pkgInfo = "Metadata-Version: 2.1\nName: x\nVersion: 1.0\nRequires-Dist: y\n\n"
	const bare = "Metadata-Version: 1.1\nName: x\nVersion: 1.0\n"
	const dynamic = "Metadata-Version: 2.2\nName: x\nVersion: 1.0\nDynamic: Requires-Dist\nRequires-Dist: stale\n"
	requires := []byte("z>=2\n[t]\npytest\n")
	tests := []struct {
		name     string
		filename string
		members  map[string][]byte
		want     []string // RequiresDist
		source   MetadataSource
		err      string
	}{
		{"wheel", "x-1.0-py3-none-any.whl", map[string][]byte{"x-1.0.dist-info/METADATA": []byte(pkgInfo)}, []string{"y"}, SourceWheel, ""},
		{"wheel, vendored dist-info too", "x-1.0-py3-none-any.whl", map[string][]byte{"a-9.dist-info/METADATA": []byte("Name: a\nVersion: 9\n"), "x-1.0.dist-info/METADATA": []byte(pkgInfo)}, []string{"y"}, SourceWheel, ""},
		{"wheel without METADATA", "x-1.0-py3-none-any.whl", map[string][]byte{"x/__init__.py": nil}, nil, "", "no .dist-info/METADATA"},
		{"sdist tar.gz", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(pkgInfo)}, []string{"y"}, SourcePKGInfo, ""},
		{"sdist tgz, ./ prefix", "x-1.0.tgz", map[string][]byte{"./x-1.0/PKG-INFO": []byte(pkgInfo)}, []string{"y"}, SourcePKGInfo, ""},
		{"sdist zip", "x-1.0.zip", map[string][]byte{"x-1.0/PKG-INFO": []byte(pkgInfo)}, []string{"y"}, SourcePKGInfo, ""},
		{"sdist tar", "x-1.0.tar", map[string][]byte{"x-1.0/PKG-INFO": []byte(pkgInfo)}, []string{"y"}, SourcePKGInfo, ""},
		{"PKG-INFO without Requires-Dist: egg-info", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(bare), "x-1.0/x.egg-info/requires.txt": requires}, []string{"z>=2", `pytest; extra == "t"`}, SourcePKGInfo, ""},
		{"src layout egg-info", "x-1.0.zip", map[string][]byte{"x-1.0/PKG-INFO": []byte(bare), "x-1.0/src/x.egg-info/requires.txt": requires}, []string{"z>=2", `pytest; extra == "t"`}, SourcePKGInfo, ""},
		{"Requires-Dist present: egg-info ignored", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(pkgInfo), "x-1.0/x.egg-info/requires.txt": requires}, []string{"y"}, SourcePKGInfo, ""},
		{"dynamic Requires-Dist: egg-info wins", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(dynamic), "x-1.0/x.egg-info/requires.txt": requires}, []string{"z>=2", `pytest; extra == "t"`}, SourcePKGInfo, ""},
		{"dynamic Requires-Dist, no egg-info", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(dynamic)}, nil, "", "only known after building"},
		{"bare PKG-INFO, no egg-info: no dependencies", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte(bare)}, nil, SourcePKGInfo, ""},
		{"nested PKG-INFO only", "x-1.0.tar.gz", map[string][]byte{"x-1.0/x.egg-info/PKG-INFO": []byte(pkgInfo)}, nil, "", "no such member PKG-INFO"},
		{"PKG-INFO without Name", "x-1.0.tar.gz", map[string][]byte{"x-1.0/PKG-INFO": []byte("Version: 1\n")}, nil, "", "x-1.0.tar.gz: PKG-INFO: no Name header"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		data, err := pypitest.Archive(tt.filename, tt.members)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, tt.filename)
		os.WriteFile(p, data, 0o644)
		m, err := readArtifactMetadata(p, tt.filename)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(m.RequiresDist, tt.want) || m.Source != tt.source || m.Name != "x" || m.Version != "1.0" {
			t.Errorf("%s: got %+v, want Requires-Dist %q from %s", tt.name, m, tt.want, tt.source)
		}
	}
	if _, err := readArtifactMetadata(filepath.Join(dir, "x-1.0.zip"), "x-1.0.tar.xz"); err == nil || !strings.Contains(err.Error(), "unsupported archive type") {
		t.Errorf(".tar.xz: %v", err)
	}
}

func TestParseBuildRequires(t *testing.T) {
	tests := []struct {
		toml string
		want []string
		err  string
	}{
		{"[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n", []string{"setuptools>=61", "wheel"}, ""},
		{"[build-system]\nrequires = []\n", []string{}, ""},
		{"[project]\nname = \"x\"\n", nil, ""},
		{"[build-system]\nrequires = \"setuptools\"\n", nil, "pyproject.toml"},
		{"[build-system\n", nil, "x.tar.gz: pyproject.toml"},
	}
	for _, tt := range tests {
		got, err := parseBuildRequires([]byte(tt.toml), "x.tar.gz")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.toml, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, %v; want %q", tt.toml, got, err, tt.want)
		}
	}
}
