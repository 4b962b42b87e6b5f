package pep508

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the read-only reference data beside the checkout.
const sharedDir = "../../../shared"

// realRequiresDist collects the requires_dist entries of every PyPI JSON
// document under shared/, skipping the test when shared/ is absent.
func realRequiresDist(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var reqs []string
	for _, dir := range []string{"pypi-json-samples/pypi", "pypi-mirror/pypi"} {
		root := filepath.Join(sharedDir, dir)
		if _, err := os.Stat(root); err != nil {
			t.Skipf("reference data %s absent: %v", root, err)
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "json" {
				return err
			}
			for _, r := range readRequiresDist(t, path) {
				if !seen[r] {
					seen[r] = true
					reqs = append(reqs, r)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return reqs
}

// readRequiresDist reads info.requires_dist from one JSON API document.
func readRequiresDist(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Info struct {
			RequiresDist []string `json:"requires_dist"`
		} `json:"info"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Info.RequiresDist
}

// TestRealRequiresDist parses the dependency lines of real PyPI releases:
// all but legacy (pre-PEP 440) ones parse, re-parse from String, and
// evaluate without error on every target.
func TestRealRequiresDist(t *testing.T) {
	reqs := realRequiresDist(t)
	failed := 0
	for _, s := range reqs {
		r, err := ParseRequirement(s)
		var se *SyntaxError
		if errors.As(err, &se) {
			failed++
			t.Logf("not PEP 508 (pip rejects it too): %v", err)
			continue
		}
		if err != nil {
			t.Fatalf("ParseRequirement(%q): %v", s, err)
		}
		if back := must(t, ParseRequirement, r.String()); back.String() != r.String() {
			t.Errorf("%q: String %q re-parses as %q", s, r, back)
		}
		for _, platform := range KnownPlatforms() {
			env, _ := TargetEnvironment("3.8", platform)
			if _, err := r.Marker.EvaluateStrict(env); err != nil {
				t.Errorf("%q on %s: %v", s, platform, err)
			}
		}
	}
	if len(reqs) == 0 || failed*100 > len(reqs) {
		t.Errorf("%d of %d requires_dist entries failed to parse", failed, len(reqs))
	}
}
