package lockfile

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/reqfile"
)

// outline writes what a lock holds, one package per line, in the words
// the tests compare: "name version source [marker] [groups] files=N
// deps=a,b extras=x:a,b", then the roots and the lock's extras and groups.
func outline(l *Lock) string {
	var b strings.Builder
	for _, p := range l.Packages {
		fmt.Fprintf(&b, "%s %s %s", p.Name, orDash(p.Version), sourceText(p.Source))
		if !p.Marker.IsZero() {
			fmt.Fprintf(&b, " marker=%q", p.Marker.String())
		}
		if len(p.Groups) > 0 {
			fmt.Fprintf(&b, " groups=%s", strings.Join(p.Groups, ","))
		}
		if len(p.RequiresPython) > 0 {
			fmt.Fprintf(&b, " python=%s", p.RequiresPython)
		}
		if p.Self {
			b.WriteString(" self")
		}
		fmt.Fprintf(&b, " files=%d", len(p.Files))
		if p.Dependencies != nil {
			fmt.Fprintf(&b, " deps=%s", depNames(p.Dependencies))
		}
		for _, e := range slices.Sorted(maps.Keys(p.Optional)) {
			fmt.Fprintf(&b, " extra:%s=%s", e, depNames(p.Optional[e]))
		}
		for _, g := range slices.Sorted(maps.Keys(p.DevGroups)) {
			fmt.Fprintf(&b, " group:%s=%s", g, depNames(p.DevGroups[g]))
		}
		b.WriteString("\n")
	}
	if len(l.Roots) > 0 {
		fmt.Fprintf(&b, "roots %s\n", depNames(l.Roots))
	}
	fmt.Fprintf(&b, "extras=%s groups=%s defaults=%s python=%s", strings.Join(l.Extras, ","), strings.Join(l.Groups, ","),
		strings.Join(l.DefaultGroups, ","), orDash(l.RequiresPython.String()))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sourceText(s Source) string {
	out := string(s.Kind)
	for _, part := range []string{s.URL, s.Path, s.Commit, s.Subdirectory} {
		if part != "" {
			out += ":" + part
		}
	}
	if s.Editable {
		out += ":editable"
	}
	if s.Virtual {
		out += ":virtual"
	}
	return out
}

// depNames writes edges as name[extras]@version;marker|group/extra.
func depNames(deps []Dependency) string {
	var parts []string
	for _, d := range deps {
		s := d.Name
		if len(d.Extras) > 0 {
			s += "[" + strings.Join(d.Extras, ",") + "]"
		}
		if d.Version != "" {
			s += "@" + d.Version
		}
		if len(d.Specifier) > 0 {
			s += d.Specifier.String()
		}
		if !d.Marker.IsZero() {
			s += ";" + d.Marker.String()
		}
		if d.Group != "" {
			s += "|group=" + d.Group
		}
		if d.Extra != "" {
			s += "|extra=" + d.Extra
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

func TestParse(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		name, file, text string
		want             string
	}{
		{
			name: "pylock multi-use with markers, groups, vcs, directory and archive",
			file: "pylock.toml",
			text: `lock-version = "1.0"
requires-python = ">=3.10"
extras = ["Socks"]
dependency-groups = ["dev"]
default-groups = ["default"]
created-by = "test"

[[packages]]
name = "Flask"
version = "3.0.0"
marker = "'default' in dependency_groups"
requires-python = ">=3.8"
dependencies = [{ name = "blinker" }]
sdist = { url = "https://f.example/Flask-3.0.0.tar.gz", hashes = { sha256 = "` + sha + `" } }
wheels = [{ name = "flask-3.0.0-py3-none-any.whl", path = "wheels/flask-3.0.0-py3-none-any.whl", hashes = { SHA256 = "` + strings.ToUpper(sha) + `" } }]

[[packages]]
name = "lib"
vcs = { type = "git", url = "https://git.example/lib.git", requested-revision = "main", commit-id = "ABCDEF0123456789ABCDEF0123456789ABCDEF01", subdirectory = "py" }

[[packages]]
name = "local"
directory = { path = "../local", editable = true }

[[packages]]
name = "arch"
version = "1.0"
archive = { url = "https://a.example/arch-1.0.tar.gz", hashes = { sha256 = "` + sha + `" }, subdirectory = "sub" }
`,
			want: `flask 3.0.0 index marker="\"default\" in dependency_groups" python=>=3.8 files=2 deps=blinker
lib - git:https://git.example/lib.git:abcdef0123456789abcdef0123456789abcdef01:py files=0
local - directory:../local:editable files=0
arch 1.0 url:https://a.example/arch-1.0.tar.gz:sub files=1
extras=socks groups=dev defaults=default python=>=3.10`,
		},
		{
			name: "uv.lock with a project, forks, extras, groups, git and directory sources",
			file: "uv.lock",
			text: `version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "blinker", version = "1.7.0", source = { registry = "https://pypi.org/simple" }, marker = "sys_platform == 'darwin'" },
    { name = "blinker", version = "1.8.2", source = { registry = "https://pypi.org/simple" }, marker = "sys_platform != 'darwin'" },
    { name = "lib" },
]

[package.optional-dependencies]
socks = [{ name = "requests", extra = ["socks"] }]

[package.dev-dependencies]
dev = [{ name = "local" }]

[[package]]
name = "blinker"
version = "1.7.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://f.example/blinker-1.7.0.tar.gz", hash = "sha256:` + sha + `", size = 1 }

[[package]]
name = "blinker"
version = "1.8.2"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://f.example/blinker-1.8.2-py3-none-any.whl", hash = "sha256:` + sha + `" }]

[[package]]
name = "lib"
version = "2.0"
source = { git = "https://git.example/lib.git?tag=v2&subdirectory=py#abcdef0123456789abcdef0123456789abcdef01" }

[[package]]
name = "local"
version = "0.1"
source = { directory = "libs/local" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://f.example/requests-2.32.3-py3-none-any.whl", hash = "sha256:` + sha + `" }]

[package.optional-dependencies]
socks = [{ name = "pysocks" }]
`,
			want: `app 0.1.0 directory:.:editable self files=0 deps=blinker@1.7.0;sys_platform == "darwin",blinker@1.8.2;sys_platform != "darwin",lib extra:socks=requests[socks] group:dev=local
blinker 1.7.0 index:https://pypi.org/simple files=1 deps=
blinker 1.8.2 index:https://pypi.org/simple files=1 deps=
lib 2.0 git:https://git.example/lib.git:abcdef0123456789abcdef0123456789abcdef01:py files=0 deps=
local 0.1 directory:libs/local files=0 deps=
requests 2.32.3 index:https://pypi.org/simple files=1 deps= extra:socks=pysocks
roots blinker@1.7.0;sys_platform == "darwin",blinker@1.8.2;sys_platform != "darwin",lib,requests[socks]|extra=socks,local|group=dev
extras=socks groups=dev defaults= python=>=3.11`,
		},
		{
			name: "poetry.lock 2.1 with groups, markers, unions, extras and sources",
			file: "poetry.lock",
			text: `[[package]]
name = "blinker"
version = "1.7.0"
optional = false
python-versions = "^3.8"
groups = ["main", "dev"]
markers = {main = "sys_platform == \"darwin\"", dev = "python_version < \"3.13\""}
files = [{file = "blinker-1.7.0.tar.gz", hash = "sha256:` + sha + `"}]

[package.dependencies]
urllib3 = ">=1.25.4,<2.2.0 || >2.2.0,<3"
numpy = [{version = ">=1.26", python = ">=3.12"}, {version = "<1.26", python = "<3.12"}]
pysocks = {version = "*", optional = true}

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)", "win-inet-pton ; sys_platform == \"win32\""]

[[package]]
name = "lib"
version = "2.0"
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://git.example/lib.git"
reference = "main"
resolved_reference = "abcdef0123456789abcdef0123456789abcdef01"

[[package]]
name = "private"
version = "1.0"
python-versions = "~2.7 || ^3.8"
files = []

[package.source]
type = "legacy"
url = "https://private.example/simple"
reference = "private"

[metadata]
lock-version = "2.1"
python-versions = ">=3.11"
`,
			want: `blinker 1.7.0 index marker="python_version < \"3.13\" or sys_platform == \"darwin\"" python=<4.0,>=3.8 files=1 deps=numpy>=1.26,numpy<1.26,urllib3<2.2.0,>=1.25.4 || <3,>2.2.0 extra:socks=pysocks!=1.5.7,>=1.5.6,win-inet-pton;sys_platform == "win32"
lib 2.0 git:https://git.example/lib.git:abcdef0123456789abcdef0123456789abcdef01 files=0 deps=
private 1.0 index:https://private.example/simple python=<2.8,>=2.7 || <4.0,>=3.8 files=0 deps=
extras= groups= defaults= python=>=3.11`,
		},
		{
			name: "Pipfile.lock with categories, markers, extras, git and path entries",
			file: "Pipfile.lock",
			text: `{"_meta": {"pipfile-spec": 6, "requires": {"python_version": "3.12"}, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},
 "default": {"requests": {"hashes": ["sha256:` + sha + `", "sha256:` + strings.Repeat("cd", 32) + `"], "version": "==2.32.3", "extras": ["socks"], "index": "pypi"},
             "colorama": {"hashes": ["sha256:` + sha + `"], "markers": "platform_system == 'Windows'", "version": "==0.4.6"},
             "lib": {"git": "https://git.example/lib.git", "ref": "ABCDEF0123456789ABCDEF0123456789ABCDEF01", "editable": true},
             "local": {"path": "./local", "editable": true}},
 "develop": {"requests": {"hashes": ["sha256:` + sha + `", "sha256:` + strings.Repeat("cd", 32) + `"], "version": "==2.32.3", "extras": ["socks"], "index": "pypi"},
             "pytest": {"hashes": ["sha256:` + sha + `"], "version": "==8.0.0"}},
 "docs": {"sphinx": {"hashes": ["sha256:` + sha + `"], "version": "==7.0.0"}}}`,
			want: `colorama 0.4.6 index marker="platform_system == \"Windows\"" groups= files=1
lib - git:https://git.example/lib.git:abcdef0123456789abcdef0123456789abcdef01:editable groups= files=0
local - directory:./local:editable groups= files=0
pytest 8.0.0 index groups=dev files=1
requests 2.32.3 index:https://pypi.org/simple groups=,dev files=2
sphinx 7.0.0 index groups=docs files=1
extras= groups=dev,docs defaults= python===3.12.*`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, ok := FormatOf(tt.file)
			if !ok {
				t.Fatalf("FormatOf(%q) is not a lock", tt.file)
			}
			lock, err := Parse(format, tt.file, []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(lock); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestParseErrors: what a lock must not be, and that the message names the
// file, the line and the problem.
func TestParseErrors(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	pylock := func(pkg string) string {
		return "lock-version = \"1.0\"\ncreated-by = \"t\"\n\n[[packages]]\n" + pkg
	}
	tests := []struct {
		file, text, want string
	}{
		{"pylock.toml", `created-by = "t"` + "\npackages = []", `pylock.toml: no lock-version`},
		{"pylock.toml", "lock-version = \"2.0\"\ncreated-by = \"t\"\npackages = []", `lock-version "2.0" is not supported`},
		{"pylock.toml", "lock-version = \"1.0\"\npackages = []", `no created-by`},
		{"pylock.toml", "lock-version = \"1.0\"\ncreated-by = \"t\"", `no [[packages]]`},
		{"pylock.toml", pylock("name = \"a\"\nversion = \"1\""), `pylock.toml:4: a: needs exactly one of vcs, directory, archive, sdist or wheels`},
		{"pylock.toml", pylock("name = \"a\"\ndirectory = {path = \".\"}\nsdist = {url = \"https://x/a-1.tar.gz\", hashes = {sha256 = \"" + sha + "\"}}"), `has vcs, directory or archive and also sdist or wheels`},
		{"pylock.toml", pylock("name = \"a\"\nsdist = {url = \"https://x/a-1.tar.gz\", hashes = {}}"), `a sdist: no hashes`},
		{"pylock.toml", pylock("name = \"a\"\nsdist = {url = \"https://x/a-1.tar.gz\", hashes = {sha256 = \"xyz\"}}"), `hash "xyz" is not a hex digest`},
		{"pylock.toml", pylock("name = \"a\"\nversion = \"2\"\nwheels = [{url = \"https://x/a-1-py3-none-any.whl\", hashes = {sha256 = \"" + sha + "\"}}]"), `file a-1-py3-none-any.whl is not of version 2`},
		{"pylock.toml", pylock("name = \"a\"\nwheels = [{url = \"https://x/b-1-py3-none-any.whl\", hashes = {sha256 = \"" + sha + "\"}}]"), `file b-1-py3-none-any.whl is of another project`},
		{"pylock.toml", pylock("name = \"a\"\nmarker = \"os_name ==\"\ndirectory = {path = \".\"}"), `a: invalid marker`},
		{"pylock.toml", pylock("name = \"a\"\nvcs = {type = \"git\", url = \"https://x\"}"), `vcs has no commit-id`},
		{"pylock.toml", pylock("name = \"a b\"\ndirectory = {path = \".\"}"), `package name "a b" is not a valid project name`},
		{"pylock.toml", "lock-version = [", `pylock.toml:1`},
		{"uv.lock", "version = 2\n", `not a uv.lock of version 1 (version = 2)`},
		{"uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"r\", url = \"u\" }\n", `uv.lock:3: a: source must name exactly one of`},
		{"uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { git = \"https://x/a.git?rev=main\" }\n", `source git "https://x/a.git?rev=main": no commit after '#'`},
		{"uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"r\" }\nsdist = { url = \"https://x/a-1.tar.gz\", hash = \"sha256\" }\n", `is not algorithm:hexdigest`},
		{"uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"not a version\"\nsource = { registry = \"r\" }\n", `a: version "not a version" is not a PEP 440 version`},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n", `no [metadata] lock-version`},
		{"poetry.lock", "[metadata]\nlock-version = \"3.0\"\n", `lock-version "3.0" is not supported`},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\npython-versions = \"^^3\"\n[metadata]\nlock-version = \"2.0\"\n", `poetry.lock:1: a: python-versions "^^3"`},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.source]\ntype = \"git\"\nurl = \"https://x\"\n[metadata]\nlock-version = \"2.0\"\n", `has no resolved_reference`},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.source]\ntype = \"svn\"\n[metadata]\nlock-version = \"2.0\"\n", `source type "svn" is not one req2nix knows`},
		{"poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.dependencies]\nb = 3\n[metadata]\nlock-version = \"2.0\"\n", `a → b: a dependency is a version string or a table`},
		{"Pipfile.lock", `{"_meta": {}, "default": {"a": {"version": ">=1"}}}`, `default.a: version ">=1" is not a pin`},
		{"Pipfile.lock", `{"_meta": {}, "default": {"a": {"hashes": []}}}`, `default.a: no version; a package from an index must be pinned`},
		{"Pipfile.lock", `{"_meta": {"pipfile-spec": 5}}`, `pipfile-spec 5 is not supported`},
		{"Pipfile.lock", `{"default": {}}`, `no _meta`},
		{"Pipfile.lock", "{\n\"_meta\": {},\n\"default\": {\"a\": {\"git\": \"https://x\"}}}", `default.a: git https://x has no ref`},
		{"Pipfile.lock", "{\n\"_meta\": {},\n,}", `Pipfile.lock:3: invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			format, _ := FormatOf(tt.file)
			_, err := Parse(format, tt.file, []byte(tt.text))
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			var rerr *reqfile.Error
			if !errors.As(err, &rerr) {
				t.Errorf("%v is a %T, not a *reqfile.Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{
		"pylock.toml": Pylock, "dir/pylock.dev.toml": Pylock, "uv.lock": UV, "poetry.lock": Poetry,
		"Pipfile.lock": Pipenv, "pipfile.lock": Pipenv,
		"pylock..toml": "", "pylock.a.b.toml": "", "pyproject.toml": "", "requirements.txt": "", "Pipfile": "",
	} {
		got, ok := FormatOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// TestInDir: the standard pylock.toml first, then a single named pylock,
// uv.lock, poetry.lock, Pipfile.lock; several named pylocks are ambiguous.
func TestInDir(t *testing.T) {
	tests := []struct {
		files      []string
		want       string
		wantOthers []string
		wantErr    string
	}{
		{files: []string{"pyproject.toml", "requirements.txt"}},
		{files: []string{"uv.lock", "pyproject.toml"}, want: "uv.lock"},
		{files: []string{"Pipfile.lock", "poetry.lock", "uv.lock", "pylock.toml"}, want: "pylock.toml", wantOthers: []string{"Pipfile.lock", "poetry.lock", "uv.lock"}},
		{files: []string{"pylock.ci.toml", "uv.lock"}, want: "pylock.ci.toml", wantOthers: []string{"uv.lock"}},
		{files: []string{"pylock.a.toml", "pylock.b.toml"}, wantErr: "several lock files (pylock.a.toml, pylock.b.toml) and no pylock.toml"},
		{files: []string{"pylock.a.toml", "pylock.b.toml", "pylock.toml"}, want: "pylock.toml", wantOthers: []string{"pylock.a.toml", "pylock.b.toml"}},
		{files: []string{"Pipfile", "Pipfile.lock"}, want: "Pipfile.lock"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.files, " "), func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, others, err := InDir(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if got != "" {
					t.Errorf("found %s in a directory without a lock", got)
				}
				return
			}
			var base []string
			for _, o := range others {
				base = append(base, filepath.Base(o))
			}
			sort.Strings(base)
			if got != filepath.Join(dir, tt.want) || strings.Join(base, " ") != strings.Join(tt.wantOthers, " ") {
				t.Errorf("InDir = %s, others %v; want %s, others %v", got, base, tt.want, tt.wantOthers)
			}
		})
	}
}
