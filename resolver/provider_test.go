package resolver

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/reqfile"
)

// memIndex is an in-memory Provider built from a compact text DSL, one
// release per line (like golang's mvs_test.go):
//
//	name version [attr ...]: requirement | requirement | ...
//
// Requirements are PEP 508 strings separated by "|". Attributes:
//
//	rp=SPEC     the release's files declare requires_python SPEC
//	mrp=SPEC    only the metadata declares Requires-Python SPEC
//	yanked      every file is yanked
//	wheel=TAGS  adds a wheel name-version-TAGS.whl (repeatable)
//	nosdist     the release has no sdist
//	nometa      asking for the metadata fails
//	extras=a,b  metadata Provides-Extra
type memIndex struct {
	projects  map[string]*pypi.Project
	artifacts map[string]*pypi.Metadata // direct-reference URL -> metadata (see withArtifacts)
	meta      map[string]*pypi.Metadata // "name==key"
	delay     func(call string) time.Duration
	calls     atomic.Int64
	mu        sync.Mutex
	log       []string
}

func newMemIndex(t testing.TB, dsl string) *memIndex {
	t.Helper()
	m := &memIndex{projects: map[string]*pypi.Project{}, meta: map[string]*pypi.Metadata{}}
	for n, line := range strings.Split(dsl, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := m.addLine(line); err != nil {
			t.Fatalf("index line %d %q: %v", n+1, line, err)
		}
	}
	for _, p := range m.projects {
		sort.Slice(p.Releases, func(i, j int) bool { return p.Releases[i].Version.Compare(p.Releases[j].Version) < 0 })
	}
	return m
}

func (m *memIndex) addLine(line string) error {
	head, body, ok := strings.Cut(line, ":")
	if !ok {
		return fmt.Errorf("missing ':'")
	}
	f := strings.Fields(head)
	if len(f) < 2 {
		return fmt.Errorf("want 'name version [attrs]'")
	}
	name := pep508.NormalizeName(f[0])
	v, err := pep440.Parse(f[1])
	if err != nil {
		return err
	}
	files := []pypi.File{{Filename: fmt.Sprintf("%s-%s.tar.gz", name, f[1]), PackageType: "sdist"}}
	meta := &pypi.Metadata{Name: name, Version: v.String(), Source: pypi.SourceJSON}
	var rp string
	var yanked bool
	for _, attr := range f[2:] {
		key, val, _ := strings.Cut(attr, "=")
		switch key {
		case "rp":
			rp = val
		case "mrp":
			meta.RequiresPython = val
		case "yanked":
			yanked = true
		case "wheel":
			files = append(files, pypi.File{Filename: fmt.Sprintf("%s-%s-%s.whl", strings.ReplaceAll(name, "-", "_"), f[1], val), PackageType: "bdist_wheel"})
		case "nosdist":
			files = files[1:]
		case "nometa":
			defer delete(m.meta, name+"=="+f[1])
		case "extras":
			meta.ProvidesExtra = strings.Split(val, ",")
		default:
			return fmt.Errorf("unknown attribute %q", attr)
		}
	}
	for i := range files {
		files[i].URL = "https://files.example/" + files[i].Filename
		files[i].SHA256 = fmt.Sprintf("%064x", len(m.meta)*8+i+1)
		files[i].RequiresPython = rp
		files[i].Yanked = yanked
		if yanked {
			files[i].YankedReason = "broken"
		}
	}
	if meta.RequiresPython == "" {
		meta.RequiresPython = rp
	}
	for _, r := range strings.Split(body, "|") {
		if r = strings.TrimSpace(r); r != "" {
			meta.RequiresDist = append(meta.RequiresDist, r)
		}
	}
	p := m.projects[name]
	if p == nil {
		p = &pypi.Project{Name: name, Index: "mem"}
		m.projects[name] = p
	}
	p.Releases = append(p.Releases, pypi.Release{Version: v, Key: f[1], Index: "mem", Files: files})
	m.meta[name+"=="+f[1]] = meta
	return nil
}

func (m *memIndex) wait(ctx context.Context, call string) error {
	m.calls.Add(1)
	m.mu.Lock()
	m.log = append(m.log, call)
	m.mu.Unlock()
	if m.delay == nil {
		return nil
	}
	select {
	case <-time.After(m.delay(call)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *memIndex) Project(ctx context.Context, name string) (*pypi.Project, error) {
	if err := m.wait(ctx, "project "+name); err != nil {
		return nil, err
	}
	p, ok := m.projects[name]
	if !ok {
		return nil, &pypi.NotFoundError{Name: name, Index: "mem"}
	}
	return p, nil
}

func (m *memIndex) Metadata(ctx context.Context, name string, r pypi.Release) (*pypi.Metadata, error) {
	if err := m.wait(ctx, "metadata "+name+" "+r.Key); err != nil {
		return nil, err
	}
	meta, ok := m.meta[name+"=="+r.Key]
	if !ok {
		return nil, fmt.Errorf("no metadata for %s %s", name, r.Key)
	}
	return meta, nil
}

// rootFile builds the root input: requirement lines (from
// requirements.txt) and constraint lines (from constraints.txt), each
// "spec [--hash=sha256:...]"; a spec "@ <url>" has no name.
func rootFile(t testing.TB, reqs, constraints string) *reqfile.File {
	t.Helper()
	in := &reqfile.File{}
	in.Requirements = parseRootLines(t, "requirements.txt", reqs)
	in.Constraints = parseRootLines(t, "constraints.txt", constraints)
	return in
}

func parseRootLines(t testing.TB, file, text string) []reqfile.Requirement {
	var out []reqfile.Requirement
	for i, line := range strings.Split(strings.TrimPrefix(text, "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		spec, hashes := line, []string(nil)
		if before, h, ok := strings.Cut(line, " --hash="); ok {
			spec, hashes = before, []string{h}
		}
		unnamed := strings.HasPrefix(spec, "@ ") // "@ <url>": a URL without a name
		if unnamed {
			spec = "unnamed " + spec
		}
		r, err := pep508.ParseRequirement(spec)
		if err != nil {
			t.Fatalf("%s:%d: %v", file, i+1, err)
		}
		if unnamed {
			r.Name = ""
		}
		out = append(out, reqfile.Requirement{Requirement: r, Source: reqfile.Source{File: file, Line: i + 1}, Hashes: hashes})
	}
	return out
}

// summary renders a resolution as "name==version[extras]" words, sorted.
func summary(res *Resolution) string {
	var parts []string
	for _, p := range res.Packages {
		s := p.Name + "==" + p.Version
		if len(p.Extras) > 0 {
			s += "[" + strings.Join(p.Extras, ",") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// artifactIndex is a memIndex that can also read direct-reference
// archives (it implements ArtifactMetadataProvider).
type artifactIndex struct{ *memIndex }

func (a artifactIndex) ArtifactMetadata(ctx context.Context, url, sha256 string) (*pypi.Metadata, error) {
	if err := a.wait(ctx, "artifact "+url); err != nil {
		return nil, err
	}
	meta, ok := a.artifacts[url]
	if !ok {
		return nil, fmt.Errorf("GET %s: HTTP 404", url)
	}
	return meta, nil
}
