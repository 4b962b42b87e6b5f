package lockfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// declaredText writes a project's declarations as "name@line" words.
func declaredText(p *Project) string {
	if p == nil {
		return "<none>"
	}
	var parts []string
	for _, r := range p.Declared {
		s := r.Name
		if !r.Specifiers.IsEmpty() {
			s += r.Specifiers.String()
		}
		if r.URL != "" {
			s += "@url"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", s, r.Source.Line))
	}
	return strings.Join(parts, " ")
}

// TestLoadFixtures reads the fixture locks of fixtures/locks with the
// project file beside each, for a selection: what the project declares
// (with its lines) and, for poetry.lock, the roots it gives the lock.
func TestLoadFixtures(t *testing.T) {
	all := reqfile.Selection{Extras: []string{"socks"}, Groups: []string{"dev"}}
	tests := []struct {
		dir, file string
		sel       reqfile.Selection
		declared  string
		roots     string
		extras    string
		groups    string
	}{
		{dir: "pylock", file: "pylock.toml", sel: all,
			declared: "flask>=3:6 requests>=2.31:7 blinker==1.7.0:8 blinker>=1.8:9 helper:10 gitdep:11 requests:15 cowsay>=6:18",
			extras:   "socks", groups: "dev"},
		{dir: "uv", file: "uv.lock", sel: reqfile.Selection{},
			declared: "flask>=3:6 requests>=2.31:7 blinker==1.7.0:8 blinker>=1.8:9 helper:10 gitdep:11",
			roots:    `blinker@1.7.0;sys_platform == "darwin",blinker@1.8.2;sys_platform != "darwin",flask,gitdep,helper,requests,requests[socks]|extra=socks,cowsay|group=dev`,
			extras:   "socks", groups: "dev"},
		{dir: "poetry", file: "poetry.lock", sel: all,
			declared: "flask<4.0,>=3.0:9 requests<3.0,>=2.31:10 blinker==1.7.0:12 blinker>=1.8:13 helper@url:16 gitdep@url:17 pysocks>=1.5.6:15 cowsay<7,>=6:23",
			roots:    `flask<4.0,>=3.0,requests<3.0,>=2.31,blinker==1.7.0;sys_platform == "darwin",blinker>=1.8;sys_platform != "darwin",helper,gitdep,pysocks>=1.5.6,cowsay<7,>=6`},
		{dir: "pipenv", file: "Pipfile.lock", sel: all,
			declared: "blinker:9 flask>=3:7 gitdep@url:11 helper@url:10 requests>=2.31:8 cowsay>=6:14",
			groups:   "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			lock, err := Load(filepath.Join(fixtures.Dir(), "locks", tt.dir, tt.file), tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := declaredText(lock.Project); got != tt.declared {
				t.Errorf("declared\n  %s\nwant\n  %s", got, tt.declared)
			}
			if got := depNames(lock.Roots); got != tt.roots {
				t.Errorf("roots\n  %s\nwant\n  %s", got, tt.roots)
			}
			if got := strings.Join(lock.Extras, ","); got != tt.extras {
				t.Errorf("extras %q, want %q", got, tt.extras)
			}
			if got := strings.Join(lock.Groups, ","); got != tt.groups {
				t.Errorf("groups %q, want %q", got, tt.groups)
			}
		})
	}
}

// TestLoadErrors: a poetry.lock without its pyproject.toml, a project
// file that does not parse, a name that is not a lock.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		files map[string]string
		load  string
		want  string
	}{
		{map[string]string{"poetry.lock": "[metadata]\nlock-version = \"2.1\"\n"}, "poetry.lock", "is read with the pyproject.toml beside it"},
		{map[string]string{"uv.lock": "version = 1\n", "pyproject.toml": "[project\n"}, "uv.lock", "pyproject.toml:1"},
		{map[string]string{"Pipfile.lock": `{"_meta": {}}`, "Pipfile": "[packages]\nflask = 3\n"}, "Pipfile.lock", "Pipfile:2: flask: an entry is a version string or a table"},
		{map[string]string{"Pipfile.lock": `{"_meta": {}}`, "Pipfile": "[packages]\nflask = \">>3\"\n"}, "Pipfile.lock", `Pipfile:2: flask: version ">>3"`},
		{map[string]string{"requirements.txt": ""}, "requirements.txt", "not a lock file name"},
		{map[string]string{}, "uv.lock", "uv.lock: cannot read it"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(filepath.Join(dir, tt.load), reqfile.Selection{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load: %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestPipfileSelection: [packages] always, [dev-packages] for --group dev
// (or develop), custom categories by name; marker keys join the markers.
func TestPipfileSelection(t *testing.T) {
	dir := t.TempDir()
	pipfile := "[packages]\na = {version = \"*\", sys_platform = \"== 'linux'\", markers = \"python_version >= '3.8'\"}\n\n[dev-packages]\nb = \"==1\"\n\n[docs]\nc = \"*\"\n\n[scripts]\nx = \"y\"\n"
	for name, text := range map[string]string{"Pipfile": pipfile, "Pipfile.lock": `{"_meta": {}}`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for groups, want := range map[string]string{"": "a", "dev": "a b", "develop": "a b", "docs": "a c", "dev,docs": "a b c"} {
		sel := reqfile.Selection{}
		if groups != "" {
			sel.Groups = strings.Split(groups, ",")
		}
		lock, err := Load(filepath.Join(dir, "Pipfile.lock"), sel)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range lock.Project.Declared {
			names = append(names, r.Name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("groups %q: declared %q, want %q", groups, got, want)
		}
		if got := lock.Project.Declared[0].Marker.String(); got != `python_version >= "3.8" and sys_platform == "linux"` {
			t.Errorf("marker %q", got)
		}
		if got := strings.Join(lock.Project.Groups, ","); got != "dev,docs" {
			t.Errorf("project groups %q, want dev,docs", got)
		}
	}
}

// TestSharedSamples reads the real lock files of ../shared/lockfiles (each
// with the project file beside it) and checks what their README says of
// them: package counts, forks, sources.
func TestSharedSamples(t *testing.T) {
	dir := filepath.Join(fixtures.SharedDir(), "lockfiles")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/lockfiles is absent: %v", err)
	}
	tests := []struct {
		path     string
		packages int
		check    func(*Lock) string
	}{
		{"pep751-example/pylock.toml", 3, func(l *Lock) string { return fmt.Sprint(len(l.Environments), " environments") }},
		{"pylock-spectree-uv/pylock.toml", 71, func(l *Lock) string { return "created-by " + l.CreatedBy }},
		{"pylock-h11-pdm/pylock.toml", 21, func(l *Lock) string { return "defaults " + strings.Join(l.DefaultGroups, ",") }},
		{"pylock-pipenv/pylock.toml", 103, func(l *Lock) string { return "groups " + strings.Join(l.Groups, ",") }},
		{"uv-mohtml/uv.lock", 26, func(l *Lock) string { return countSelf(l) }},
		{"uv-jinja/uv.lock", 72, func(l *Lock) string { return countName(l, "sphinx") }},
		{"uv-drawdata/uv.lock", 46, func(l *Lock) string { return countName(l, "numpy") + " " + countName(l, "pandas") }},
		{"poetry-rich/poetry.lock", 49, func(l *Lock) string { return fmt.Sprint(len(l.Roots), " roots") }},
		{"poetry-langchain-aws/poetry.lock", 48, func(l *Lock) string { return countKind(l, FromGit) }},
		{"pipfile-pipenv/Pipfile.lock", 110, func(l *Lock) string { return "groups " + strings.Join(l.Groups, ",") }},
		{"pipfile-black/Pipfile.lock", 112, func(l *Lock) string { return countKind(l, FromDirectory) }},
	}
	want := map[string]string{
		"pep751-example/pylock.toml":       "2 environments",
		"pylock-spectree-uv/pylock.toml":   "created-by uv",
		"pylock-h11-pdm/pylock.toml":       "defaults default",
		"pylock-pipenv/pylock.toml":        "groups dev",
		"uv-mohtml/uv.lock":                "1 self",
		"uv-jinja/uv.lock":                 "sphinx ×2",
		"uv-drawdata/uv.lock":              "numpy ×2 pandas ×2",
		"poetry-rich/poetry.lock":          "2 roots",
		"poetry-langchain-aws/poetry.lock": "2 git",
		"pipfile-pipenv/Pipfile.lock":      "groups dev",
		"pipfile-black/Pipfile.lock":       "1 directory",
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			lock, err := Load(filepath.Join(dir, tt.path), reqfile.Selection{})
			if err != nil {
				t.Fatal(err)
			}
			if len(lock.Packages) != tt.packages {
				t.Errorf("%d packages, want %d", len(lock.Packages), tt.packages)
			}
			if got := tt.check(lock); got != want[tt.path] {
				t.Errorf("%s, want %s", got, want[tt.path])
			}
		})
	}
}

func countSelf(l *Lock) string {
	n := 0
	for _, p := range l.Packages {
		if p.Self {
			n++
		}
	}
	return fmt.Sprint(n, " self")
}

func countName(l *Lock, name string) string {
	n := 0
	for _, p := range l.Packages {
		if p.Name == name {
			n++
		}
	}
	return fmt.Sprintf("%s ×%d", name, n)
}

func countKind(l *Lock, kind SourceKind) string {
	n := 0
	for _, p := range l.Packages {
		if p.Source.Kind == kind {
			n++
		}
	}
	return fmt.Sprint(n, " ", kind)
}
