package reqfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixtureProjects loads the sample projects of the repository's
// fixtures (whole directories, as the command line names them).
func TestFixtureProjects(t *testing.T) {
	root := filepath.Join("..", "..", "fixtures", "projects")
	if _, err := os.Stat(root); err != nil {
		t.Skip("fixtures/projects is absent")
	}
	tests := []struct {
		project string
		sel     Selection
		want    []string
	}{
		{"webapp", Selection{}, []string{
			"req P/requirements.txt:4 flask[async]>=3.0",
			`req P/requirements.txt:5 requests[socks]>=2.31; python_version >= "3.8"`,
			"req P/requirements.txt:6 tinyhtml~=1.1",
			"req P/requirements.txt:7 cowsay==6.1",
			"con P/constraints.txt:2 urllib3<2.2.2"}},
		{"pep621-app", Selection{Extras: []string{"html"}, Groups: []string{"dev"}}, []string{
			"req P/pyproject.toml:6 Flask<3,>=2.3",
			"req P/pyproject.toml:7 python-dotenv>=1.0",
			"req P/pyproject.toml:11 tinyhtml>=1.2",
			"req P/pyproject.toml:14 cowsay==6.1",
			"req P/pyproject.toml:15 requests>=2.31",
			"build P/pyproject.toml:18 hatchling",
			"requires-python >=3.9 (P/pyproject.toml:4)",
			"project pep621-app"}},
		{"poetry-app", Selection{Extras: []string{"slug"}, Groups: []string{"dev"}}, []string{
			"req P/pyproject.toml:9 requests<3.0,>=2.31",
			"req P/pyproject.toml:10 click<8.2,>=8.1",
			`req P/pyproject.toml:12 jinja2[i18n]<4,>=3.1; sys_platform == "win32"`,
			"req P/pyproject.toml:11 slugify-lite<0.4,>=0.3",
			"req P/pyproject.toml:18 cowsay==6.1",
			"build P/pyproject.toml:21 poetry-core>=1.0.0",
			"requires-python >=3.10,<4.0 (P/pyproject.toml:8)",
			"project poetry-app"}},
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			dir := filepath.Join(root, tt.project)
			f, err := Load([]string{dir}, tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(summarize(f, dir), "\n")
			if want := strings.Join(tt.want, "\n"); got != strings.ReplaceAll(want, "P/", "$DIR/") {
				t.Fatalf("got:\n%s", got)
			}
		})
	}
}
