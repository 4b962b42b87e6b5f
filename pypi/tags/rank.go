package tags

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Target is the interpreter and platform wheels are chosen for.
type Target struct {
	Python   string // "3.12" (major.minor), CPython
	Platform string // x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
	// FreeThreaded targets the free-threading build (PEP 703, ABI cp313t,
	// from 3.13 on). It takes cp3Nt wheels and PEP 803's abi3t, never
	// abi3: the GIL build's stable ABI does not load there.
	FreeThreaded bool
}

// Platform facts of the nixpkgs targets (see the package comment).
const (
	glibcMajor, glibcMinor = 2, 40
	macOSMajor             = 15
)

// Ranker ranks wheel filenames for one target.
type Ranker struct{ impl *ranker }

type ranker struct {
	rank map[string]int // "python-abi-platform" -> position in preference order
	// Memos for Rank, which a resolution calls for every wheel of every
	// release: a project's wheels share their versions and tag sets.
	versions sync.Map // version text -> valid (bool)
	tagSets  sync.Map // "python-abi-platform" text, sets unsplit -> rankResult
}

// rankResult is a memoised rank.
type rankResult struct {
	rank int
	ok   bool
}

// NewRanker builds the ordered list of tags the target supports, most
// preferred first (as packaging.tags.sys_tags orders them for CPython).
func NewRanker(t Target) (*Ranker, error) {
	minor, err := pythonMinor(t.Python)
	if err != nil {
		return nil, err
	}
	if t.FreeThreaded && minor < 13 {
		return nil, fmt.Errorf("unsupported target Python %st: the free-threading build exists from 3.13 on", t.Python)
	}
	platforms, err := platformTags(t.Platform)
	if err != nil {
		return nil, err
	}
	r := &ranker{rank: make(map[string]int)}
	for _, tag := range cpythonTags(minor, t.FreeThreaded, platforms) {
		r.add(tag)
	}
	for _, tag := range compatibleTags(minor, platforms) {
		r.add(tag)
	}
	return &Ranker{r}, nil
}

// SupportedTags returns the target's tags, most preferred first, as
// "python-abi-platform" strings.
func (r *Ranker) SupportedTags() []string {
	out := make([]string, len(r.impl.rank))
	for tag, i := range r.impl.rank {
		out[i] = tag
	}
	return out
}

func (r *ranker) add(tag string) {
	if _, dup := r.rank[tag]; !dup {
		r.rank[tag] = len(r.rank)
	}
}

// pythonMinor checks "3.N" and returns N.
func pythonMinor(python string) (int, error) {
	major, minorText, ok := strings.Cut(python, ".")
	minor, err := strconv.Atoi(minorText)
	if !ok || major != "3" || err != nil || minor < 0 || minorText != strconv.Itoa(minor) {
		return 0, fmt.Errorf("unsupported target Python %q: want CPython 3 as major.minor, e.g. \"3.12\"", python)
	}
	return minor, nil
}

// platformTags lists a platform's tags, most preferred first
// (packaging's _linux_platforms and mac_platforms).
func platformTags(platform string) ([]string, error) {
	switch platform {
	case "x86_64-linux":
		return linuxTags("x86_64", 5), nil
	case "aarch64-linux":
		return linuxTags("aarch64", 17), nil
	case "x86_64-darwin":
		return macTags("x86_64"), nil
	case "aarch64-darwin":
		return macTags("arm64"), nil
	}
	return nil, fmt.Errorf("unsupported target platform %q: want x86_64-linux, aarch64-linux, x86_64-darwin or aarch64-darwin", platform)
}

// legacyManylinux names the glibc versions of the pre-PEP 600 tags.
var legacyManylinux = map[int]string{17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}

// linuxTags lists manylinux_2_N tags from the target glibc down to the
// architecture's oldest (2.5 on x86_64, 2.17 elsewhere), each legacy alias
// right after its manylinux_2_N twin, then linux_ARCH last, as packaging
// 26.0 to 26.2 (pip's) order them. (packaging 26.3 moves linux_ARCH first;
// PyPI accepts no linux_ARCH wheels, so only other indexes could tell.)
func linuxTags(arch string, oldestMinor int) []string {
	var tags []string
	for minor := glibcMinor; minor >= oldestMinor; minor-- {
		tags = append(tags, fmt.Sprintf("manylinux_%d_%d_%s", glibcMajor, minor, arch))
		if legacy, ok := legacyManylinux[minor]; ok {
			tags = append(tags, legacy+"_"+arch)
		}
	}
	return append(tags, "linux_"+arch)
}

// macTags lists macosx_M_0 tags from the target macOS down to 11, then
// macosx_10_16 down to 10_4 (only universal2 for arm64, which has no
// binaries before macOS 11).
func macTags(arch string) []string {
	formats := []string{"arm64", "universal2"}
	if arch == "x86_64" {
		// "fat32" as in packaging up to 26.2 (26.3 spells it "fat3"; no
		// wheel on PyPI uses either).
		formats = []string{"x86_64", "intel", "fat64", "fat32", "universal2", "universal"}
	}
	var tags []string
	for major := macOSMajor; major >= 11; major-- {
		for _, f := range formats {
			tags = append(tags, fmt.Sprintf("macosx_%d_0_%s", major, f))
		}
	}
	if arch != "x86_64" {
		formats = []string{"universal2"}
	}
	for minor := 16; minor >= 4; minor-- {
		for _, f := range formats {
			tags = append(tags, fmt.Sprintf("macosx_10_%d_%s", minor, f))
		}
	}
	return tags
}

// cpythonTags is packaging's cpython_tags: cp3N-<abi>, then the stable ABI
// and none on each platform, then the stable ABI of older minors down to
// 3.2. The GIL build's ABI is cp3N and its stable ABI abi3; the
// free-threading build's are cp3Nt and abi3t (PEP 803, packaging 26.1 and
// later: abi3t is tagged from 3.2 on like abi3, although it exists from
// 3.15; packaging 26.0 had no abi3t, which no wheel for 3.13t or 3.14t can
// use anyway).
func cpythonTags(minor int, freeThreaded bool, platforms []string) []string {
	interp := fmt.Sprintf("cp3%d", minor)
	abi, stable := interp, "abi3"
	if freeThreaded {
		abi, stable = interp+"t", "abi3t"
	}
	var tags []string
	abis := []string{abi, stable, "none"}
	if minor < 2 {
		abis = []string{abi, "none"}
	}
	for _, a := range abis {
		for _, p := range platforms {
			tags = append(tags, interp+"-"+a+"-"+p)
		}
	}
	for older := minor - 1; older >= 2; older-- {
		for _, p := range platforms {
			tags = append(tags, fmt.Sprintf("cp3%d-%s-%s", older, stable, p))
		}
	}
	return tags
}

// compatibleTags is packaging's compatible_tags: py3N, py3, py3(N-1) ...
// py30 with abi none on each platform, then cp3N-none-any, then the same
// python tags on "any".
func compatibleTags(minor int, platforms []string) []string {
	pythons := []string{fmt.Sprintf("py3%d", minor), "py3"}
	for older := minor - 1; older >= 0; older-- {
		pythons = append(pythons, fmt.Sprintf("py3%d", older))
	}
	var tags []string
	for _, py := range pythons {
		for _, p := range platforms {
			tags = append(tags, py+"-none-"+p)
		}
	}
	tags = append(tags, fmt.Sprintf("cp3%d-none-any", minor))
	for _, py := range pythons {
		tags = append(tags, py+"-none-any")
	}
	return tags
}

// Rank returns the wheel's rank for the target (0 is best; lower is better)
// and whether it is installable there at all. A wheel's rank is that of its
// best tag (a compressed set such as py2.py3-none-any has several).
func (r *Ranker) Rank(filename string) (rank int, ok bool) {
	n, err := parseWheelName(filename, r.impl.validVersion)
	if err != nil {
		return 0, false
	}
	if res, found := r.impl.tagSets.Load(n.tagText); found {
		return res.(rankResult).rank, res.(rankResult).ok
	}
	w := Wheel{Distribution: n.distribution, Version: n.version, Build: n.build}
	for i, set := range []*[]string{&w.Python, &w.ABI, &w.Platform} {
		if *set, err = splitTagSet(n.tags[i], tagKinds[i]); err != nil {
			r.impl.tagSets.Store(n.tagText, rankResult{})
			return 0, false
		}
	}
	rank, ok = r.rankWheel(w)
	r.impl.tagSets.Store(n.tagText, rankResult{rank, ok})
	return rank, ok
}

// validVersion reports whether a version is PEP 440 (memoised).
func (r *ranker) validVersion(v string) bool {
	if ok, found := r.versions.Load(v); found {
		return ok.(bool)
	}
	_, err := pep440.Parse(v)
	r.versions.Store(v, err == nil)
	return err == nil
}

func (r *Ranker) rankWheel(w Wheel) (rank int, ok bool) {
	for _, tag := range w.Tags() {
		if i, found := r.impl.rank[tag]; found && (!ok || i < rank) {
			rank, ok = i, true
		}
	}
	return rank, ok
}

// Best returns the index in filenames of the best installable wheel, or -1.
// Non-wheel filenames are ignored. Ties go to the earliest.
func (r *Ranker) Best(filenames []string) int {
	best, bestRank := -1, 0
	for i, f := range filenames {
		if rank, ok := r.Rank(f); ok && (best < 0 || rank < bestRank) {
			best, bestRank = i, rank
		}
	}
	return best
}
