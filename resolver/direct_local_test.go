package resolver

import (
	"reflect"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// TestParseSetupCfg follows configparser's rules as setuptools uses them.
func TestParseSetupCfg(t *testing.T) {
	tests := []struct {
		name, body string
		setupPy    bool
		want       *localProject // file is "setup.cfg"
	}{
		{"no metadata name", "[options]\ninstall_requires = a\n", false, nil},
		{"static, colon separators, comments", "; c\n[metadata]\nname: p\nversion = 1.0\n[options]\ninstall_requires =\n  a>=1 # why\n  # skip\n  b ; python_version<'3.8'\n", false,
			&localProject{file: "setup.cfg", name: "p", version: "1.0", requiresDist: []string{"a>=1", "b ; python_version<'3.8'"}}},
		{"attr: version, file: requirements", "[metadata]\nname = p\nversion = attr: p.v\n[options]\ninstall_requires = file: req.txt\n", false,
			&localProject{file: "setup.cfg", name: "p", unknown: []string{"dependencies", "version"}}},
		{"setup.py may add dependencies", "[metadata]\nname = p\nversion = 2\n", true,
			&localProject{file: "setup.cfg", name: "p", version: "2", unknown: []string{"dependencies"}}},
		{"extras get markers", "[metadata]\nname = p\nversion = 2\n[options.extras_require]\nFast =\n  c\n  d; os_name == 'nt'\n", false,
			&localProject{file: "setup.cfg", name: "p", version: "2", extras: []string{"fast"},
				requiresDist: []string{`c ; extra == "fast"`, `d ; (os_name == "nt") and extra == "fast"`}}},
	}
	for _, tt := range tests {
		got, err := parseSetupCfg([]byte(tt.body), "setup.cfg", tt.setupPy)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v\nwant %+v", tt.name, got, err, tt.want)
		}
	}
}

// FuzzLocalProject: pyproject.toml and setup.cfg text never panics, and
// what is read is valid core metadata: every Requires-Dist parses, an
// unknown field has no value.
func FuzzLocalProject(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, cfg bool) {
		var lp *localProject
		var err error
		if cfg {
			lp, err = parseSetupCfg(body, "setup.cfg", false)
		} else {
			lp, err = parsePyproject(body, "pyproject.toml")
		}
		if err != nil || lp == nil {
			return
		}
		for _, r := range lp.requiresDist {
			if _, err := pep508.ParseRequirement(r); err != nil {
				t.Errorf("Requires-Dist %q does not parse: %v", r, err)
			}
		}
		for _, u := range lp.unknown {
			if u == "version" && cfg && lp.version != "" {
				t.Errorf("version %q is both known and unknown", lp.version)
			}
		}
	})
}
