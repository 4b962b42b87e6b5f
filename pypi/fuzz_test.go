package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// FuzzParseProject: no panics (the latest release's metadata included);
// accepted documents give ascending releases
// with files and usable keys, and survive a round trip through the JSON
// API shape.
func FuzzParseProject(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseProject(data, "x", "https://i", discard())
		if err != nil {
			return
		}
		doc, err := decodeProjectDoc(data)
		if err != nil {
			t.Fatalf("parseProject accepts what decodeProjectDoc refuses: %v", err)
		}
		doc.latestMetadata() // a hint: any answer, no panic
		for i, r := range p.Releases {
			if len(r.Files) == 0 || !safeKey(r.Key) {
				t.Fatalf("release %q: %d files", r.Key, len(r.Files))
			}
			if i > 0 && p.Releases[i-1].Version.Compare(r.Version) >= 0 {
				t.Fatalf("releases out of order: %q, %q", p.Releases[i-1].Key, r.Key)
			}
		}
		again, err := parseProject(renderProject(p), "x", "https://i", discard())
		if err != nil {
			t.Fatalf("re-rendered document does not parse: %v", err)
		}
		if !reflect.DeepEqual(summary(again), summary(p)) {
			t.Fatalf("round trip changed the project:\n%v\n%v", summary(p), summary(again))
		}
	})
}

// renderProject writes p back in the JSON API shape.
func renderProject(p *Project) []byte {
	releases := map[string][]map[string]any{}
	for _, r := range p.Releases {
		var files []map[string]any
		for _, f := range r.Files {
			files = append(files, map[string]any{
				"filename": f.Filename, "url": f.URL, "digests": map[string]string{"sha256": f.SHA256},
				"requires_python": f.RequiresPython, "yanked": f.Yanked, "yanked_reason": f.YankedReason, "packagetype": f.PackageType,
				"upload_time_iso_8601": f.UploadTime.Format(time.RFC3339Nano),
			})
		}
		releases[r.Key] = files
	}
	out, _ := json.Marshal(map[string]any{"info": map[string]string{"name": p.Name}, "releases": releases})
	return out
}

// summary is a comparable view of a project.
func summary(p *Project) []string {
	var out []string
	for _, r := range p.Releases {
		out = append(out, fmt.Sprintf("%s=%s %+v", r.Key, r.Version, r.Files))
	}
	return out
}

// FuzzParseCoreMetadata: no panics; accepted metadata renders back to
// headers that parse to the same metadata.
func FuzzParseCoreMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseCoreMetadata(data, SourceWheel)
		if err != nil {
			return
		}
		again, err := parseCoreMetadata(renderCoreMetadata(m), SourceWheel)
		if err != nil {
			t.Fatalf("re-rendered metadata does not parse: %v\n%q", err, renderCoreMetadata(m))
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip changed the metadata:\n%#v\n%#v", m, again)
		}
	})
}

// renderCoreMetadata writes m in the email-header format.
func renderCoreMetadata(m *Metadata) []byte {
	return pypitest.Release{Name: m.Name, Version: m.Version, RequiresPython: m.RequiresPython, RequiresDist: m.RequiresDist, ProvidesExtra: m.ProvidesExtra}.CoreMetadata()
}

// FuzzCacheEntry: no panics on any file content; a valid entry re-encodes
// to one that decodes equal; a valid entry with any byte changed is
// rejected or decodes to the same document.
func FuzzCacheEntry(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(data)
		if err != nil {
			return
		}
		enc, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeEntry(enc)
		if err != nil {
			t.Fatalf("re-encoded entry rejected: %v", err)
		}
		if again.URL != e.URL || again.ETag != e.ETag || !again.Fetched.Equal(e.Fetched) || !bytes.Equal(again.Body, e.Body) {
			t.Fatalf("round trip changed the entry: %+v / %+v", e, again)
		}
		// Cutting any tail off is detected.
		if len(enc) > 0 {
			if _, err := decodeEntry(enc[:len(enc)-1]); err == nil {
				t.Fatal("truncated entry accepted")
			}
		}
	})
}

// FuzzParseSimplePage: no panics on any page (JSON or HTML); hashes are
// lower case; the project built from an accepted page has ascending
// releases with files and usable keys, and survives a round trip through
// the PEP 691 JSON shape.
func FuzzParseSimplePage(f *testing.F) {
	pageURL, _ := url.Parse("https://i.example/simple/x/")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseSimplePage(data, pageURL)
		if err != nil {
			return
		}
		for _, file := range p.files {
			for _, h := range []string{file.sha256, file.metadata.algo, file.metadata.digest} {
				if h != strings.ToLower(h) {
					t.Fatalf("hash %s not lower case", h)
				}
			}
		}
		proj := p.project("x", "https://i.example/simple", nil, discard())
		for i, r := range proj.Releases {
			if len(r.Files) == 0 || !safeKey(r.Key) {
				t.Fatalf("release %q: %d files", r.Key, len(r.Files))
			}
			if i > 0 && proj.Releases[i-1].Version.Compare(r.Version) >= 0 {
				t.Fatalf("releases out of order: %q, %q", proj.Releases[i-1].Key, r.Key)
			}
		}
		again, err := parseSimplePage(renderSimplePage(p), pageURL)
		if err != nil {
			t.Fatalf("re-rendered page does not parse: %v", err)
		}
		if got, want := summary(again.project("x", "https://i.example/simple", nil, discard())), summary(proj); !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed the project:\n%v\n%v", want, got)
		}
	})
}

// renderSimplePage writes p back in the PEP 691 JSON shape.
func renderSimplePage(p *simplePage) []byte {
	files := []map[string]any{}
	for _, f := range p.files {
		file := map[string]any{"filename": f.filename, "url": f.url, "hashes": map[string]string{"sha256": f.sha256}, "requires-python": f.requiresPython, "yanked": false, "core-metadata": f.metadata.present}
		if f.yanked.yanked {
			file["yanked"] = true
			if f.yanked.reason != "" {
				file["yanked"] = f.yanked.reason
			}
		}
		if f.size > 0 {
			file["size"] = f.size
		}
		if !f.uploadTime.IsZero() {
			file["upload-time"] = f.uploadTime.Format(time.RFC3339Nano)
		}
		files = append(files, file)
	}
	out, _ := json.Marshal(map[string]any{"files": files, "versions": p.versions, "project-status": map[string]string{"status": p.status, "reason": p.reason}})
	return out
}

// FuzzNetrc: no panics; parsing is deterministic.
func FuzzNetrc(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		if a, b := parseNetrc(text), parseNetrc(text); !reflect.DeepEqual(a, b) {
			t.Fatal("nondeterministic")
		}
	})
}

// FuzzRedact: no panics; redaction is idempotent and hides the password of
// any URL with one.
func FuzzRedact(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		r := Redact(s)
		if Redact(r) != r {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, r, Redact(r))
		}
		u, err := url.Parse(s)
		if err != nil || u.User == nil {
			return
		}
		ru, err := url.Parse(r)
		if err != nil {
			t.Fatalf("%q parses, its redaction %q does not: %v", s, r, err)
		}
		_, had := u.User.Password()
		pw, has := ru.User.Password()
		masked := ru.User != nil && (had && has && pw == "****" || !had && !has && ru.User.Username() == "****")
		if !masked {
			t.Fatalf("userinfo %q of %q redacted to %q", u.User, s, ru.User)
		}
	})
}

// FuzzArtifactMetadata: arbitrary bytes named as each archive kind never
// panic the readers.
func FuzzArtifactMetadata(f *testing.F) {
	kinds := []string{"x-1.0-py3-none-any.whl", "x-1.0.tar.gz", "x-1.0.zip", "x-1.0.tar.bz2", "x-1.0.tar"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		name := kinds[int(kind)%len(kinds)]
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := readArtifactMetadata(p, name)
		if err == nil && (m.Name == "" || m.Version == "") {
			t.Fatalf("metadata without name or version: %+v", m)
		}
		if _, err := readSdistMember(p, name, "pyproject.toml"); err != nil && strings.Contains(err.Error(), "\x00") {
			t.Fatalf("error carries raw bytes: %q", err)
		}
	})
}

// TestFuzzSeedsExist keeps the seed corpora in testdata from going missing.
func TestFuzzSeedsExist(t *testing.T) {
	for _, name := range []string{"FuzzParseProject", "FuzzParseCoreMetadata", "FuzzCacheEntry", "FuzzParseSimplePage", "FuzzNetrc", "FuzzRedact", "FuzzArtifactMetadata"} {
		ents, err := os.ReadDir(filepath.Join("testdata", "fuzz", name))
		if err != nil || len(ents) == 0 {
			t.Errorf("%s: no seed corpus in testdata/fuzz (%v)", name, err)
		}
	}
}
