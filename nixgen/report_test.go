package nixgen

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func resolutionPins(c string) map[string]string {
	for _, gc := range goldenCases {
		if gc.name == c {
			pins := map[string]string{}
			for _, p := range gc.res().Packages {
				pins[p.Name] = p.Version
			}
			return pins
		}
	}
	return nil
}

// TestReadPinsGoldens reads the versions back from every golden file,
// including as-is packages and hostile names and versions.
func TestReadPinsGoldens(t *testing.T) {
	for _, c := range goldenCases {
		for _, format := range allFormats {
			data, err := os.ReadFile(goldenPath(c.name, format))
			if err != nil {
				t.Fatal(err)
			}
			pins, err := ReadPins(data)
			if err != nil {
				t.Errorf("%s/%s: %v", c.name, format, err)
				continue
			}
			if want := resolutionPins(c.name); !reflect.DeepEqual(pins, want) {
				t.Errorf("%s/%s: ReadPins = %v, want %v", c.name, format, pins, want)
			}
		}
	}
}

func TestReadPinsErrors(t *testing.T) {
	tests := []struct {
		name, data, wantErr string
	}{
		{"not ours", "{ pkgs ? import <nixpkgs> { } }: pkgs.mkShell { }", "not a JSON report"},
		{"no lock lines", "# hand-written\nlet in 1\n", "no \"# req2nix-lock:\" lines"},
		{"lock line after the header", "# x\n1\n# req2nix-lock: a==1\n", "no \"# req2nix-lock:\" lines"},
		{"malformed lock line", "# req2nix-lock: flask\n", "line 1"},
		{"bad escape", "# req2nix-lock: fl%zzask==1.0\n", "%-escape"},
		{"empty version", "# req2nix-lock: flask==\n", "empty name or version"},
		{"conflicting pins", "# req2nix-lock: flask==1.0\n# req2nix-lock: flask==2.0\n", "pinned twice"},
		{"JSON without schema", `{"packages": []}`, "without schema_version"},
		{"JSON schema 2", `{"schema_version": "2.0.0", "packages": []}`, `"2.0.0" is not compatible`},
		{"JSON schema 0.9", `{"schema_version": "0.9.0", "packages": []}`, "not compatible"},
		{"JSON schema garbage", `{"schema_version": "one", "packages": []}`, "not compatible"},
		{"JSON bad package", `{"schema_version": "1.0.0", "packages": [{"name": "flask"}]}`, "packages[0]"},
	}
	for _, tt := range tests {
		_, err := ReadPins([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestReadPinsCompatibleSchema: any 1.x report is read, with fields it does
// not know ignored.
func TestReadPinsCompatibleSchema(t *testing.T) {
	for _, v := range []string{"1.0.0", "1.1.0", "1.7.3"} {
		data := `{"schema_version": "` + v + `", "future_field": true, "packages": [{"name": "flask", "version": "1.1.2", "new": 1}]}`
		pins, err := ReadPins([]byte(data))
		if err != nil || pins["flask"] != "1.1.2" {
			t.Errorf("schema %s: %v, %v", v, pins, err)
		}
	}
}

// TestReportFields checks the JSON report's content against the plan.
func TestReportFields(t *testing.T) {
	out, err := generate(mixedResolution(), stubIndex(t), goldenOptions(FormatJSON))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.SchemaVersion != SchemaVersion || r.Generator != "req2nix" || r.Python.Attr != "python312" ||
		r.Nixpkgs.Rev != DefaultPin().Rev || !strings.HasPrefix(r.Nixpkgs.Index, "evaluated stub nixpkgs") {
		t.Errorf("report header: %+v", r)
	}
	byName := map[string]ReportPackage{}
	for _, p := range r.Packages {
		byName[p.Name] = p
	}
	for name, kind := range map[string]Kind{"django": KindAsIs, "urllib3": KindOverride, "asgiref": KindNew, "six": KindNew} {
		if byName[name].Kind != kind {
			t.Errorf("%s: kind %s, want %s", name, byName[name].Kind, kind)
		}
	}
	if p := byName["django"]; p.Attr != "django_5" || p.Source != nil || p.NixpkgsVersion != "5.1.7" || !p.Root {
		t.Errorf("django: %+v", p)
	}
	if p := byName["urllib3"]; p.Source == nil || p.Source.Fetcher != "fetchPypi" || !strings.HasPrefix(p.Source.Hash, "sha256-") || len(p.Files) != 1 {
		t.Errorf("urllib3: %+v", p)
	}
	if len(r.Warnings) != 1 {
		t.Errorf("warnings: %q", r.Warnings)
	}
}
