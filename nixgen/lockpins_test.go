package nixgen

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/resolver"
)

// wantDirectPins are the pins a resolution's direct references leave in
// the output: git refs' commits and hashes, archives' digests (local paths
// need none).
func wantDirectPins(res *resolver.Resolution) map[string]resolver.DirectPin {
	pins := map[string]resolver.DirectPin{}
	for _, p := range res.Packages {
		s, err := directSource(p)
		switch {
		case p.DirectURL == "" || err != nil:
		case s.Kind == resolver.DirectGit:
			pins[resolver.DirectPinKey(p.DirectURL)] = resolver.DirectPin{Name: p.Name, Rev: s.Rev, TreeHash: s.TreeHash}
		case s.Kind == resolver.DirectArchive:
			pins[resolver.DirectPinKey(p.DirectURL)] = resolver.DirectPin{Name: p.Name, SHA256: p.Files[0].SHA256}
		}
	}
	return pins
}

// TestReadDirectPinsGoldens reads the direct references' pins back from
// every golden file, as the next run does.
func TestReadDirectPinsGoldens(t *testing.T) {
	for _, c := range goldenCases {
		want := wantDirectPins(c.res())
		for _, format := range allFormats {
			data, err := os.ReadFile(goldenPath(c.name, format))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadDirectPins(data)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s/%s: ReadDirectPins = %v, %v; want %v", c.name, format, got, err, want)
			}
		}
	}
}

func TestReadDirectPins(t *testing.T) {
	tests := []struct {
		name, data string
		want       map[string]resolver.DirectPin
		wantErr    string
	}{
		{"written before the fields existed", "# req2nix-lock: flask==1.0\n# req2nix-lock: mylib==0+git.0123456789ab\n{ }\n", map[string]resolver.DirectPin{}, ""},
		{"escaped values, an unknown key from a newer req2nix",
			"# req2nix-lock: caf%C3%A9==0+git.1 url=git+https://h/a%20b.git@main rev=" + commitA + " hash=sha256-x future=1\n",
			map[string]resolver.DirectPin{"git+https://h/a b.git@main": {Name: "café", Rev: commitA, TreeHash: "sha256-x"}}, ""},
		{"an archive's digest", "# req2nix-lock: snap==0.3 url=https://h/master.zip sha256=" + fakeSHA256("x") + "\n",
			map[string]resolver.DirectPin{"https://h/master.zip": {Name: "snap", SHA256: fakeSHA256("x")}}, ""},
		{"fields after the header are not read", "# x\n{ }\n# req2nix-lock: a==1 url=u rev=r\n", map[string]resolver.DirectPin{}, ""},
		{"fields without url", "# req2nix-lock: a==1 rev=" + commitA + "\n", nil, "line 1"},
		{"a field that is not key=value", "# req2nix-lock: a==1 url=u garbage\n", nil, `field "garbage" is not key=value`},
		{"a bad escape", "# req2nix-lock: a==1 url=u%zz\n", nil, "is not key=value"},
		{"JSON report", `{"schema_version": "1.0.0", "packages": [` +
			`{"name": "g", "version": "1", "direct_url": "git+https://h/g.git", "source": {"fetcher": "fetchgit", "url": "https://h/g.git", "rev": "` + commitA + `", "hash": "sha256-y"}},` +
			`{"name": "p", "version": "1", "direct_url": "file:///p", "source": {"fetcher": "path", "path": "/p"}},` +
			`{"name": "z", "version": "1", "direct_url": "https://h/z.zip", "source": {"fetcher": "fetchurl"}, "files": [{"sha256": "` + fakeSHA256("z") + `"}]},` +
			`{"name": "i", "version": "1"}]}`,
			map[string]resolver.DirectPin{"git+https://h/g.git": {Name: "g", Rev: commitA, TreeHash: "sha256-y"}, "https://h/z.zip": {Name: "z", SHA256: fakeSHA256("z")}}, ""},
	}
	for _, tt := range tests {
		got, err := ReadDirectPins([]byte(tt.data))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got %v, %v; want an error containing %q", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, %v\nwant %v", tt.name, got, err, tt.want)
		}
	}
}

// TestLockValue: a value stays on its line and in its field whatever it
// holds, and reads back.
func TestLockValue(t *testing.T) {
	for _, s := range []string{"plain", "a b", "x\n# req2nix-lock: evil==1", "100%", "é", "tab\there", "=@?#&"} {
		enc := lockValue(s)
		if strings.ContainsAny(enc, " \n\r\t") {
			t.Errorf("lockValue(%q) = %q", s, enc)
		}
		pins, err := ReadDirectPins([]byte("# req2nix-lock: n==1 url=" + enc + " sha256=" + enc + "\n"))
		if err != nil || pins[s].SHA256 != s {
			t.Errorf("%q: read back %v, %v", s, pins, err)
		}
	}
}

// FuzzReadDirectPins: any previous output is read without panicking, and
// every pin read has a key and a name.
func FuzzReadDirectPins(f *testing.F) {
	f.Add([]byte("# req2nix-lock: a==1 url=git+https://h/a.git@main rev=" + commitA + " hash=sha256-x\n"))
	f.Add([]byte(`{"schema_version": "1.0.0", "packages": [{"name": "g", "direct_url": "x", "source": {"fetcher": "fetchgit", "rev": "r"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pins, err := ReadDirectPins(data)
		if err != nil {
			return
		}
		for key, pin := range pins {
			if key == "" || pin.Name == "" && !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
				t.Fatalf("pin %q: %+v", key, pin)
			}
		}
	})
}

// TestStubFetchgit: the stub's fetchgit fails where nixpkgs' would and
// where req2nix's pin would not hold, at evaluation time.
func TestStubFetchgit(t *testing.T) {
	stub, _ := filepath.Abs(filepath.Join("testdata", "stub-nixpkgs"))
	const good = `url = "https://h/r.git"; rev = "` + commitA + `"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; fetchSubmodules = false;`
	tests := []struct {
		name, args, sourceRoot, wantErr string
	}{
		{"what req2nix writes", good, "", ""},
		{"in a subdirectory, named source", good + ` name = "source";`, "source/py", ""},
		{"sourceRoot outside src", good, "source/py", "sourceRoot source/py is not inside src (git-0123456)"},
		{"a branch, not a commit", `url = "u"; rev = "main"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; fetchSubmodules = false;`, "", "rev main is not a full commit"},
		{"sha256 instead of hash", `url = "u"; rev = "` + commitA + `"; sha256 = "0000"; fetchSubmodules = false;`, "", "is not an SRI sha256"},
		{"submodules fetched", `url = "u"; rev = "` + commitA + `"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";`, "", "without submodules"},
		{"builtins.fetchGit's allRefs", good + " allRefs = true;", "", "allRefs"},
	}
	for _, tt := range tests {
		root := "null"
		if tt.sourceRoot != "" {
			root = `"` + tt.sourceRoot + `"`
		}
		expr := `let pkgs = import (` + pathExpr(stub) + `) { }; py = pkgs.python312.override { packageOverrides = f: p: { x = f.buildPythonPackage ({ pname = "x"; version = "1"; pyproject = true; src = pkgs.fetchgit { ` + tt.args + ` }; } // (if ` + root + ` == null then { } else { sourceRoot = ` + root + `; })); }; }; in py.pkgs.x.src.url`
		out, err := nix(t, "--eval", "--strict", "-E", expr)
		switch {
		case tt.wantErr == "" && (err != nil || !strings.Contains(string(out), "git+")):
			t.Errorf("%s: %s, %v", tt.name, out, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
}
