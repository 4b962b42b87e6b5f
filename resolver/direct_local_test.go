package resolver

import (
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// TestParseSetupCfg follows configparser's rules as setuptools uses them.
func TestParseSetupCfg(t *testing.T) {
	tests := []struct {
		name, body string
		want       *metaSource
	}{
		{"neither [metadata] nor [options]", "[tool:pytest]\nx = 1\n", nil},
		{"static, colon separators, comments", "; c\n[metadata]\nname: p\nversion = 1.0\n[options]\ninstall_requires =\n  a>=1 # why\n  # skip\n  b ; python_version<'3.8'\npython_requires = >=3.8\n",
			&metaSource{file: "setup.cfg", name: "p", version: "1.0", requiresPython: ">=3.8", deps: []string{"a>=1", "b ; python_version<'3.8'"}, extras: map[string][]string{},
				state: map[string]fieldState{"version": given, "requires-python": given, "dependencies": given}}},
		{"attr: version, file: requirements", "[metadata]\nname = p\nversion = attr: p.v\n[options]\ninstall_requires = file: req.txt\n",
			&metaSource{file: "setup.cfg", name: "p", extras: map[string][]string{},
				state: map[string]fieldState{"version": computed, "requires-python": absent, "dependencies": computed}}},
		{"options without a name (setup.py names it)", "[options]\ninstall_requires = a\n[options.extras_require]\nFast =\n  c\n  d; os_name == 'nt'\nslow = file: slow.txt\n",
			&metaSource{file: "setup.cfg", deps: []string{"a"}, extras: map[string][]string{"fast": {"c", "d; os_name == 'nt'"}},
				state: map[string]fieldState{"version": absent, "requires-python": absent, "dependencies": given, "optional-dependencies": computed}}},
	}
	for _, tt := range tests {
		got := parseSetupCfg([]byte(tt.body))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestReadProjectTree: the files of a source tree combine as setuptools
// combines them — a [project] table's static fields are final, its dynamic
// ones and every field without one come from setup.py's literal setup()
// arguments, else setup.cfg — and what stays unknown is said, with what
// setup.py could not tell.
func TestReadProjectTree(t *testing.T) {
	const setupPy = "from setuptools import setup\nsetup(name='p', version=get_version(), install_requires=['a', other], extras_require={'x': ['b']}, python_requires='>=3.9')\n"
	tests := []struct {
		name  string
		files map[string]string
		want  localProject // file is compared; requiresDist too
	}{
		{"[project] only", map[string]string{"pyproject.toml": "[project]\nname = \"p\"\nversion = \"1\"\ndependencies = [\"a\"]\n[project.optional-dependencies]\nX = [\"b; os_name == 'nt'\"]\n"},
			localProject{file: "/p/pyproject.toml", name: "p", version: "1", requiresDist: []string{"a", `b ; (os_name == "nt") and extra == "x"`}, extras: []string{"x"}}},
		{"[project] with dynamic fields from setup.py", map[string]string{
			"pyproject.toml": "[project]\nname = \"p\"\ndynamic = [\"version\", \"dependencies\"]\nrequires-python = \">=3.10\"\n",
			"setup.py":       setupPy},
			localProject{file: "/p (pyproject.toml and setup.py)", name: "p", requiresPython: ">=3.10", requiresDist: []string{"a"},
				unknown: []string{"dependencies", "version"},
				notes:   []string{"install_requires: item 2, other, is not assigned in setup.py", "version = get_version() is computed"}}},
		{"[project] dynamic, nothing else declares it", map[string]string{"pyproject.toml": "[project]\nname = \"p\"\ndynamic = [\"version\"]\n"},
			localProject{file: "/p/pyproject.toml", name: "p", unknown: []string{"version"}}},
		{"setup.py alone (aws-cli, jax)", map[string]string{"setup.py": setupPy},
			localProject{file: "/p/setup.py", name: "p", requiresPython: ">=3.9", requiresDist: []string{"a", `b ; extra == "x"`}, extras: []string{"x"},
				unknown: []string{"dependencies", "version"},
				notes:   []string{"install_requires: item 2, other, is not assigned in setup.py", "version = get_version() is computed"}}},
		{"setup.cfg, setup.py given what setup.cfg lacks", map[string]string{
			"setup.cfg": "[metadata]\nname = p\nversion = 2.0\n[options]\ninstall_requires = cfgdep\n",
			"setup.py":  "from setuptools import setup\nsetup(install_requires=['pydep'])\n"},
			localProject{file: "/p (setup.cfg and setup.py)", name: "p", version: "2.0", requiresDist: []string{"pydep"}}},
		{"setup.cfg with setup(**computed)", map[string]string{
			"setup.cfg": "[metadata]\nname = p\nversion = 2.0\n",
			"setup.py":  "from setuptools import setup\nfrom conf import kw\nsetup(**kw)\n"},
			localProject{file: "/p (setup.cfg and setup.py)", name: "p", version: "2.0", unknown: []string{"dependencies", "optional-dependencies", "requires-python"},
				notes: []string{"setup(**kw): is imported or computed, so any keyword may come from it"}}},
		{"setup.py that cannot be read", map[string]string{"setup.py": "import os\nos.system('setup')\n"},
			localProject{file: "/p/setup.py", unknown: slicesOf(metaFields), notes: []string{"no setup() call"}}},
		{"nothing static", map[string]string{"README": "x"},
			localProject{file: "/p", unknown: slicesOf(metaFields)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range tt.files {
				files[k] = []byte(v)
			}
			got, err := readProjectTree(mapTree(files, "/p"))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
			}
		})
	}
}

func slicesOf(s []string) []string { return append([]string(nil), s...) }

// FuzzLocalProject: pyproject.toml, setup.cfg and setup.py text never
// panics, and what is read is valid core metadata: every Requires-Dist
// parses, a field both known and unknown is only a partly known one.
func FuzzLocalProject(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, cfg bool) {
		name := "pyproject.toml"
		if cfg {
			name = "setup.cfg"
		}
		if strings.Contains(string(body), "setup(") {
			name = "setup.py"
		}
		lp, err := readProjectTree(mapTree(map[string][]byte{name: body}, "/p"))
		if err != nil {
			return
		}
		for _, r := range lp.requiresDist {
			if _, err := pep508.ParseRequirement(r); err != nil {
				t.Errorf("Requires-Dist %q does not parse: %v", r, err)
			}
		}
		for _, u := range lp.unknown {
			if u == "version" && lp.version != "" {
				t.Errorf("version %q is both known and unknown", lp.version)
			}
		}
	})
}
