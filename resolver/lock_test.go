package resolver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"
	"time"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/lockfile"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// lockIndex is the index every lock test reads from: each release has an
// sdist (unless nosdist) and the wheels named; the locks below take their
// files' names, URLs and hashes from it (see lockText).
const lockIndex = `
flask 3.0.0 wheel=py3-none-any: werkzeug>=3 | blinker>=1.6
werkzeug 3.0.3 wheel=py3-none-any: markupsafe>=2
markupsafe 2.1.5 wheel=cp312-cp312-manylinux_2_17_x86_64 wheel=cp312-cp312-macosx_11_0_arm64 wheel=cp313-cp313-manylinux_2_17_x86_64:
blinker 1.7.0 wheel=py3-none-any:
blinker 1.8.2 wheel=py3-none-any:
requests 2.32.3 wheel=py3-none-any: idna | pysocks ; extra == "socks" | colorama ; sys_platform == "win32"
idna 3.7:
pysocks 1.7.1:
cowsay 6.1 nosdist wheel=py3-none-any:
tomli 2.0.1 wheel=py3-none-any:
`

// lockText expands a lock template: {{file "name"}} is a pylock.toml file
// table, {{uvfile "name"}} a uv.lock one, {{sha "name"}} the sha256 and
// {{url "name"}} the URL the index serves the file with.
func lockText(t testing.TB, m *memIndex, text string) string {
	t.Helper()
	find := func(filename string) (url, sha string) {
		for _, p := range m.projects {
			for _, r := range p.Releases {
				for _, f := range r.Files {
					if f.Filename == filename {
						return f.URL, f.SHA256
					}
				}
			}
		}
		t.Fatalf("the test index has no file %s", filename)
		return "", ""
	}
	funcs := template.FuncMap{
		"sha": func(n string) string { _, s := find(n); return s },
		"url": func(n string) string { u, _ := find(n); return u },
		"file": func(n string) string {
			u, s := find(n)
			return `{ url = "` + u + `", hashes = { sha256 = "` + s + `" } }`
		},
		"uvfile": func(n string) string { u, s := find(n); return `{ url = "` + u + `", hash = "sha256:` + s + `" }` },
	}
	tmpl, err := template.New("lock").Funcs(funcs).Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// parseLock parses a lock template as a file of its format in dir.
func parseLock(t *testing.T, m *memIndex, dir, name, text string) *lockfile.Lock {
	t.Helper()
	format, ok := lockfile.FormatOf(name)
	if !ok {
		t.Fatalf("%s is not a lock file name", name)
	}
	lock, err := lockfile.Parse(format, filepath.Join(dir, name), []byte(lockText(t, m, text)))
	if err != nil {
		t.Fatal(err)
	}
	return lock
}

// filesText writes the chosen files of a resolution: "name: file file".
func filesText(res *Resolution) string {
	var lines []string
	for _, p := range res.Packages {
		var names []string
		for _, f := range p.Files {
			names = append(names, f.Filename)
		}
		lines = append(lines, p.Name+": "+strings.Join(names, " "))
	}
	return strings.Join(lines, "\n")
}

// depsText writes the dependency edges: "name>a,b" for packages with any.
func depsText(res *Resolution) string {
	var parts []string
	for _, p := range res.Packages {
		if len(p.Dependencies) > 0 {
			parts = append(parts, p.Name+">"+strings.Join(p.Dependencies, ","))
		}
	}
	return strings.Join(parts, " ")
}

const pylockUniversal = `lock-version = "1.0"
requires-python = ">=3.11"
extras = ["socks"]
dependency-groups = ["dev"]
default-groups = ["default"]
created-by = "test"

[[packages]]
name = "flask"
version = "3.0.0"
marker = "'default' in dependency_groups"
dependencies = [{ name = "werkzeug" }, { name = "blinker" }]
sdist = {{file "flask-3.0.0.tar.gz"}}
wheels = [{{file "flask-3.0.0-py3-none-any.whl"}}]

[[packages]]
name = "werkzeug"
version = "3.0.3"
marker = "'default' in dependency_groups"
dependencies = [{ name = "markupsafe" }]
sdist = {{file "werkzeug-3.0.3.tar.gz"}}

[[packages]]
name = "markupsafe"
dependencies = []
version = "2.1.5"
marker = "'default' in dependency_groups"
sdist = {{file "markupsafe-2.1.5.tar.gz"}}
wheels = [
  {{file "markupsafe-2.1.5-cp312-cp312-macosx_11_0_arm64.whl"}},
  {{file "markupsafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.whl"}},
  {{file "markupsafe-2.1.5-cp313-cp313-manylinux_2_17_x86_64.whl"}},
]

[[packages]]
name = "blinker"
dependencies = []
version = "1.7.0"
marker = "'default' in dependency_groups and sys_platform == 'darwin'"
wheels = [{{file "blinker-1.7.0-py3-none-any.whl"}}]

[[packages]]
name = "blinker"
dependencies = []
version = "1.8.2"
marker = "'default' in dependency_groups and sys_platform != 'darwin'"
wheels = [{{file "blinker-1.8.2-py3-none-any.whl"}}]

[[packages]]
name = "tomli"
dependencies = []
version = "2.0.1"
marker = "python_version < '3.13'"
requires-python = ">=3.8"
wheels = [{{file "tomli-2.0.1-py3-none-any.whl"}}]

[[packages]]
name = "pysocks"
dependencies = []
version = "1.7.1"
marker = "'socks' in extras"
sdist = {{file "pysocks-1.7.1.tar.gz"}}

[[packages]]
name = "cowsay"
dependencies = []
version = "6.1"
marker = "'dev' in dependency_groups"
wheels = [{{file "cowsay-6.1-py3-none-any.whl"}}]
`

const uvUniversal = `version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "flask" },
    { name = "tomli", marker = "python_full_version < '3.13'" },
]

[package.optional-dependencies]
socks = [{ name = "requests", extra = ["socks"] }]

[package.dev-dependencies]
dev = [{ name = "cowsay" }]

[[package]]
name = "blinker"
version = "1.7.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{{uvfile "blinker-1.7.0-py3-none-any.whl"}}]

[[package]]
name = "blinker"
version = "1.8.2"
source = { registry = "https://pypi.org/simple" }
wheels = [{{uvfile "blinker-1.8.2-py3-none-any.whl"}}]

[[package]]
name = "cowsay"
version = "6.1"
source = { registry = "https://pypi.org/simple" }
wheels = [{{uvfile "cowsay-6.1-py3-none-any.whl"}}]

[[package]]
name = "flask"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "blinker", version = "1.7.0", source = { registry = "https://pypi.org/simple" }, marker = "sys_platform == 'darwin'" },
    { name = "blinker", version = "1.8.2", source = { registry = "https://pypi.org/simple" }, marker = "sys_platform != 'darwin'" },
    { name = "werkzeug" },
]
sdist = {{uvfile "flask-3.0.0.tar.gz"}}

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }
sdist = {{uvfile "idna-3.7.tar.gz"}}

[[package]]
name = "markupsafe"
version = "2.1.5"
source = { registry = "https://pypi.org/simple" }
sdist = {{uvfile "markupsafe-2.1.5.tar.gz"}}
wheels = [
    {{uvfile "markupsafe-2.1.5-cp312-cp312-macosx_11_0_arm64.whl"}},
    {{uvfile "markupsafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.whl"}},
]

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }
sdist = {{uvfile "pysocks-1.7.1.tar.gz"}}

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]
wheels = [{{uvfile "requests-2.32.3-py3-none-any.whl"}}]

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[[package]]
name = "tomli"
version = "2.0.1"
source = { registry = "https://pypi.org/simple" }
wheels = [{{uvfile "tomli-2.0.1-py3-none-any.whl"}}]

[[package]]
name = "werkzeug"
version = "3.0.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "markupsafe" }]
sdist = {{uvfile "werkzeug-3.0.3.tar.gz"}}
`

// TestFromLockUniversal reads one universal lock of each walked and flat
// kind for several targets and selections: per-platform entries, Python
// markers, extras and groups select the packages, and the wheel chosen is
// the best one for the target.
func TestFromLockUniversal(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	dir := t.TempDir()
	locks := map[string]*lockfile.Lock{
		"pylock.toml": parseLock(t, m, dir, "pylock.toml", pylockUniversal),
		"uv.lock":     parseLock(t, m, dir, "uv.lock", uvUniversal),
	}
	tests := []struct {
		lock      string
		opts      LockOptions
		want      string
		wantFiles string // of markupsafe, when it is installed
		wantDeps  string
	}{
		{lock: "pylock.toml", opts: LockOptions{Python: "3.12", Platform: "x86_64-linux"},
			want:      "blinker==1.8.2 flask==3.0.0 markupsafe==2.1.5 tomli==2.0.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz markupsafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.whl",
			wantDeps:  "flask>blinker,werkzeug werkzeug>markupsafe"},
		{lock: "pylock.toml", opts: LockOptions{Python: "3.12", Platform: "aarch64-darwin"},
			want:      "blinker==1.7.0 flask==3.0.0 markupsafe==2.1.5 tomli==2.0.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz markupsafe-2.1.5-cp312-cp312-macosx_11_0_arm64.whl"},
		{lock: "pylock.toml", opts: LockOptions{Python: "3.13", Platform: "x86_64-linux", Extras: []string{"socks"}, Groups: []string{"dev"}},
			want:      "blinker==1.8.2 cowsay==6.1 flask==3.0.0 markupsafe==2.1.5 pysocks==1.7.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz markupsafe-2.1.5-cp313-cp313-manylinux_2_17_x86_64.whl"},
		{lock: "pylock.toml", opts: LockOptions{Python: "3.12", Platform: "aarch64-linux", AllExtras: true},
			want:      "blinker==1.8.2 flask==3.0.0 markupsafe==2.1.5 pysocks==1.7.1 tomli==2.0.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz"},
		{lock: "uv.lock", opts: LockOptions{Python: "3.12", Platform: "x86_64-linux"},
			want:      "blinker==1.8.2 flask==3.0.0 markupsafe==2.1.5 tomli==2.0.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz markupsafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.whl",
			wantDeps:  "flask>blinker,werkzeug werkzeug>markupsafe"},
		{lock: "uv.lock", opts: LockOptions{Python: "3.12", Platform: "x86_64-darwin"},
			want:      "blinker==1.7.0 flask==3.0.0 markupsafe==2.1.5 tomli==2.0.1 werkzeug==3.0.3",
			wantFiles: "markupsafe-2.1.5.tar.gz"},
		{lock: "uv.lock", opts: LockOptions{Python: "3.13", Platform: "aarch64-darwin", Extras: []string{"Socks"}, Groups: []string{"dev"}},
			want:     "blinker==1.7.0 cowsay==6.1 flask==3.0.0 idna==3.7 markupsafe==2.1.5 pysocks==1.7.1 requests==2.32.3[socks] werkzeug==3.0.3",
			wantDeps: "flask>blinker,werkzeug requests>idna,pysocks werkzeug>markupsafe"},
	}
	for _, tt := range tests {
		t.Run(tt.lock+" "+tt.opts.Platform+" "+tt.opts.Python, func(t *testing.T) {
			res, err := FromLock(context.Background(), m, locks[tt.lock], tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != tt.want {
				t.Errorf("installs\n  %s\nwant\n  %s", got, tt.want)
			}
			if tt.wantFiles != "" {
				if got := filesText(res); !strings.Contains(got, "markupsafe: "+tt.wantFiles+"\n") {
					t.Errorf("files\n%s\nwant markupsafe: %s", got, tt.wantFiles)
				}
			}
			if tt.wantDeps != "" {
				if got := depsText(res); got != tt.wantDeps {
					t.Errorf("dependencies %q, want %q", got, tt.wantDeps)
				}
			}
			if res.Python != pep508LatestPatch(t, tt.opts.Python) || res.Platform != tt.opts.Platform {
				t.Errorf("target %s %s, want %s %s", res.Python, res.Platform, tt.opts.Python, tt.opts.Platform)
			}
		})
	}
	if n := m.calls.Load(); n != 0 {
		t.Errorf("%d index calls; locks with URLs, hashes and dependencies need none", n)
	}
}

func pep508LatestPatch(t *testing.T, minor string) string {
	t.Helper()
	v, ok := pep508.LatestPatch(minor)
	if !ok {
		t.Fatalf("no patch release known for %s", minor)
	}
	return v
}

const poetryLock = `[[package]]
name = "requests"
version = "2.32.3"
python-versions = ">=3.8"
files = [
    {file = "requests-2.32.3-py3-none-any.whl", hash = "sha256:{{sha "requests-2.32.3-py3-none-any.whl"}}"},
    {file = "requests-2.32.3.tar.gz", hash = "sha256:{{sha "requests-2.32.3.tar.gz"}}"},
]

[package.dependencies]
idna = ">=2.5,<4"
pysocks = {version = ">=1.5.6,!=1.5.7", optional = true}

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]

[[package]]
name = "idna"
version = "3.7"
python-versions = ">=3.5"
files = [{file = "idna-3.7.tar.gz", hash = "sha256:{{sha "idna-3.7.tar.gz"}}"}]

[[package]]
name = "pysocks"
version = "1.7.1"
python-versions = "*"
files = [{file = "pysocks-1.7.1.tar.gz", hash = "sha256:{{sha "pysocks-1.7.1.tar.gz"}}"}]

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
`

const pipfileLock = `{"_meta": {"pipfile-spec": 6, "requires": {"python_version": "3.12"}, "sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]},
 "default": {
  "requests": {"extras": ["socks"], "hashes": ["sha256:{{sha "requests-2.32.3.tar.gz"}}", "sha256:{{sha "requests-2.32.3-py3-none-any.whl"}}"], "index": "pypi", "version": "==2.32.3"},
  "idna": {"hashes": ["sha256:{{sha "idna-3.7.tar.gz"}}"], "version": "==3.7"},
  "pysocks": {"hashes": ["sha256:{{sha "pysocks-1.7.1.tar.gz"}}"], "version": "==1.7.1"},
  "colorama": {"hashes": ["sha256:00"], "markers": "sys_platform == 'win32'", "version": "==0.4.6"}},
 "develop": {"cowsay": {"hashes": ["sha256:{{sha "cowsay-6.1-py3-none-any.whl"}}"], "version": "==6.1"}}}`

// TestFromLockIndexLookups: poetry.lock (file names and hashes) and
// Pipfile.lock (hashes only) find their files on the index, and
// Pipfile.lock's dependencies come from the index's metadata, extras
// included.
func TestFromLockIndexLookups(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	dir := t.TempDir()
	poetry := parseLock(t, m, dir, "poetry.lock", poetryLock)
	poetry.Roots = []lockfile.Dependency{{Name: "requests", Extras: []string{"socks"}}}
	tests := []struct {
		name     string
		lock     *lockfile.Lock
		opts     LockOptions
		want     string
		files    string
		wantDeps string
	}{
		{"poetry", poetry, LockOptions{}, "idna==3.7 pysocks==1.7.1 requests==2.32.3[socks]",
			"idna: idna-3.7.tar.gz\npysocks: pysocks-1.7.1.tar.gz\nrequests: requests-2.32.3.tar.gz requests-2.32.3-py3-none-any.whl", "requests>idna,pysocks"},
		{"pipenv", parseLock(t, m, dir, "Pipfile.lock", pipfileLock), LockOptions{}, "idna==3.7 pysocks==1.7.1 requests==2.32.3[socks]",
			"idna: idna-3.7.tar.gz\npysocks: pysocks-1.7.1.tar.gz\nrequests: requests-2.32.3.tar.gz requests-2.32.3-py3-none-any.whl", "requests>idna,pysocks"},
		{"pipenv develop", parseLock(t, m, dir, "Pipfile.lock", pipfileLock), LockOptions{Groups: []string{"develop"}},
			"cowsay==6.1 idna==3.7 pysocks==1.7.1 requests==2.32.3[socks]", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := FromLock(context.Background(), m, tt.lock, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != tt.want {
				t.Errorf("installs %s, want %s", got, tt.want)
			}
			if got := filesText(res); tt.files != "" && !strings.HasPrefix(got, tt.files) {
				t.Errorf("files\n%s\nwant\n%s", got, tt.files)
			}
			if got := depsText(res); tt.wantDeps != "" && got != tt.wantDeps {
				t.Errorf("dependencies %q, want %q", got, tt.wantDeps)
			}
			for _, p := range res.Packages {
				for _, f := range p.Files {
					if !strings.HasPrefix(f.URL, "https://files.example/") || f.SHA256 == "" {
						t.Errorf("%s: file %+v has no URL or hash from the index", p.Name, f)
					}
				}
			}
		})
	}
}

// TestFromLockRefuses: a lock that does not fit the index, the target or
// its own rules is refused with a message naming the file, the package and
// the problem.
func TestFromLockRefuses(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	dir := t.TempDir()
	tampered := strings.Repeat("0", 63) + "f"
	tests := []struct {
		name, file, text string
		roots            []lockfile.Dependency
		opts             LockOptions
		want             []string
	}{
		{name: "poetry hash matches no file", file: "poetry.lock",
			text:  strings.Replace(poetryLock, `{{sha "idna-3.7.tar.gz"}}`, tampered, 1),
			roots: []lockfile.Dependency{{Name: "requests"}},
			want:  []string{"poetry.lock:", "idna 3.7", "sha256:" + tampered, "idna-3.7.tar.gz", "matches no file the index mem serves", "stale or was tampered with", "`poetry lock`"}},
		{name: "poetry file the index lacks", file: "poetry.lock",
			text:  strings.Replace(poetryLock, `{file = "idna-3.7.tar.gz"`, `{file = "idna-3.7.zip"`, 1),
			roots: []lockfile.Dependency{{Name: "requests"}},
			want:  []string{"idna 3.7", "serves no file idna-3.7.zip"}},
		{name: "pipenv hash matches no file", file: "Pipfile.lock",
			text: strings.Replace(pipfileLock, `{{sha "idna-3.7.tar.gz"}}`, tampered, 1),
			want: []string{"Pipfile.lock", "idna 3.7", "sha256:" + tampered, "`pipenv lock`"}},
		{name: "pipenv version the index lacks", file: "Pipfile.lock",
			text: strings.Replace(pipfileLock, `"==3.7"`, `"==3.8"`, 1),
			want: []string{"the index mem has no idna 3.8", "the lock is stale"}},
		{name: "pylock excludes the target Python", file: "pylock.toml", opts: LockOptions{Python: "3.12"},
			text: strings.Replace(pylockUniversal, `requires-python = ">=3.11"`, `requires-python = ">=3.13"`, 1),
			want: []string{"pylock.toml: the lock is for Python >=3.13, which excludes the target Python 3.12"}},
		{name: "pylock package excludes the target Python", file: "pylock.toml", opts: LockOptions{Python: "3.12"},
			text: strings.Replace(pylockUniversal, `requires-python = ">=3.8"`, `requires-python = ">=3.13"`, 1),
			want: []string{"pylock.toml:", "tomli 2.0.1 requires Python >=3.13"}},
		{name: "pylock environments", file: "pylock.toml",
			text: strings.Replace(pylockUniversal, `created-by = "test"`, "created-by = \"test\"\nenvironments = [\"sys_platform == 'win32'\"]", 1),
			want: []string{`supports only the environments sys_platform == "win32"`, "x86_64-linux is none of them"}},
		{name: "pylock two entries selected", file: "pylock.toml", opts: LockOptions{Platform: "x86_64-linux"},
			text: strings.Replace(pylockUniversal, "sys_platform == 'darwin'", "sys_platform == 'linux'", 1),
			want: []string{"blinker 1.8.2 and blinker 1.7.0", "are both selected"}},
		{name: "unknown extra", file: "pylock.toml", opts: LockOptions{Extras: []string{"async"}},
			text: pylockUniversal, want: []string{`extra "async" is not in the lock; it has socks`}},
		{name: "unknown group", file: "uv.lock", opts: LockOptions{Groups: []string{"docs"}},
			text: uvUniversal, want: []string{`dependency group "docs" is not in the lock; it has dev`}},
		{name: "uv edge to a package the lock lacks", file: "uv.lock",
			text: strings.Replace(uvUniversal, `dependencies = [{ name = "idna" }]`, `dependencies = [{ name = "charset-normalizer" }]`, 1),
			opts: LockOptions{Extras: []string{"socks"}},
			want: []string{"requests 2.32.3 needs charset-normalizer, which the lock does not have", "`uv lock`"}},
		{name: "uv edge that two entries match", file: "uv.lock",
			text: strings.Replace(uvUniversal, `{ name = "blinker", version = "1.7.0", source = { registry = "https://pypi.org/simple" }, marker = "sys_platform == 'darwin'" },`, `{ name = "blinker" },`, 1),
			want: []string{"flask 3.0.0 needs blinker, which the lock has 2 times (1.7.0, 1.8.2)"}},
		{name: "no file for the target", file: "uv.lock", opts: LockOptions{Python: "3.13", Platform: "x86_64-linux"},
			text: strings.Replace(uvUniversal, `sdist = {{uvfile "markupsafe-2.1.5.tar.gz"}}`, "", 1),
			want: []string{"markupsafe 2.1.5 has no sdist and no wheel for CPython 3.13"}},
		{name: "archive URL without a hash", file: "pylock.toml",
			text: pylockUniversal + "\n[[packages]]\nname = \"arch\"\narchive = { url = \"https://a.example/arch-1.0.tar.gz\", hashes = { md5 = \"00\" } }\n",
			want: []string{"arch: the lock gives no sha256 for https://a.example/arch-1.0.tar.gz"}},
		{name: "git at a short commit", file: "uv.lock",
			text: strings.Replace(uvUniversal, `{ name = "flask" },`, `{ name = "flask" }, { name = "lib" },`, 1) +
				"\n[[package]]\nname = \"lib\"\nversion = \"1\"\nsource = { git = \"https://git.example/lib?rev=v1#abc123\" }\n",
			want: []string{"lib 1 from git+https://git.example/lib@abc123", "not a full commit"}},
		{name: "mercurial", file: "pylock.toml",
			text: pylockUniversal + "\n[[packages]]\nname = \"hglib\"\nvcs = { type = \"hg\", url = \"https://hg.example/lib\", commit-id = \"abc\" }\n",
			want: []string{"hglib from hg+https://hg.example/lib@abc", "Mercurial repositories are not supported"}},
		{name: "missing local directory", file: "pylock.toml",
			text: pylockUniversal + "\n[[packages]]\nname = \"local\"\ndirectory = { path = \"does/not/exist\" }\n",
			want: []string{"local: the lock's project directory", "does/not/exist does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock := parseLock(t, m, dir, tt.file, tt.text)
			if tt.roots != nil {
				lock.Roots = tt.roots
			}
			_, err := FromLock(context.Background(), m, lock, tt.opts)
			if err == nil {
				t.Fatalf("no error; want one saying %q", tt.want)
			}
			var rerr *reqfile.Error
			if !errors.As(err, &rerr) && !strings.Contains(tt.name, "version the index lacks") {
				t.Errorf("%v (%T) is not a *reqfile.Error, so it would not exit 2", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestFromLockStale: a dependency the project file declares but the lock
// does not install (for the target and selection), or installs at a
// version the declaration excludes, makes the lock stale.
func TestFromLockStale(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	dir := t.TempDir()
	declared := func(lines ...string) *lockfile.Project {
		p := &lockfile.Project{File: filepath.Join(dir, "pyproject.toml"), Name: "app"}
		p.Declared = parseRootLines(t, p.File, strings.Join(lines, "\n"))
		return p
	}
	tests := []struct {
		name    string
		project *lockfile.Project
		opts    LockOptions
		want    []string
	}{
		{"in step", declared("flask>=3", "tomli ; python_version < '3.13'", "app[socks]"), LockOptions{}, nil},
		{"marker false for the target", declared("flask", "django ; sys_platform == 'win32'"), LockOptions{}, nil},
		{"declared, not locked", declared("flask", "django>=5"), LockOptions{},
			[]string{"pyproject.toml:2: django>=5 is declared but", "uv.lock does not lock it for CPython", "the lock is stale; run `uv lock` to refresh it"}},
		{"locked at an excluded version", declared("flask>=3.1"), LockOptions{},
			[]string{"pyproject.toml:1: flask>=3.1 is declared but", "uv.lock locks flask 3.0.0"}},
		{"declared for the target, not selected by the lock", declared("tomli"), LockOptions{Python: "3.13"},
			[]string{"pyproject.toml:1: tomli is declared but"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock := parseLock(t, m, dir, "uv.lock", uvUniversal)
			lock.Project = tt.project
			_, err := FromLock(context.Background(), m, lock, tt.opts)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestFromLockDirect: sources other than an index become the direct
// references nixgen emits — git at the lock's commit, a local directory
// (its version read from its pyproject.toml when the lock has none), an
// archive URL with its sha256, a local archive checked against the lock.
func TestFromLockDirect(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "libs", "local"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "libs", "local", "pyproject.toml"), []byte("[project]\nname = \"local\"\nversion = \"0.3\"\ndependencies = [\"idna\"]\n"), 0o644))
	archive := []byte("an archive")
	must(os.WriteFile(filepath.Join(dir, "local_arch-1.0-py3-none-any.whl"), archive, 0o644))
	commit := "abcdef0123456789abcdef0123456789abcdef01"
	text := `lock-version = "1.0"
created-by = "test"

[[packages]]
name = "idna"
version = "3.7"
sdist = {{file "idna-3.7.tar.gz"}}

[[packages]]
name = "lib"
vcs = { type = "git", url = "https://git.example/lib.git", commit-id = "` + strings.ToUpper(commit) + `", subdirectory = "py" }

[[packages]]
name = "local"
directory = { path = "libs/local", editable = true }

[[packages]]
name = "arch"
version = "1.0"
archive = { url = "https://a.example/arch-1.0.tar.gz", hashes = { sha256 = "` + strings.Repeat("ab", 32) + `" } }

[[packages]]
name = "local-arch"
version = "1.0"
archive = { path = "local_arch-1.0-py3-none-any.whl", hashes = { sha256 = "` + hexSHA(archive) + `" } }
`
	res, err := FromLock(context.Background(), m, parseLock(t, m, dir, "pylock.toml", text), LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"lib":        "0+git.abcdef012345 git+https://git.example/lib.git@" + commit + "#subdirectory=py",
		"local":      "0.3 file://" + filepath.ToSlash(filepath.Join(dir, "libs", "local")),
		"arch":       "1.0 https://a.example/arch-1.0.tar.gz#sha256=" + strings.Repeat("ab", 32),
		"local-arch": "1.0 file://" + filepath.ToSlash(filepath.Join(dir, "local_arch-1.0-py3-none-any.whl")) + "#sha256=" + hexSHA(archive),
		"idna":       "3.7 ",
	}
	for _, p := range res.Packages {
		if got := p.Version + " " + p.DirectURL; got != want[p.Name] {
			t.Errorf("%s: %q, want %q", p.Name, got, want[p.Name])
		}
		if _, err := ParseDirectURL(p.DirectURL); p.DirectURL != "" && err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
	if got := depsText(res); got != "local>idna" {
		t.Errorf("dependencies %q; a local project's come from its pyproject.toml", got)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "local is editable in the lock") {
		t.Errorf("no warning that an editable becomes a copy: %q", res.Warnings)
	}

	must(os.WriteFile(filepath.Join(dir, "local_arch-1.0-py3-none-any.whl"), []byte("changed"), 0o644))
	_, err = FromLock(context.Background(), m, parseLock(t, m, dir, "pylock.toml", text), LockOptions{})
	if err == nil || !strings.Contains(err.Error(), "not the lock's "+hexSHA(archive)) {
		t.Errorf("a local archive that changed: %v", err)
	}
}

func TestLockDirectURL(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		src  lockfile.Source
		sha  string
		want string
	}{
		{lockfile.Source{Kind: lockfile.FromGit, URL: "https://h/r.git", Commit: "c0ffee"}, "", "git+https://h/r.git@c0ffee"},
		{lockfile.Source{Kind: lockfile.FromGit, VCS: "git", URL: "git+ssh://git@h/r.git", Commit: "c0ffee", Subdirectory: "a b"}, "", "git+ssh://git@h/r.git@c0ffee#subdirectory=a b"},
		{lockfile.Source{Kind: lockfile.FromGit, URL: "../repo", Commit: "c0ffee"}, "", "git+file:///lock/repo@c0ffee"},
		{lockfile.Source{Kind: lockfile.FromDirectory, Path: "libs/a b", Subdirectory: "py"}, "", "file:///lock/dir/libs/a%20b#subdirectory=py"},
		{lockfile.Source{Kind: lockfile.FromDirectory, Path: "/abs/proj"}, "", "file:///abs/proj"},
		{lockfile.Source{Kind: lockfile.FromPath, Path: "dist/a-1.tar.gz"}, sha, "file:///lock/dir/dist/a-1.tar.gz#sha256=" + sha},
		{lockfile.Source{Kind: lockfile.FromURL, URL: "https://h/a-1.zip", Subdirectory: "s"}, sha, "https://h/a-1.zip#sha256=" + sha + "&subdirectory=s"},
	}
	for _, tt := range tests {
		if got := lockDirectURL("/lock/dir", tt.src, tt.sha); got != tt.want {
			t.Errorf("lockDirectURL(%+v) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func hexSHA(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// offlineProvider answers nothing: a lock that records URLs, hashes and
// dependencies needs no index.
type offlineProvider struct{}

func (offlineProvider) Project(ctx context.Context, name string) (*pypi.Project, error) {
	return nil, errors.New("offline")
}

func (offlineProvider) Metadata(ctx context.Context, name string, r pypi.Release) (*pypi.Metadata, error) {
	return nil, errors.New("offline")
}

// TestFromLockSharedSamples reads real locks of ../shared/lockfiles for
// several targets without any index: uv.lock forks on the Python version
// and the platform, groups with forked packages, a pylock.toml from uv
// with Python markers, the PEP 751 example with its environments.
func TestFromLockSharedSamples(t *testing.T) {
	dir := filepath.Join(fixtures.SharedDir(), "lockfiles")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/lockfiles is absent: %v", err)
	}
	tests := []struct {
		lock    string
		opts    LockOptions
		has     []string // name==version installed
		hasNot  []string // names not installed
		wheel   string   // a file that must be chosen
		wantErr string
	}{
		{lock: "uv-drawdata/uv.lock", opts: LockOptions{Python: "3.10", Platform: "x86_64-linux"},
			has: []string{"numpy==2.2.6", "pandas==2.3.3", "altair==6.0.0"}, hasNot: []string{"colorama", "drawdata"},
			wheel: "numpy-2.2.6-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{lock: "uv-drawdata/uv.lock", opts: LockOptions{Python: "3.12", Platform: "aarch64-darwin"},
			has: []string{"numpy==2.4.1", "pandas==3.0.0"}, hasNot: []string{"colorama"},
			wheel: "numpy-2.4.1-cp312-cp312-macosx_14_0_arm64.whl"},
		{lock: "uv-drawdata/uv.lock", opts: LockOptions{Python: "3.9"}, wantErr: "the lock is for Python >=3.10"},
		{lock: "uv-jinja/uv.lock", opts: LockOptions{Python: "3.10", Groups: []string{"docs"}},
			has: []string{"sphinx==8.1.3", "markupsafe==3.0.2"}, hasNot: []string{"jinja2", "pytest"}},
		{lock: "uv-jinja/uv.lock", opts: LockOptions{Python: "3.13", Groups: []string{"docs", "tests"}, Extras: []string{"i18n"}},
			has: []string{"sphinx==8.2.3", "babel==2.17.0"}, hasNot: []string{"jinja2"}},
		{lock: "pylock-spectree-uv/pylock.toml", opts: LockOptions{Python: "3.10"}, has: []string{"tomli==2.2.1", "exceptiongroup==1.3.0"}, hasNot: []string{"zipp"}},
		{lock: "pylock-spectree-uv/pylock.toml", opts: LockOptions{Python: "3.12"}, hasNot: []string{"tomli", "exceptiongroup", "zipp"}},
		// The example's requires-python is "==3.12" (the specification
		// later wrote "==3.12.*"): as PEP 440 reads it, 3.12.0 alone.
		{lock: "pep751-example/pylock.toml", opts: LockOptions{Python: "3.12.4"}, wantErr: "the lock is for Python ==3.12, which excludes the target Python 3.12.4"},
		{lock: "pep751-example/pylock.toml", opts: LockOptions{Python: "3.12.0", Platform: "x86_64-linux"},
			has: []string{"attrs==25.1.0", "cattrs==24.1.2", "numpy==2.2.3"}, wheel: "numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{lock: "pep751-example/pylock.toml", opts: LockOptions{Python: "3.12.0", Platform: "x86_64-darwin"},
			wantErr: "supports only the environments"},
		{lock: "pep751-example/pylock.toml", opts: LockOptions{Python: "3.12.0", Platform: "aarch64-linux"},
			wantErr: "numpy 2.2.3 has no sdist and no wheel for CPython 3.12.0 on aarch64-linux"},
	}
	for _, tt := range tests {
		t.Run(tt.lock+" "+tt.opts.Python+" "+tt.opts.Platform, func(t *testing.T) {
			lock, err := lockfile.Load(filepath.Join(dir, tt.lock), reqfile.Selection{Extras: tt.opts.Extras, Groups: tt.opts.Groups})
			if err != nil {
				t.Fatal(err)
			}
			res, err := FromLock(context.Background(), offlineProvider{}, lock, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := " " + summary(res) + " "
			for _, h := range tt.has {
				if !strings.Contains(got, " "+h+" ") && !strings.Contains(got, " "+h+"[") {
					t.Errorf("%s is not installed:%s", h, got)
				}
			}
			for _, n := range tt.hasNot {
				if strings.Contains(got, " "+n+"==") {
					t.Errorf("%s is installed:%s", n, got)
				}
			}
			if tt.wheel != "" && !strings.Contains(filesText(res), tt.wheel) {
				t.Errorf("%s is not chosen:\n%s", tt.wheel, filesText(res))
			}
		})
	}
}

// echoIndex serves, for each package of a lock, a release holding exactly
// the lock's files (name and sha256): an index in step with the lock.
type echoIndex struct{ lock *lockfile.Lock }

func (e echoIndex) Project(ctx context.Context, name string) (*pypi.Project, error) {
	proj := &pypi.Project{Name: name, Index: "echo"}
	for _, p := range e.lock.Packages {
		if p.Name != name {
			continue
		}
		rel := pypi.Release{Name: name, Version: pep440.MustParse(p.Version), Key: p.Version, Index: "echo"}
		for _, f := range p.Files {
			rel.Files = append(rel.Files, pypi.File{Filename: f.Name, URL: "https://echo.example/" + f.Name, SHA256: f.SHA256()})
		}
		proj.Releases = append(proj.Releases, rel)
	}
	return proj, nil
}

func (e echoIndex) Metadata(ctx context.Context, name string, r pypi.Release) (*pypi.Metadata, error) {
	return nil, errors.New("not needed")
}

// TestFromLockSharedPoetry walks a real poetry.lock (2.1, Poetry's own
// groups and markers) from its pyproject.toml: the main dependencies, the
// extra, the legacy dev-dependencies group, markers per platform.
func TestFromLockSharedPoetry(t *testing.T) {
	path := filepath.Join(fixtures.SharedDir(), "lockfiles", "poetry-rich", "poetry.lock")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("../shared/lockfiles is absent: %v", err)
	}
	tests := []struct {
		opts   LockOptions
		has    []string
		hasNot []string
	}{
		{LockOptions{}, []string{"pygments==", "markdown-it-py==", "mdurl=="}, []string{"ipywidgets", "pytest", "appnope"}},
		{LockOptions{Extras: []string{"jupyter"}, Platform: "aarch64-darwin"}, []string{"ipywidgets==", "appnope=="}, []string{"pytest"}},
		{LockOptions{Extras: []string{"jupyter"}}, []string{"ipywidgets=="}, []string{"appnope", "pytest"}},
		{LockOptions{Groups: []string{"dev"}}, []string{"pytest==", "black=="}, []string{"ipywidgets"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append(tt.opts.Extras, tt.opts.Groups...), ",")+" "+tt.opts.Platform, func(t *testing.T) {
			lock, err := lockfile.Load(path, reqfile.Selection{Extras: tt.opts.Extras, Groups: tt.opts.Groups})
			if err != nil {
				t.Fatal(err)
			}
			res, err := FromLock(context.Background(), echoIndex{lock}, lock, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := " " + summary(res)
			for _, h := range tt.has {
				if !strings.Contains(got, " "+h) {
					t.Errorf("%s is not installed:%s", h, got)
				}
			}
			for _, n := range tt.hasNot {
				if strings.Contains(got, " "+n+"==") {
					t.Errorf("%s is installed:%s", n, got)
				}
			}
		})
	}
}

// BenchmarkFromLockLookups reads a Pipfile.lock, which needs every file
// looked up on the index and every package's metadata read, against an
// index answering each call after a fixed latency. The lookups run
// concurrently, so the limit is two round trips (a project page, then its
// metadata) whatever the number of packages; the ratio is wall time over
// that limit.
func BenchmarkFromLockLookups(b *testing.B) {
	const latency = 20 * time.Millisecond
	m := newMemIndex(b, lockIndex)
	m.delay = func(string) time.Duration { return latency }
	lock, err := lockfile.Parse(lockfile.Pipenv, "Pipfile.lock", []byte(lockText(b, m, pipfileLock)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := FromLock(context.Background(), m, lock, LockOptions{Groups: []string{"dev"}}); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
	}
	b.ReportMetric(float64(wall)/float64(b.N)/float64(2*latency), "wall/limit")
	b.ReportMetric(float64(m.calls.Load())/float64(b.N), "calls")
}

// TestFromLockGitHash: a lock's git source carries the NAR hash of its
// commit's checkout, and its dependencies are read from the checkout when
// the lock records none; when the commit cannot be had, a previous run's
// pin of it gives the hash; without either it is pinned by its commit
// alone, with a warning.
func TestFromLockGitHash(t *testing.T) {
	m := newMemIndex(t, lockIndex)
	url := "https://git.example/lib.git"
	direct := "git+" + url + "@" + commit1
	text := "lock-version = \"1.0\"\ncreated-by = \"test\"\n\n[[packages]]\nname = \"idna\"\nversion = \"3.7\"\nsdist = {{file \"idna-3.7.tar.gz\"}}\n\n" +
		"[[packages]]\nname = \"lib\"\nversion = \"1.0\"\nvcs = { type = \"git\", url = \"" + url + "\", commit-id = \"" + commit1 + "\" }\n"
	repos := map[string]memRepo{url: {commits: map[string]fstest.MapFS{
		commit1: {"pyproject.toml": file("[project]\nname = \"lib\"\nversion = \"1.0\"\ndependencies = [\"idna\"]\n")},
	}}}
	pin := map[string]DirectPin{direct: {Rev: commit1, TreeHash: "sha256-pinned"}}
	const unread = "dependencies of lib are not known"
	tests := []struct {
		name     string
		git      *memGit
		pins     map[string]DirectPin
		hash     string // "" = no Source: pinned by the commit
		deps     string
		warnings []string
	}{
		{"checked out", &memGit{repos: repos}, nil, treeHash(commit1), "lib>idna", nil},
		{"checked out from the cache, offline", &memGit{repos: repos, offline: true, cached: map[string]bool{commit1: true}}, pin, treeHash(commit1), "lib>idna", nil},
		{"the previous run's pin when the commit cannot be had", &memGit{repos: repos, offline: true}, pin, "sha256-pinned", "", []string{unread}},
		{"a pin of another commit is not used", &memGit{repos: repos, offline: true}, map[string]DirectPin{direct: {Rev: commit2, TreeHash: "sha256-pinned"}}, "", "",
			[]string{unread, "lib from " + direct + " is pinned by its commit only, not by the hash of its checkout (offline: no cached copy"}},
		{"no git reader", nil, nil, "", "", []string{unread, "(no git reader was given)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := LockOptions{DirectPins: tt.pins}
			if tt.git != nil {
				opts.Git = tt.git
			}
			res, err := FromLock(context.Background(), m, parseLock(t, m, t.TempDir(), "pylock.toml", text), opts)
			if err != nil {
				t.Fatal(err)
			}
			var lib Package
			for _, p := range res.Packages {
				if p.Name == "lib" {
					lib = p
				}
			}
			switch {
			case tt.hash == "" && lib.Source != nil:
				t.Errorf("Source %+v, want none", *lib.Source)
			case tt.hash != "" && (lib.Source == nil || lib.Source.TreeHash != tt.hash || lib.Source.Rev != commit1):
				t.Errorf("Source %+v, want commit %s with hash %s", lib.Source, commit1, tt.hash)
			}
			if got := depsText(res); got != tt.deps {
				t.Errorf("dependencies %q, want %q", got, tt.deps)
			}
			warnings := strings.Join(res.Warnings, "\n")
			for _, w := range tt.warnings {
				if !strings.Contains(warnings, w) {
					t.Errorf("warnings %q lack %q", warnings, w)
				}
			}
			if len(res.Warnings) != len(tt.warnings) {
				t.Errorf("%d warnings %q, want %d", len(res.Warnings), warnings, len(tt.warnings))
			}
		})
	}
}
