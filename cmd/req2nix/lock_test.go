package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/fixtures"
)

// The lock fixtures (fixtures/locks/<format>) lock one project, lockdemo,
// in each format: flask 3.0.0 (blinker 1.7.0 on macOS, 1.8.2 elsewhere),
// requests 2.32.3 (with PySocks for the extra "socks"), a local project
// "helper" (libs/helper, needing text-unidecode), a git project "gitdep"
// (needing typing-extensions before Python 3.13) and cowsay in the group
// "dev". lockdemo below is that description, written independently of the
// locks: what each target must get.

// lockFormats are the fixture directories and their lock files.
var lockFormats = []struct{ dir, file string }{
	{"pylock", "pylock.toml"}, {"uv", "uv.lock"}, {"poetry", "poetry.lock"}, {"pipenv", "Pipfile.lock"},
}

// lockTarget is a target and a selection.
type lockTarget struct {
	platform, python string
	socks, dev       bool
}

func (tg lockTarget) args() []string {
	a := []string{"--platform", tg.platform, "--python", tg.python}
	if tg.socks {
		a = append(a, "--extra", "socks")
	}
	if tg.dev {
		a = append(a, "--group", "dev")
	}
	return a
}

// gitCommit is gitdep's commit in the fixture locks.
const gitCommit = "d97e65100d3f1fa4f19dadf10087b237946dcfc7"

// lockdemo returns name -> version of what the format installs for the
// target. pylock.toml and Pipfile.lock give no version for source trees
// (gitdep gets req2nix's placeholder; helper's is read from its
// pyproject.toml); Pipfile.lock has no extras (PySocks is always there)
// and cannot lock a name twice (blinker is 1.8.2 everywhere).
func lockdemo(format string, tg lockTarget) map[string]string {
	want := map[string]string{
		"blinker": "1.8.2", "certifi": "2024.7.4", "charset-normalizer": "3.3.2", "click": "8.1.7", "flask": "3.0.0",
		"gitdep": "1.0.0", "helper": "0.2.0", "idna": "3.7", "itsdangerous": "2.2.0", "jinja2": "3.1.4",
		"markupsafe": "2.1.5", "requests": "2.32.3", "text-unidecode": "1.3", "typing-extensions": "4.12.2",
		"urllib3": "2.2.2", "werkzeug": "3.0.3",
	}
	if format == "pylock" || format == "pipenv" {
		want["gitdep"] = "0+git." + gitCommit[:12]
	}
	if strings.HasSuffix(tg.platform, "darwin") && format != "pipenv" {
		want["blinker"] = "1.7.0"
	}
	if tg.python == "3.13" {
		delete(want, "typing-extensions")
	}
	if tg.socks || format == "pipenv" {
		want["pysocks"] = "1.7.1"
	}
	if tg.dev {
		want["cowsay"] = "6.1"
	}
	return want
}

// fixtureSHA256 is the sha256 the fixture index gives a file (see
// fixtures/index.txt).
func fixtureSHA256(filename string) string {
	h := sha256.Sum256([]byte("req2nix fixture " + filename))
	return hex.EncodeToString(h[:])
}

// lockReport is the part of the JSON report these tests read.
type lockReport struct {
	Python struct {
		Attr string `json:"attr"`
	} `json:"python"`
	Packages []struct {
		Name           string   `json:"name"`
		Version        string   `json:"version"`
		Systems        []string `json:"systems"` // absent: every system of the report
		Kind           string   `json:"kind"`
		Attr           string   `json:"attr"`
		NixpkgsVersion string   `json:"nixpkgs_version"`
		Dependencies   []string `json:"dependencies"`
		DirectURL      string   `json:"direct_url"`
		Files          []struct {
			Filename string `json:"filename"`
			SHA256   string `json:"sha256"`
		} `json:"files"`
		Source *struct {
			Hash string `json:"hash"`
		} `json:"source"`
	} `json:"packages"`
	Warnings []string `json:"warnings"`
}

// forSystem keeps the report's entries that hold on system.
func (r lockReport) forSystem(system string) lockReport {
	out := r
	out.Packages = nil
	for _, p := range r.Packages {
		if len(p.Systems) == 0 || slices.Contains(p.Systems, system) {
			out.Packages = append(out.Packages, p)
		}
	}
	return out
}

func decodeReport(t *testing.T, out string) lockReport {
	t.Helper()
	var r lockReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

// TestLockFormats reads each format's fixture through the binary for
// several targets and selections: exactly the locked versions, every file
// with the hash the index (and the lock) has, sources other than the index
// as direct references, and nothing resolved.
func TestLockFormats(t *testing.T) {
	targets := []lockTarget{
		{platform: "x86_64-linux", python: "3.12"},
		{platform: "aarch64-darwin", python: "3.12", socks: true, dev: true},
		{platform: "aarch64-linux", python: "3.13", dev: true},
	}
	for _, lf := range lockFormats {
		for _, tg := range targets {
			t.Run(lf.dir+" "+strings.Join(tg.args(), " "), func(t *testing.T) {
				if lf.dir == "pipenv" && (tg.python != "3.12" || tg.socks) {
					t.Skip("the Pipfile.lock fixture is for Python 3.12 and has no extras (TestLockRefusals)")
				}
				s := newSession(t)
				dir := filepath.Join(fixtures.Dir(), "locks", lf.dir)
				r := s.mustRun(0, args(append(tg.args(), "--format", "json", dir)...)...)
				checkLockedReport(t, decodeReport(t, r.stdout), lockdemo(lf.dir, tg), dir)
				if !strings.Contains(r.stderr, "read the lock file "+filepath.Join(dir, lf.file)+" (nothing was resolved)") {
					t.Errorf("the summary does not say the lock was read:\n%s", r.stderr)
				}
			})
		}
	}
}

// checkLockedReport checks a report against what the lock installs.
func checkLockedReport(t *testing.T, r lockReport, want map[string]string, dir string) {
	t.Helper()
	got := map[string]string{}
	for _, p := range r.Packages {
		got[p.Name] = p.Version
		for _, f := range p.Files {
			if f.SHA256 != fixtureSHA256(f.Filename) {
				t.Errorf("%s: %s has sha256 %s, not the lock's %s", p.Name, f.Filename, f.SHA256, fixtureSHA256(f.Filename))
			}
		}
		switch p.Name {
		case "gitdep":
			if p.DirectURL != "git+https://github.com/example/gitdep.git@"+gitCommit {
				t.Errorf("gitdep comes from %q, not the locked commit", p.DirectURL)
			}
		case "helper":
			if p.DirectURL != "file://"+filepath.ToSlash(filepath.Join(dir, "libs", "helper")) {
				t.Errorf("helper comes from %q, not the locked directory", p.DirectURL)
			}
		default:
			if p.DirectURL != "" || len(p.Files) == 0 {
				t.Errorf("%s: direct URL %q, %d files; want files from the index", p.Name, p.DirectURL, len(p.Files))
			}
		}
	}
	if fmtVersions(got) != fmtVersions(want) {
		t.Errorf("installs\n  %s\nwant exactly\n  %s", fmtVersions(got), fmtVersions(want))
	}
}

func fmtVersions(m map[string]string) string {
	var parts []string
	for n, v := range m {
		parts = append(parts, n+"=="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// copyDir copies a fixture directory into a fresh one, so that a test may
// write beside it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestLockRefusals: a stale lock, a tampered hash, a target or selection
// the lock does not support, and flags that do not apply are input errors
// (exit 2) that say what to do, and nothing is written.
func TestLockRefusals(t *testing.T) {
	tampered := strings.Repeat("0", 64)
	tests := []struct {
		name   string
		dir    string
		edit   func(t *testing.T, dir string)
		flags  []string
		input  string
		output string // -o (default shell.nix)
		wants  []string
		status int
	}{
		{name: "uv stale", dir: "uv", edit: replaceIn("pyproject.toml", `    "gitdep",`, `    "gitdep",`+"\n"+`    "tinyhtml>=1",`),
			wants: []string{"pyproject.toml:12: tinyhtml>=1 is declared but", "uv.lock does not lock it", "run `uv lock` to refresh it"}},
		{name: "poetry stale", dir: "poetry", edit: replaceIn("pyproject.toml", `cowsay = "^6"`, `cowsay = "^6"`+"\nslugify-lite = \"*\""), flags: []string{"--group", "dev"},
			wants: []string{"pyproject.toml:24: slugify-lite is declared but", "`poetry lock`"}},
		{name: "pipenv stale", dir: "pipenv", edit: replaceIn("Pipfile", `flask = ">=3"`, `flask = ">=3.1"`),
			wants: []string{"Pipfile:7: flask>=3.1 is declared but", "Pipfile.lock locks flask 3.0.0", "`pipenv lock`"}},
		{name: "pylock stale", dir: "pylock", edit: replaceIn("pyproject.toml", `dev = ["cowsay>=6"]`, `dev = ["cowsay>=6", "tinyhtml"]`), flags: []string{"--group", "dev"},
			wants: []string{"pyproject.toml:18: tinyhtml is declared but", "req2nix-fixtures (its created-by) to rewrite"}},
		{name: "poetry tampered hash", dir: "poetry", edit: replaceIn("poetry.lock", fixtureSHA256("idna-3.7.tar.gz"), tampered),
			wants: []string{"poetry.lock:", "idna 3.7: the lock's hash sha256:" + tampered + " for idna-3.7.tar.gz matches no file the index", "tampered"}},
		{name: "pipenv tampered hash", dir: "pipenv", edit: replaceIn("Pipfile.lock", fixtureSHA256("werkzeug-3.0.3-py3-none-any.whl"), tampered),
			wants: []string{"Pipfile.lock:", "werkzeug 3.0.3: the lock's hash sha256:" + tampered, "`pipenv lock`"}},
		{name: "pipenv python", dir: "pipenv", flags: []string{"--python", "3.13"},
			wants: []string{`--python 3.13: python313 3.13.15 does not satisfy the project's requires-python "==3.12.*"`}},
		{name: "pipenv has no extras", dir: "pipenv", flags: []string{"--extra", "socks"},
			wants: []string{`extra "socks" is not in the lock; it has none`}},
		{name: "unknown group", dir: "uv", flags: []string{"--group", "docs"},
			wants: []string{`uv.lock: dependency group "docs" is not in the lock; it has dev`}},
		{name: "upgrade", dir: "uv", flags: []string{"-P", "flask"},
			wants: []string{"--upgrade and -P do not apply to", "a lock fixes the versions"}},
		{name: "lock and another input", dir: "uv", input: "uv.lock pyproject.toml",
			wants: []string{"uv.lock is a lock file (or holds one), which is read alone, and 2 inputs were given"}},
		{name: "two named pylocks", dir: "pylock", edit: func(t *testing.T, dir string) {
			lock := readFileT(t, filepath.Join(dir, "pylock.toml"))
			writeFile(t, filepath.Join(dir, "pylock.a.toml"), lock)
			writeFile(t, filepath.Join(dir, "pylock.b.toml"), lock)
			if err := os.Remove(filepath.Join(dir, "pylock.toml")); err != nil {
				t.Fatal(err)
			}
		}, wants: []string{"several lock files (pylock.a.toml, pylock.b.toml) and no pylock.toml; name the one to read"}},
		{name: "output is the lock", dir: "uv", output: "uv.lock", wants: []string{"-o uv.lock is also an input", "choose another output file"}},
		{name: "output is the lock's project", dir: "poetry", output: "pyproject.toml", wants: []string{"-o pyproject.toml is also an input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			s.dir = copyDir(t, filepath.Join(fixtures.Dir(), "locks", tt.dir))
			if tt.edit != nil {
				tt.edit(t, s.dir)
			}
			inputs := []string{"."}
			if tt.input != "" {
				inputs = strings.Fields(tt.input)
			}
			output := cmp.Or(tt.output, "shell.nix")
			before, _ := os.ReadFile(filepath.Join(s.dir, output))
			r := s.mustRun(exitUsage, args(append(append(tt.flags, "-o", output), inputs...)...)...)
			for _, w := range tt.wants {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if after, _ := os.ReadFile(filepath.Join(s.dir, output)); !bytes.Equal(before, after) {
				t.Errorf("%s was written despite the error", output)
			}
		})
	}
}

// TestLockSummaryNotes: the summary says which lock was read, that it wins
// over the project files beside it, and which other locks it left.
func TestLockSummaryNotes(t *testing.T) {
	s := newSession(t)
	s.dir = copyDir(t, filepath.Join(fixtures.Dir(), "locks", "uv"))
	writeFile(t, filepath.Join(s.dir, "poetry.lock"), readFileT(t, filepath.Join(fixtures.Dir(), "locks", "poetry", "poetry.lock")))
	r := s.mustRun(0, args("-o", "shell.nix", ".")...)
	wantAll(t, "the summary", r.stderr,
		"read the lock file uv.lock (nothing was resolved)",
		"a lock wins over the pyproject.toml beside it (name one of them to resolve it instead)",
		"poetry.lock is also there and was not read")
}

// replaceIn edits a file: replaces old by new (and checks it was there).
func replaceIn(name, old, new string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, name)
		text := readFileT(t, path)
		if !strings.Contains(text, old) {
			t.Fatalf("%s has no %q", name, old)
		}
		writeFile(t, path, strings.Replace(text, old, new, 1))
	}
}

func readFileT(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLockRerunAndCheck: re-running on an unchanged lock rewrites nothing;
// --check passes, and fails with a diff once the lock changes.
func TestLockRerunAndCheck(t *testing.T) {
	s := newSession(t)
	s.dir = copyDir(t, filepath.Join(fixtures.Dir(), "locks", "uv"))
	s.mustRun(0, args("-o", "shell.nix", ".")...)
	first := s.read("shell.nix")
	st1, _ := os.Stat(filepath.Join(s.dir, "shell.nix"))
	s.mustRun(0, args("-o", "shell.nix", ".")...)
	st2, _ := os.Stat(filepath.Join(s.dir, "shell.nix"))
	if s.read("shell.nix") != first || !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("a re-run on the same lock rewrote shell.nix")
	}
	s.mustRun(0, args("--check", "-o", "shell.nix", ".")...)

	replaceIn("uv.lock", "name = \"idna\"\nversion = \"3.7\"", "name = \"idna\"\nversion = \"3.6\"")(t, s.dir)
	lock := readFileT(t, filepath.Join(s.dir, "uv.lock"))
	lock = strings.ReplaceAll(lock, "idna-3.7", "idna-3.6")
	lock = strings.ReplaceAll(lock, fixtureSHA256("idna-3.7.tar.gz"), fixtureSHA256("idna-3.6.tar.gz"))
	lock = strings.ReplaceAll(lock, fixtureSHA256("idna-3.7-py3-none-any.whl"), fixtureSHA256("idna-3.6-py3-none-any.whl"))
	writeFile(t, filepath.Join(s.dir, "uv.lock"), lock)
	r := s.mustRun(1, args("--check", "-o", "shell.nix", ".")...)
	if !strings.Contains(r.stdout, "+# req2nix-lock: idna==3.6") || !strings.Contains(r.stdout, "-# req2nix-lock: idna==3.7") {
		t.Errorf("--check after the lock changed printed no useful diff:\n%s", r.stdout)
	}
}

// TestPreCommitHookFiles: the hooks fire on lock files and the project
// files beside them, as well as on requirements.
func TestPreCommitHookFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "files: "); ok {
			patterns = append(patterns, strings.Trim(v, "'"))
		}
	}
	if len(patterns) != 2 {
		t.Fatalf("found %d files: patterns, want one per hook", len(patterns))
	}
	fire := []string{"requirements.txt", "requirements-dev.txt", "constraints.txt", "pyproject.toml", "sub/pyproject.toml",
		"uv.lock", "poetry.lock", "Pipfile.lock", "Pipfile", "pylock.toml", "pylock.dev.toml", "app/uv.lock"}
	quiet := []string{"README.md", "shell.nix", "pylock.a.b.toml", "uv.lock.bak", "notpoetry.lock", "setup.py"}
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		for _, f := range fire {
			if !re.MatchString(f) {
				t.Errorf("pattern %s does not fire on %s", p, f)
			}
		}
		for _, f := range quiet {
			if re.MatchString(f) {
				t.Errorf("pattern %s fires on %s", p, f)
			}
		}
	}
	if !slices.Equal(patterns[:1], patterns[1:]) {
		t.Errorf("the two hooks watch different files: %q", patterns)
	}
}

// TestLockGoldens keeps the shell.nix and the JSON report of each fixture
// lock (fixtures/locks/<format>/golden; go test ./cmd/req2nix -update
// rewrites them), so that a change in what a lock becomes is reviewed.
func TestLockGoldens(t *testing.T) {
	for _, lf := range lockFormats {
		for format, file := range map[string]string{"shell": "shell.nix", "json": "report.json"} {
			t.Run(lf.dir+"/"+format, func(t *testing.T) {
				s := newSession(t)
				s.dir = filepath.Join(fixtures.Dir(), "locks", lf.dir)
				r := s.mustRun(0, args("--group", "dev", "--format", format, ".")...)
				checkGolden(t, filepath.Join(s.dir, "golden", file), portable(r.stdout))
			})
		}
	}
}

// TestLockIndexUse: pylock.toml and uv.lock give every URL, hash and
// dependency, so they need no index at all; poetry.lock and Pipfile.lock
// find their files on it, and say which package and index failed.
func TestLockIndexUse(t *testing.T) {
	srv := newFixtureServer(t, 0)
	srv.Close() // every request fails
	for _, lf := range lockFormats {
		t.Run(lf.dir, func(t *testing.T) {
			s := newSession(t)
			r := s.run(serverArgs(srv.URL, "--format", "json", filepath.Join(fixtures.Dir(), "locks", lf.dir))...)
			switch lf.dir {
			case "pylock", "uv":
				if r.code != 0 {
					t.Fatalf("exit %d without an index:\n%s", r.code, r.stderr)
				}
			default:
				if r.code != exitFailure || !strings.Contains(r.stderr, srv.URL) || !strings.Contains(r.stderr, "(locked in ") {
					t.Errorf("exit %d; want 1 naming the package and the index:\n%s", r.code, r.stderr)
				}
			}
		})
	}
}
