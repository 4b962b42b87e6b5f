package resolver

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/req2nix/req2nix/pypi"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
	"github.com/req2nix/req2nix/pypi/tags"
)

// projectInfo is a project's releases analysed for the target: which can be
// used, why the others cannot, and which files each would install.
//
// Version sets of a project have one element more than it has releases:
// the last index is a phantom release that is never usable, standing for
// "a version the index does not have".
type projectInfo struct {
	proj       *pypi.Project
	versions   []pep440.Version // parsed from the index's keys, whose spelling === compares
	usable     vset             // releases that may be chosen
	pre        vset             // pre- and dev-releases
	why        []string         // per release: why it cannot be used ("" when usable)
	files      [][]pypi.File    // per release: files usable on the target, sdists first
	yanked     []bool           // per release: chosen only because pinned exactly
	yankedOnly vset             // releases unusable only because they are yanked: a dependency's exact pin may still select them
	sets       *sync.Map        // specifier text -> vset (memoised specSet, shared by every target)
	positions  sync.Map         // version text -> index's answer (memoised: asked for every decision)
}

// target is everything candidate filtering depends on; it is read-only
// during a resolution and shared with the speculating goroutines.
type target struct {
	python     pep440.Version // full version, e.g. 3.12.8
	platform   string
	tagTarget  tags.Target
	rankOnce   sync.Once
	ranker     *tags.Ranker           // built on the first wheel seen; nil if the target has no tags
	pythonOK   sync.Map               // requires-python text -> whether it admits python (pythonMatches, memoised)
	pins       map[string][]string    // name -> versions pinned exactly (== / ===) by the root
	noBinary   map[string]bool        // --no-binary: names or ":all:"
	onlyBinary map[string]bool        // --only-binary: names or ":all:"
	onlyFinal  func(name string) bool // pip's --only-final applies to name
	hashes     map[string]rootHashes
	shared     *sharedAnalysis
	// excludeNewer, when set, drops files uploaded at or after it (and
	// files without an upload time).
	excludeNewer time.Time
}

// rootHashes are the --hash values given for one package.
type rootHashes struct {
	sha256 map[string]bool
	origin string
}

// analyse classifies a project's releases for the target.
func (t *target) analyse(proj *pypi.Project) *projectInfo {
	sets := t.shared.specSets(proj)
	if !sort.SliceIsSorted(proj.Releases, func(i, j int) bool {
		return proj.Releases[i].Version.Compare(proj.Releases[j].Version) < 0
	}) { // the contract says ascending; do not trust an index on it
		sorted := *proj
		sorted.Releases = append([]pypi.Release(nil), proj.Releases...)
		sort.SliceStable(sorted.Releases, func(i, j int) bool {
			return sorted.Releases[i].Version.Compare(sorted.Releases[j].Version) < 0
		})
		proj = &sorted
	}
	name := pep508.NormalizeName(proj.Name) // the contract says normalised; be sure
	n := len(proj.Releases)
	info := &projectInfo{proj: proj, versions: make([]pep440.Version, n),
		why: make([]string, n), files: make([][]pypi.File, n), yanked: make([]bool, n), sets: sets}
	for i, r := range proj.Releases {
		info.versions[i] = r.Version
		info.files[i], info.why[i] = t.usableFiles(name, r)
		if info.why[i] == "" && r.Yanked() {
			if t.pinned(name, r) {
				info.yanked[i] = true
			} else {
				info.why[i] = yankedWhy + yankReason(r) // hints say how to use it
			}
		}
		if info.why[i] == "" && r.Version.IsPrerelease() && t.onlyFinal != nil && t.onlyFinal(name) {
			info.why[i] = onlyFinalWhy
		}
	}
	info.usable = setOf(n+1, func(i int) bool { return i < n && info.why[i] == "" })
	info.yankedOnly = setOf(n+1, func(i int) bool { return i < n && strings.HasPrefix(info.why[i], yankedWhy) })
	info.pre = setOf(n+1, func(i int) bool { return i < n && info.versions[i].IsPrerelease() })
	return info
}

// yankedWhy is why a yanked release that nothing pins cannot be used;
// onlyFinalWhy why a pre-release cannot.
const (
	yankedWhy    = "is yanked"
	onlyFinalWhy = "is a pre-release (excluded by --only-final)"
)

func yankReason(r pypi.Release) string {
	for _, f := range r.Files {
		if f.YankedReason != "" {
			return fmt.Sprintf(" (reason: %s)", f.YankedReason)
		}
	}
	return ""
}

// pinned reports whether the root pins this exact release with == or ===.
func (t *target) pinned(name string, r pypi.Release) bool {
	for _, p := range t.pins[name] {
		if p == r.Key || p == r.Version.String() {
			return true
		}
		if v, err := pep440.Parse(p); err == nil && v.Compare(r.Version) == 0 {
			return true
		}
	}
	return false
}

// usableFiles returns the release's files installable on the target (the
// sdists, then the wheels from best to worst), or why there are none.
// With --exclude-newer, only the files uploaded before it are considered.
func (t *target) usableFiles(name string, r pypi.Release) ([]pypi.File, string) {
	files, why := t.uploadedInTime(r.Files)
	if len(files) == 0 && len(r.Files) > 0 {
		return nil, why
	}
	var usable []pypi.File // sdists, then the wheels in rank order
	var wheels []rankedFile
	platformOK, pythonOK := false, false
	var needs, excludedBy string
	for i, f := range files {
		k, kind := t.fileKind(f)
		switch {
		case kind == "":
			continue
		case !t.formatAllowed(name, kind):
			excludedBy = map[string]string{"sdist": "--only-binary", "wheel": "--no-binary"}[kind]
			continue
		case !t.pythonMatches(f.RequiresPython):
			platformOK, needs = true, f.RequiresPython
			continue
		}
		platformOK, pythonOK = true, true
		switch {
		case !t.hashMatches(name, f):
		case kind == "sdist":
			usable = append(slices.Grow(usable, len(files)), f) // one allocation a release
		default:
			wheels = append(wheels, rankedFile{i, k})
		}
	}
	slices.SortStableFunc(wheels, func(a, b rankedFile) int { return cmp.Compare(a.rank, b.rank) })
	for _, w := range wheels {
		usable = append(slices.Grow(usable, len(files)), files[w.file])
	}
	switch {
	case len(usable) > 0:
		return usable, ""
	case !platformOK && excludedBy != "":
		return nil, fmt.Sprintf("has no file for %s that %s allows", t.describe(), excludedBy)
	case !platformOK:
		return nil, fmt.Sprintf("has no sdist and no wheel for %s", t.describe())
	case !pythonOK:
		return nil, pythonWhy(needs)
	default:
		return nil, "has no file matching the hashes given in " + t.hashes[name].origin
	}
}

// rankedFile is a wheel (its position in the release's files) with its
// tag rank for the target (lower is better).
type rankedFile struct {
	file, rank int
}

// uploadedWhy prefixes the reason a release cannot be used when every file
// of it was uploaded too late for --exclude-newer.
const uploadedWhy = "was uploaded "

// uploadedInTime keeps the files uploaded before the --exclude-newer
// cutoff (all files when there is none), and says why there are none left.
// As in uv, a file without an upload time is not known to be old enough.
func (t *target) uploadedInTime(files []pypi.File) ([]pypi.File, string) {
	if t.excludeNewer.IsZero() {
		return files, ""
	}
	var kept []pypi.File
	dated := false
	for _, f := range files {
		dated = dated || !f.UploadTime.IsZero()
		if !f.UploadTime.IsZero() && f.UploadTime.Before(t.excludeNewer) {
			kept = append(kept, f)
		}
	}
	if dated {
		return kept, uploadedWhy + cutoffText(t.excludeNewer) + " (--exclude-newer)"
	}
	return kept, "has no upload time on its index, which --exclude-newer needs"
}

// cutoffText words an --exclude-newer cutoff: "after 2023-01-01" for the
// midnight (UTC) ending that day, else "at or after" the instant.
func cutoffText(cutoff time.Time) string {
	cutoff = cutoff.UTC()
	if cutoff.Equal(cutoff.Truncate(24 * time.Hour)) {
		return "after " + cutoff.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return "at or after " + cutoff.Format(time.RFC3339Nano)
}

// formatAllowed applies --no-binary and --only-binary as pip's
// FormatControl.get_allowed_formats does: a project named in one list wins
// over ":all:" in the other.
func (t *target) formatAllowed(name, kind string) bool {
	source, binary := true, true
	switch {
	case t.onlyBinary[name]:
		source = false
	case t.noBinary[name]:
		binary = false
	case t.onlyBinary[":all:"]:
		source = false
	case t.noBinary[":all:"]:
		binary = false
	}
	if kind == "sdist" {
		return source
	}
	return binary
}

func (t *target) describe() string {
	if t.tagTarget.FreeThreaded {
		return fmt.Sprintf("CPython %s (free-threading) on %s", t.python, t.platform)
	}
	return fmt.Sprintf("CPython %s on %s", t.python, t.platform)
}

// fileKind classifies a file: "sdist", "wheel" (with its rank for the
// target), or "" when it cannot be installed there.
func (t *target) fileKind(f pypi.File) (int, string) {
	if strings.HasSuffix(f.Filename, ".whl") {
		t.rankOnce.Do(func() { t.ranker, _ = tags.NewRanker(t.tagTarget) })
		if t.ranker == nil {
			return 0, ""
		}
		if rank, ok := t.ranker.Rank(f.Filename); ok {
			return rank, "wheel"
		}
		return 0, ""
	}
	if f.PackageType == "sdist" || isSdistName(f.Filename) {
		return 0, "sdist"
	}
	return 0, ""
}

func isSdistName(filename string) bool {
	for _, ext := range []string{".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"} {
		if strings.HasSuffix(filename, ext) {
			return true
		}
	}
	return false
}

// pythonMatches reports whether a requires-python value admits the target.
// Like pip, an unparseable value is ignored.
// Every file of every release is asked about, and a project's files
// mostly share one value: the answers are memoised.
func (t *target) pythonMatches(requires string) bool {
	if strings.TrimSpace(requires) == "" {
		return true
	}
	if ok, found := t.pythonOK.Load(requires); found {
		return ok.(bool)
	}
	spec, err := pep440.ParseSpecifiers(requires)
	ok := err != nil || spec.Contains(t.python, true)
	t.pythonOK.Store(requires, ok)
	return ok
}

func (t *target) hashMatches(name string, f pypi.File) bool {
	h, ok := t.hashes[name]
	return !ok || h.sha256[strings.ToLower(f.SHA256)]
}

// specSet is the set of releases a specifier contains, pre-releases
// included (whether they may be chosen is decided at decision time). A
// specifier no release matches gives the phantom set, so that the solver
// meets it as "no version matches" rather than as an empty dependency.
func (info *projectInfo) specSet(spec pep440.Specifiers) vset {
	key := spec.String()
	if s, ok := info.sets.Load(key); ok {
		return s.(vset)
	}
	s := info.evalSpec(spec)
	info.sets.Store(key, s)
	return s
}

func (info *projectInfo) evalSpec(spec pep440.Specifiers) vset {
	n := len(info.versions)
	s := setOf(n+1, func(i int) bool { return i < n && spec.Contains(info.versions[i], true) })
	if s.isEmpty() {
		s = singleton(n+1, n)
	}
	if spec.IsEmpty() {
		return s.withLabel(anyLabel)
	}
	return s.withLabel(spec.String())
}

// anyLabel labels the set of a requirement without specifier.
const anyLabel = "*"

// index returns the position of version v, or -1.
func (info *projectInfo) index(v string) int {
	if i, ok := info.positions.Load(v); ok {
		return i.(int)
	}
	i := info.position(v)
	info.positions.Store(v, i)
	return i
}

func (info *projectInfo) position(v string) int {
	want, err := pep440.Parse(v)
	if err != nil {
		return -1
	}
	for i, have := range info.versions {
		if have.Compare(want) == 0 {
			return i
		}
	}
	return -1
}

// candidates narrows allowed to the releases that may be chosen:
// usable ones (info.usable, or more: see world.usableSet), and
// pre-releases as pre says: always (Allow), never (Deny: pip's
// --only-final), or only when no final release is left (Default: PEP
// 440's rule).
func (info *projectInfo) candidates(allowed, usable vset, pre pep440.PrereleasePolicy) vset {
	c := allowed.intersect(usable)
	switch finals := c.minus(info.pre); {
	case pre == pep440.PrereleasesDeny, pre == pep440.PrereleasesDefault && !finals.isEmpty():
		return finals
	}
	return c
}

// preferred picks from candidates: the pinned version, then nixpkgs'
// version (either may be ""), then the newest.
func (info *projectInfo) preferred(c vset, pinned, nixpkgs string) (int, bool) {
	for _, v := range []string{pinned, nixpkgs} {
		if v == "" {
			continue
		}
		if i := info.index(v); i >= 0 && c.has(i) {
			return i, true
		}
	}
	h := c.highest()
	return h, h >= 0
}
