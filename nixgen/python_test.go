package nixgen

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChoosePython(t *testing.T) {
	pin2505 := Pin{Rev: "b1b3291469652d5a2edb0becc4ef0246fff97a7c", SHA256: "sha256-wY1+2JPH0ZZC4BQefoZw/k+3+DowFyfOxv17CN/idKs=", Name: "nixos-25.05"}
	pin2605 := DefaultPin()
	unstable := Pin{Rev: "151fa4e8ddfdd8dd25d945ad94ed54a13de9f6e4", SHA256: "sha256-Miqqk/ammqnTUxaoCyvtwoPeLbI1ksFyLxi/CazZpWY=", Name: "nixos-unstable"}
	pin2511 := Pin{Rev: "10e7ad5bbcb421fe07e3a4ad53a634b0cd57ffac", SHA256: "sha256-vl3dkhlE5gzsItuHoEMVe+DlonsK+0836LIRDnm6MXQ=", Name: "nixos-25.11"}
	unknown := Pin{Rev: "0123456789abcdef0123456789abcdef01234567", SHA256: "sha256-x"}
	checkout := Pin{Path: t.TempDir()}
	if err := os.WriteFile(filepath.Join(checkout.Path, ".version"), []byte("25.11\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                  string
		pin                   Pin
		requested, requiresPy string
		wantAttr, wantVersion string
		wantErr               string
	}{
		{"25.05's python3 (binary cache)", pin2505, "", "", "python312", "3.12.10", ""},
		{"newest when python3 is excluded", pin2505, "", ">=3.13", "python313", "3.13.3", ""},
		{"pre-release interpreter skipped", pin2505, "", ">=3.14", "", "", `only python314 (3.14.0) of nixpkgs nixos-25.05 ` + pin2505.Rev + ` satisfies requires-python ">=3.14", and it is a pre-release interpreter, which req2nix chooses only when asked: pass --python 3.14 to use it, or pin another nixpkgs`},
		{"pre-release interpreter named exactly", pin2505, "", "==3.14.*", "", "", `only python314 (3.14.0) of nixpkgs nixos-25.05 ` + pin2505.Rev + ` satisfies requires-python "==3.14.*", and it is a pre-release interpreter, which req2nix chooses only when asked: pass --python 3.14 to use it`},
		{"pre-release interpreter when asked", pin2505, "3.14", "==3.14.*", "python314", "3.14.0", ""},
		{"requires-python upper bound", pin2505, "", ">=3.8,<3.13", "python312", "3.12.10", ""},
		{"requires-python exclusion", pin2505, "", "!=3.13.*", "python312", "3.12.10", ""},
		{"25.11's python3", pin2511, "", "", "python313", "3.13.9", ""},
		{"newest of 25.11 above python3", pin2511, "", ">=3.14", "python314", "3.14.0", ""},
		{"26.05's python3 (the default pin)", pin2605, "", "", "python313", "3.13.15", ""},
		{"26.05 above python3", pin2605, "", ">=3.14", "python314", "3.14.7", ""},
		{"26.05 has no python310", pin2605, "3.10", "", "", "", "has no python310 (it has python311, python312, python313, python314, python315)"},
		{"26.05's python315 is a pre-release", pin2605, "", ">=3.15", "", "", "only python315 (3.15.0) of nixpkgs nixos-26.05 7c8764b7c7b09b34f632464276218ef9090eaa11 satisfies requires-python \">=3.15\", and it is a pre-release interpreter, which req2nix chooses only when asked: pass --python 3.15"},
		{"unstable's python3", unstable, "", "", "python314", "3.14.7", ""},
		{"unknown pin falls back", unknown, "", "", "python313", "3.13.0", ""},
		{"local checkout's .version", checkout, "", "", "python313", "3.13.9", ""},
		{"local checkout without .version", Pin{Path: t.TempDir()}, "3.12", "", "python312", "3.12.0", ""},
		{"requested minor", pin2505, "3.12", "", "python312", "3.12.10", ""},
		{"requested patch", pin2505, "3.11.4", "", "python311", "3.11.12", ""},
		{"requested attribute", pin2505, "python310", "", "python310", "3.10.17", ""},
		{"requested pre-release", pin2505, "3.14", "", "python314", "3.14.0", ""},
		{"requested but absent", pin2505, "3.9", "", "", "", "has no python39"},
		{"requested violates requires-python", pin2505, "3.10", ">=3.11", "", "", `python310 3.10.17 does not satisfy the project's requires-python ">=3.11"; choose one that does (python311, python312, python313, python314) or leave --python out`},
		{"requested violates requires-python none fits", pin2505, "3.10", "<3.8", "", "", `does not satisfy the project's requires-python "<3.8"; no Python of this nixpkgs does: pin another nixpkgs or relax requires-python`},
		{"requested python 2", pin2505, "2.7", "", "", "", "expected a CPython 3 version"},
		{"requested garbage", pin2505, "pypy3", "", "", "", "expected a CPython 3 version"},
		{"bad requires-python", pin2505, "", ">=>3", "", "", "requires-python"},
		{"nothing satisfies", pin2505, "", "<3", "", "", "relax requires-python"},
	}
	for _, tt := range tests {
		attr, version, err := ChoosePython(tt.pin, tt.requested, tt.requiresPy)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || attr != tt.wantAttr || version != tt.wantVersion {
			t.Errorf("%s: ChoosePython(%q, %q) = %s, %s, %v; want %s, %s", tt.name, tt.requested, tt.requiresPy, attr, version, err, tt.wantAttr, tt.wantVersion)
		}
	}
}

func TestDefaultPin(t *testing.T) {
	p := DefaultPin()
	if p.Rev != "7c8764b7c7b09b34f632464276218ef9090eaa11" || p.URL != "https://github.com/NixOS/nixpkgs/archive/"+p.Rev+".tar.gz" || p.Name != "nixos-26.05" {
		t.Errorf("DefaultPin() = %+v", p)
	}
	if err := p.validate(); err != nil {
		t.Error(err)
	}
	b64, ok := strings.CutPrefix(p.SHA256, "sha256-")
	if raw, err := base64.StdEncoding.DecodeString(b64); !ok || err != nil || len(raw) != 32 {
		t.Errorf("DefaultPin sha256 %q is not an SRI sha256", p.SHA256)
	}
	if eol := EndOfLife(p); eol != "" {
		t.Errorf("the default pin's release ended on %s: pick the newest stable release", eol)
	}
}

func TestPinValidate(t *testing.T) {
	tests := []struct {
		pin     Pin
		wantErr string
	}{
		{Pin{Path: "/src/nixpkgs"}, ""},
		{Pin{Rev: "abc", SHA256: "sha256-x"}, ""},
		{Pin{}, "neither a rev nor a path"},
		{Pin{Rev: "abc"}, "no sha256"},
		{Pin{Rev: "abc", SHA256: "x\x00"}, "NUL"},
	}
	for _, tt := range tests {
		err := tt.pin.validate()
		if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v.validate() = %v, want %q", tt.pin, err, tt.wantErr)
		}
	}
}
