package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// TestWheelTopLevel reads the modules of wheels laid out as real ones are:
// top_level.txt wins where the wheel ships its names, a stale entry is
// dropped, and without it the wheel's own top-level entries count.
func TestWheelTopLevel(t *testing.T) {
	info := func(files map[string]string) map[string][]byte {
		out := map[string][]byte{"x-1.0.dist-info/METADATA": []byte("Name: x\n"), "x-1.0.dist-info/RECORD": nil}
		for k, v := range files {
			out[k] = []byte(v)
		}
		return out
	}
	tests := []struct {
		name    string
		members map[string][]byte
		want    []string
	}{
		{"top_level.txt", info(map[string]string{"x-1.0.dist-info/top_level.txt": "flask\n", "flask/__init__.py": "", "flask/app.py": ""}), []string{"flask"}},
		{"top_level.txt with a name not shipped", info(map[string]string{"x-1.0.dist-info/top_level.txt": "tests\nyaml\n_yaml\n", "yaml/__init__.py": "", "_yaml/__init__.py": ""}), []string{"_yaml", "yaml"}},
		{"no top_level.txt: packages and modules", info(map[string]string{"six.py": "", "pkg/__init__.py": "", "ns/sub/mod.py": ""}), []string{"ns", "pkg", "six"}},
		{"extension modules", info(map[string]string{"_speedups.cpython-312-x86_64-linux-gnu.so": "", "fast.abi3.so": "", "win.pyd": ""}), []string{"_speedups", "fast", "win"}},
		{"data, .pth and other files are not modules", info(map[string]string{"x-1.0.data/scripts/x": "", "x.pth": "", "README.txt": "", "m.py": ""}), []string{"m"}},
		{"stale top_level.txt only", info(map[string]string{"x-1.0.dist-info/top_level.txt": "gone\n", "real/__init__.py": ""}), []string{"real"}},
		{"nothing to import", info(nil), nil},
	}
	c, err := New(Options{CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tt := range tests {
		body, err := pypitest.Archive("x.whl", tt.members)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x-1.0-py3-none-any.whl")
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := c.WheelTopLevel(context.Background(), File{Filename: filepath.Base(path), URL: "file://" + path, SHA256: hexSHA256(body)})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: WheelTopLevel = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := c.WheelTopLevel(context.Background(), File{Filename: "x-1.0.tar.gz", URL: "file:///nowhere/x-1.0.tar.gz"}); err == nil || !strings.Contains(err.Error(), "not a wheel") {
		t.Errorf("an sdist: %v", err)
	}
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
