package reqfile

import "testing"

// TestLoad covers input kinds, merge order and cross-file conflicts.
func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		paths   []string
		sel     Selection
		want    []string
		wantErr string
	}{
		{name: "requirements then pyproject in order",
			files: map[string]string{"requirements.txt": "-i https://idx/simple\na\n--no-binary x", "dev.txt": "--only-binary x\nb", "pyproject.toml": "[project]\nname = \"p\"\ndependencies = [\"c\"]\n"},
			paths: []string{"requirements.txt", "pyproject.toml", "dev.txt"},
			want: []string{"req requirements.txt:2 a", "req pyproject.toml:3 c", "req dev.txt:2 b",
				"index https://idx/simple (requirements.txt:1)", "only-binary x", "project p"}},
		{name: "directory with pyproject.toml",
			files: map[string]string{"proj/pyproject.toml": "[project]\ndependencies = [\"c\"]\n", "proj/requirements.txt": "ignored"},
			paths: []string{"proj"},
			want:  []string{"req proj/pyproject.toml:2 c"}},
		{name: "directory with requirements.txt",
			files: map[string]string{"proj/requirements.txt": "r"},
			paths: []string{"proj"},
			want:  []string{"req proj/requirements.txt:1 r"}},
		{name: "directory whose pyproject.toml only configures tools",
			files: map[string]string{"proj/pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\n[tool.black]\nline-length = 100\n", "proj/requirements.txt": "r"},
			paths: []string{"proj"},
			want:  []string{"req proj/requirements.txt:1 r"}},
		{name: "directory with a Poetry pyproject.toml",
			files: map[string]string{"proj/pyproject.toml": "[tool.poetry.dependencies]\nc = \"*\"\n", "proj/requirements.txt": "ignored"},
			paths: []string{"proj"},
			want:  []string{"req proj/pyproject.toml:2 c"}},
		{name: "directory with an invalid pyproject.toml",
			files:   map[string]string{"proj/pyproject.toml": "[tool.black\n", "proj/requirements.txt": "r"},
			paths:   []string{"proj"},
			wantErr: "proj/pyproject.toml:1:12: invalid TOML: expected ']' to close table name; fix the syntax"},
		{name: "directory with neither",
			files:   map[string]string{"proj/": ""},
			paths:   []string{"proj"},
			wantErr: "proj: directory has neither pyproject.toml nor requirements.txt; name the dependency file to read"},
		{name: "the current directory with neither",
			files:   map[string]string{"proj/": ""},
			paths:   []string{"."},
			wantErr: "the current directory has neither pyproject.toml nor requirements.txt; name the dependency file to read"},
		{name: "setup.py is not a requirements file",
			files:   map[string]string{"setup.py": "from setuptools import setup\n"},
			paths:   []string{"setup.py"},
			wantErr: "setup.py: not a requirements file nor a pyproject.toml; list its install_requires in a requirements.txt, or give the project's pyproject.toml"},
		{name: "Pipfile is not a requirements file",
			files:   map[string]string{"app/Pipfile": "[packages]\n"},
			paths:   []string{"app/Pipfile"},
			wantErr: "app/Pipfile: not a requirements file nor a pyproject.toml; `pipenv lock` writes the Pipfile.lock to give instead (req2nix reads lock files)"},
		{name: "an empty file name",
			files:   map[string]string{"a.txt": "x"},
			paths:   []string{"a.txt", ""},
			wantErr: `an input file name is empty (""); check the command line's quoting`},
		{name: "same index twice is fine",
			files: map[string]string{"a.txt": "-i https://i", "b.txt": "--index-url https://i"},
			paths: []string{"a.txt", "b.txt"},
			want:  []string{"index https://i (a.txt:1)"}},
		{name: "different indexes across files: the last wins, as in pip",
			files: map[string]string{"a.txt": "x\n-i https://one", "b.txt": "-i https://two"},
			paths: []string{"a.txt", "b.txt"},
			want: []string{"req a.txt:1 x", "index https://two (b.txt:1)",
				"warning b.txt:1: --index-url https://two replaces --index-url https://one from a.txt:2 (as pip, the last one is used); make the other an --extra-index-url if both are needed"}},
		{name: "extras need a pyproject",
			files:   map[string]string{"a.txt": "x"},
			paths:   []string{"a.txt"},
			sel:     Selection{Extras: []string{"dev"}},
			wantErr: "a.txt: extras and dependency groups are selected but no pyproject.toml is read; add the project's pyproject.toml to the inputs"},
		{name: "first requires-python wins",
			files: map[string]string{"a/pyproject.toml": "[project]\nrequires-python = \">=3.9\"\n", "b/pyproject.toml": "[project]\nrequires-python = \">=3.11\"\n"},
			paths: []string{"a", "b"},
			want: []string{"requires-python >=3.9 (a/pyproject.toml:2)",
				`warning b/pyproject.toml:2: requires-python ">=3.11" is ignored: ">=3.9" from a/pyproject.toml:2 comes first`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			f, err := Load(tt.paths, tt.sel)
			checkResult(t, dir, f, err, tt.want, tt.wantErr)
		})
	}
}
