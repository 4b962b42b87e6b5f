package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseProjectMeta(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       projectMeta
		wantErr    string
	}{
		{"PEP 621", "[project]\nname = \"app\"\nversion = \"1.2\"\n[project.scripts]\nb = \"app:b\"\na = \"app:a\"\n[build-system]\nrequires = [\"hatchling\"]\n",
			projectMeta{name: "app", version: "1.2", buildRequires: []string{"hatchling"}, scripts: []string{"a", "b"}}, ""},
		{"dynamic version, no [build-system]", "[project]\nname = \"app\"\ndynamic = [\"version\"]\n", projectMeta{name: "app"}, ""},
		{"Poetry", "[tool.poetry]\nname = \"p\"\nversion = \"0.1.0\"\n[tool.poetry.scripts]\nrun = \"p:main\"\n[build-system]\nrequires = [\"poetry-core>=1\"]\n",
			projectMeta{name: "p", version: "0.1.0", buildRequires: []string{"poetry-core>=1"}, scripts: []string{"run"}}, ""},
		{"PEP 621 wins over Poetry", "[project]\nname = \"a\"\nversion = \"1\"\n[tool.poetry]\nname = \"b\"\nversion = \"2\"\n", projectMeta{name: "a", version: "1"}, ""},
		{"no project", "[build-system]\nrequires = []\n", projectMeta{}, "names no project"},
		{"not TOML", "[project\n", projectMeta{}, "toml"},
	} {
		got, err := parseProjectMeta([]byte(tc.text))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

// FuzzParseProjectMeta: any text is read or refused, never a panic, and a
// project read has a name.
func FuzzParseProjectMeta(f *testing.F) {
	f.Add("[project]\nname = \"app\"\nversion = \"1\"\n[project.scripts]\na = \"b\"\n")
	f.Add("[tool.poetry]\nname = \"p\"\n[tool.poetry.scripts]\nx = { callable = \"p:x\" }\n")
	f.Add("[project]\nname = 3\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := parseProjectMeta([]byte(text))
		if err == nil && m.name == "" {
			t.Errorf("a project without a name: %q", text)
		}
	})
}
