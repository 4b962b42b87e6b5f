package reqfile

import (
	"testing"
)

// pyprojectTests read "pyproject.toml" with a selection; they follow PEP
// 621, PEP 735 and poetry-core's Factory in that order.
var pyprojectTests = []struct {
	name    string
	toml    string
	files   map[string]string // more files beside pyproject.toml
	sel     Selection
	want    []string
	wantErr string
}{
	// PEP 621 [project].
	{name: "project", toml: `
[build-system]
requires = ["setuptools>=61", "wheel"]

[project]
name = "My.Project"
requires-python = ">=3.9"
dependencies = [
  "requests>=2",
  'tomli; python_version < "3.11"',
]
`, want: []string{
		"req pyproject.toml:9 requests>=2",
		`req pyproject.toml:10 tomli; python_version < "3.11"`,
		"build pyproject.toml:3 setuptools>=61",
		"build pyproject.toml:3 wheel",
		"requires-python >=3.9 (pyproject.toml:7)",
		"project My.Project"}},
	{name: "selected extras, names normalised", sel: Selection{Extras: []string{"Dev_Tools"}}, toml: `
[project]
name = "p"
dependencies = ["a"]
[project.optional-dependencies]
dev-tools = ["b"]
docs = ["c"]
`, want: []string{"req pyproject.toml:4 a", "req pyproject.toml:6 b", "project p"}},
	{name: "all extras in file order", sel: Selection{AllExtras: true}, toml: `
[project]
name = "p"
optional-dependencies.z = ["z1"]
optional-dependencies.a = ["a1"]
`, want: []string{"req pyproject.toml:4 z1", "req pyproject.toml:5 a1", "project p"}},
	{name: "unknown extra", sel: Selection{Extras: []string{"nope"}}, toml: `
[project]
name = "p"
[project.optional-dependencies]
test = ["pytest"]
docs = ["sphinx"]
`, wantErr: `pyproject.toml: unknown extra "nope"; defined extras: test, docs`},
	{name: "extras naming the project itself", sel: Selection{Extras: []string{"all"}}, toml: `
[project]
name = "Proj"
[project.optional-dependencies]
test = ["pytest"]
docs = ["sphinx"]
all = ["proj[test,docs]", "proj[all]", "extra-tool"]
`, want: []string{"req pyproject.toml:5 pytest", "req pyproject.toml:6 sphinx", "req pyproject.toml:7 extra-tool", "project Proj"}},
	{name: "dynamic dependencies", toml: `
[project]
name = "p"
dynamic = ["dependencies", "version"]
`, want: []string{"project p", "warning pyproject.toml:4: [project] dependencies are dynamic (computed by the build backend) and are not read; list them in [project] dependencies or a requirements file"}},
	{name: "invalid requirement names its line", toml: `
[project]
name = "p"
dependencies = [
  "ok",
  "bad=1",
]`, wantErr: `pyproject.toml:6: invalid requirement "bad=1": Expected semicolon (after name with no version specifier) or end; = is not a valid operator: did you mean ==?`},
	{name: "invalid requires-python", toml: "[project]\nrequires-python = \">=3.x\"\n",
		wantErr: `pyproject.toml:2: invalid project.requires-python ">=3.x": invalid specifier ">=3.x": invalid version "3.x": unexpected "." at offset 1 (after "3"); write PEP 440 specifiers such as ">=3.9"`},
	{name: "dependencies must be a list", toml: "[project]\ndependencies = \"requests\"\n",
		wantErr: `pyproject.toml:2: project.dependencies must be a list of strings; write ["...", ...]`},
	{name: "list element must be a string", toml: "[project]\ndependencies = [\"a\",\n 3]\n",
		wantErr: `pyproject.toml:3: project.dependencies must be a list of strings; quote element 2`},
	{name: "project must be a table", toml: "project = 1\n",
		wantErr: `pyproject.toml:1: project must be a table; see the pyproject.toml specification`},
	{name: "TOML syntax error", toml: "[project]\nname = \"p\n",
		wantErr: "pyproject.toml:2:10: invalid TOML: basic strings cannot have new lines; fix the syntax"},

	// PEP 735 [dependency-groups].
	{name: "groups with includes", sel: Selection{Groups: []string{"Test"}}, toml: `
[dependency-groups]
lint = ["ruff"]
test = ["pytest", {include-group = "Lint"}, "coverage"]
docs = ["sphinx"]
`, want: []string{"req pyproject.toml:4 pytest", "req pyproject.toml:3 ruff", "req pyproject.toml:4 coverage"}},
	{name: "each group once", sel: Selection{Groups: []string{"a", "b"}}, toml: `
[dependency-groups]
a = [{include-group = "b"}]
b = ["x"]
`, want: []string{"req pyproject.toml:4 x"}},
	{name: "group cycle", sel: Selection{Groups: []string{"a"}}, toml: `
[dependency-groups]
a = [{include-group = "b"}]
b = ["x", {include-group = "A"}]
`, wantErr: "pyproject.toml:4: dependency group cycle a -> b -> a; remove one of these inclusions"},
	{name: "unknown group", sel: Selection{Groups: []string{"dev"}}, toml: "[dependency-groups]\ntest = []\nlint = []\n",
		wantErr: `pyproject.toml: unknown dependency group "dev"; defined groups: test, lint`},
	{name: "unknown included group", sel: Selection{Groups: []string{"test"}}, toml: "[dependency-groups]\ntest = [{include-group = \"nope\"}]\n",
		wantErr: `pyproject.toml:2: group "test" includes unknown group "nope"; defined groups: test`},
	{name: "duplicate group names", toml: "[dependency-groups]\nTest = []\ntest = []\n",
		wantErr: `pyproject.toml:3: duplicate dependency group test (spelled "Test" and "test"); merge them`},
	{name: "invalid group entry", sel: Selection{Groups: []string{"g"}}, toml: "[dependency-groups]\ng = [{include = \"x\"}]\n",
		wantErr: `pyproject.toml:2: dependency-groups.g[0] must be a requirement string or {include-group = "name"}`},

	// Poetry.
	{name: "poetry dependencies", toml: `
[tool.poetry]
name = "poet"
[tool.poetry.dependencies]
python = "^3.8"
requests = "^2.28"
tomli = { version = "^2.0.1", python = "<3.11", allow-prereleases = true }
cleo = { git = "https://github.com/python-poetry/cleo.git", branch = "master" }
pendulum = { version = "^2.1.2", optional = true }
my-lib = { path = "libs/my-lib", develop = true }
wheel-url = { url = "https://h/w-1.0.tar.gz", subdirectory = "sub" }
pathlib2 = { version = "^2.2", markers = "sys_platform == 'win32'", platform = "win32", extras = ["x"] }
`, want: []string{
		"req pyproject.toml:6 requests<3.0,>=2.28",
		`req pyproject.toml:7 tomli<3.0.0,>=2.0.1; python_version < "3.11" allow-prereleases`,
		"req pyproject.toml:8 cleo @ git+https://github.com/python-poetry/cleo.git@master",
		"req pyproject.toml:10 my-lib @ file://$DIR/libs/my-lib editable",
		"req pyproject.toml:11 wheel-url @ https://h/w-1.0.tar.gz#subdirectory=sub",
		`req pyproject.toml:12 pathlib2[x]<3.0,>=2.2; sys_platform == "win32" and sys_platform == "win32"`,
		"requires-python >=3.8,<4.0 (pyproject.toml:5)",
		"project poet"}},
	{name: "poetry extras select optional dependencies", sel: Selection{Extras: []string{"DB"}}, toml: `
[tool.poetry.dependencies]
pendulum = { version = "^2.1.2", optional = true }
psycopg = { version = "^3", optional = true }
[tool.poetry.extras]
db = ["psycopg"]
`, want: []string{"req pyproject.toml:4 psycopg<4,>=3"}},
	{name: "poetry multiple constraints", toml: `
[tool.poetry.dependencies]
foo = [
  { version = "<=1.9", python = ">=3.6,<3.8" },
  { version = "^2.0", python = ">=3.8" },
]
`, want: []string{
		`req pyproject.toml:4 foo<=1.9; python_version >= "3.6" and python_version < "3.8"`,
		`req pyproject.toml:5 foo<3.0,>=2.0; python_version >= "3.8"`}},
	{name: "poetry git forms", toml: `
[tool.poetry.dependencies]
a = { git = "git@github.com:o/a.git", tag = "v1" }
b = { git = "https://h/b.git", rev = "abc123", subdirectory = "pkg" }
`, want: []string{"req pyproject.toml:3 a @ git+ssh://git@github.com/o/a.git@v1", "req pyproject.toml:4 b @ git+https://h/b.git@abc123#subdirectory=pkg"}},
	{name: "poetry source and unknown keys", toml: `
[tool.poetry.dependencies]
a = { version = "1.0", source = "internal", colour = "blue" }
`, want: []string{"req pyproject.toml:3 a==1.0",
		`warning pyproject.toml:3: unknown key "colour" in dependency a is ignored`,
		`warning pyproject.toml:3: source = "internal" of a has no effect in req2nix; give the index with --index-url`}},
	{name: "poetry package sources", toml: `
[[tool.poetry.source]]
name = "internal"
url = "https://pypi.internal/simple/"
priority = "primary"
`, want: []string{`warning pyproject.toml:2: package source "internal" (https://pypi.internal/simple/) is not used by req2nix; pass its URL with --index-url or --extra-index-url`}},
	{name: "poetry union", toml: "[tool.poetry.dependencies]\npython = \"^3.8\"\n\ndjango = \"^3.2 || ^4.0\"\nwerkzeug = { version = \"^1.0 || ^3.0\", python = \"~3.8 || ^3.10\" }\n",
		want: []string{"req pyproject.toml:4 django<5.0,>=3.2", `req pyproject.toml:5 werkzeug!=2.*,<4.0,>=1.0; python_version >= "3.8" and python_version < "4.0" and python_version != "3.9.*"`, "requires-python >=3.8,<4.0 (pyproject.toml:2)"}},
	{name: "poetry union no specifier set expresses", toml: "[tool.poetry.dependencies]\nfoo = \"1.0 || 2.0\"\n",
		wantErr: `pyproject.toml:2: version constraint "1.0 || 2.0" is a union (||) that no PEP 440 specifier set can express (the gap after <=1.0 starts inside the versions of a release); write the versions it should allow as one range`},
	// A Python union is one specifier set where it can be (Poetry's
	// "skip 3.9.7" and the classic "^2.7 || ^3.5").
	{name: "poetry python union of ranges", toml: "[tool.poetry.dependencies]\npython = \">=3.8,<3.9.7 || >3.9.7,<4.0\"\n",
		want: []string{"requires-python >=3.8,<4.0,!=3.9.7 (pyproject.toml:2)"}},
	{name: "poetry python union with a gap", toml: "[tool.poetry.dependencies]\npython = \"^2.7 || ^3.5\"\n",
		want: []string{"requires-python >=2.7,<4.0,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*" + " (pyproject.toml:2)"}},
	{name: "poetry python union of two Python 3 ranges", toml: "[tool.poetry.dependencies]\npython = \"~3.9 || ^3.12\"\n",
		want: []string{"requires-python >=3.9,<4.0,!=3.10.*,!=3.11.* (pyproject.toml:2)"}},
	// Older Poetry projects write python = "~2.7 || ^3.5" (no specifier set
	// says it: 2.8, 2.9, ... would need excluding): the one branch a
	// Python 3 target can satisfy is kept, with a warning.
	{name: "poetry python union with one Python 3 branch", toml: "[tool.poetry.dependencies]\npython = \"~2.7 || ^3.5\"\n",
		want: []string{"requires-python >=3.5,<4.0 (pyproject.toml:2)",
			`warning pyproject.toml:2: python = "~2.7 || ^3.5": kept only "^3.5" (req2nix targets Python 3, and no PEP 440 specifier set expresses the union)`}},
	{name: "poetry dependency of the wrong type", toml: "[tool.poetry.dependencies]\nfoo = 1\n",
		wantErr: `pyproject.toml:2: dependency foo must be a version constraint string or a table; write foo = "^1.0"`},
	{name: "poetry boolean of the wrong type", toml: "[tool.poetry.dependencies]\na = { version = \"1\", optional = \"yes\" }\n",
		wantErr: "pyproject.toml:2: tool.poetry.dependencies.a.optional must be true or false"},
	{name: "poetry extras of the wrong type", toml: "[tool.poetry.dependencies]\na = { version = \"1\", extras = \"x\" }\n",
		wantErr: `pyproject.toml:2: tool.poetry.dependencies.a.extras must be a list of strings; write ["...", ...]`},
	{name: "poetry list of lists", toml: "[tool.poetry.dependencies]\na = [[\"1\"]]\n",
		wantErr: `pyproject.toml:2: dependency a: a list of constraints must hold tables; write {version = "...", markers = "..."}`},
	{name: "poetry invalid marker", toml: "[tool.poetry.dependencies]\na = { version = \"1\", markers = \"os_name ==\" }\n",
		wantErr: "pyproject.toml:2: dependency a: Expected a marker variable or quoted string; check its name, extras and markers"},
	{name: "poetry group that is not a table", sel: Selection{Groups: []string{"dev"}}, toml: "[tool.poetry]\ngroup.dev = 1\n",
		wantErr: "pyproject.toml:2: tool.poetry.group.dev must be a table; see the pyproject.toml specification"},
	{name: "poetry groups and legacy dev-dependencies", sel: Selection{Groups: []string{"test", "dev"}}, toml: `
[tool.poetry.dependencies]
a = "*"
[tool.poetry.group.lint.dependencies]
ruff = ">=0.1"
[tool.poetry.group.test]
optional = true
include-groups = ["lint"]
[tool.poetry.group.test.dependencies]
pytest = "^7"
[tool.poetry.dev-dependencies]
black = "22.1.0"
[dependency-groups]
test = ["hypothesis"]
`, want: []string{"req pyproject.toml:3 a",
		"req pyproject.toml:14 hypothesis", "req pyproject.toml:10 pytest<8,>=7", "req pyproject.toml:5 ruff>=0.1",
		"req pyproject.toml:12 black==22.1.0"}},
	{name: "poetry 2: project dependencies enriched by tool.poetry", toml: `
[project]
name = "p"
requires-python = ">=3.10"
dependencies = ["requests>=2", "local-lib", "plain", "checkout @ git+https://h/c.git"]
[tool.poetry.dependencies]
checkout = { develop = true }
python = "^3.11"
requests = { version = "<3", allow-prereleases = true }
local-lib = { path = "vendor/local-lib", develop = true }
other = "^1"
`, want: []string{
		"req pyproject.toml:5 requests<3,>=2 allow-prereleases",
		"req pyproject.toml:5 local-lib @ file://$DIR/vendor/local-lib editable",
		"req pyproject.toml:5 plain",
		"req pyproject.toml:5 checkout @ git+https://h/c.git editable",
		"requires-python >=3.10 (pyproject.toml:4)",
		"project p",
		"warning pyproject.toml:11: other is only in [tool.poetry.dependencies] and is ignored because [project] dependencies are set (as by Poetry); add it to [project] dependencies"}},
	{name: "poetry 2: dynamic dependencies come from tool.poetry", sel: Selection{Extras: []string{"x"}}, toml: `
[project]
name = "p"
dynamic = ["dependencies"]
[project.optional-dependencies]
x = ["ex"]
[tool.poetry.dependencies]
a = "^1"
`, want: []string{"req pyproject.toml:6 ex", "req pyproject.toml:8 a<2,>=1", "project p"}},
	{name: "poetry extras are ignored with project dependencies", sel: Selection{Extras: []string{"db"}}, toml: `
[project]
name = "p"
dependencies = ["a"]
[tool.poetry.extras]
db = ["psycopg"]
`, wantErr: `pyproject.toml: unknown extra "db"; defined extras: none`},
}

func TestParsePyproject(t *testing.T) {
	for _, tt := range pyprojectTests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"pyproject.toml": tt.toml}
			for k, v := range tt.files {
				files[k] = v
			}
			dir := writeFiles(t, files)
			f, err := ParsePyproject("pyproject.toml", tt.sel)
			checkResult(t, dir, f, err, tt.want, tt.wantErr)
		})
	}
}
