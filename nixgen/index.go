package nixgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// Entry is one usable Python package of a nixpkgs package set.
type Entry struct {
	Attr    string // attribute name in the package set, e.g. "pyyaml"
	PName   string // the derivation's pname as nixpkgs spells it, e.g. "PyYAML"
	Version string // the version nixpkgs ships; "" = present, version unknown

	// Facts an evaluated index records (nil = unknown, e.g. in an index of
	// names only or an older index file):
	Dependencies []string // attributes of the Python packages it propagates at run time (dependencies / propagatedBuildInputs)
	BuildSystem  []string // attributes of its build-system
	Platforms    []string // the systems it is available on (meta.platforms minus badPlatforms, not broken), of the four req2nix targets
}

// Index maps PEP 503-normalised project names to the packages of one nixpkgs
// Python package set (pkgs.<PythonAttr>.pkgs). Build it with NewIndex,
// LoadIndexFile, EvalIndex or EmbeddedIndex; it is read-only afterwards.
//
// Packages are ordered by normalised pname, the best attribute of a name
// first (see canonicalLess), with their positions in attribute order
// beside them: names and attributes are found by binary search, without
// maps to build. An index read from its cache (indexcache.go) keeps each
// package as its line of the file, decoded only when looked at, so that a
// warm run, which looks at a hundred of ~9,000 packages, loads it in a
// fraction of a millisecond.
type Index struct {
	PythonAttr    string // interpreter attribute, e.g. "python312"
	PythonVersion string // interpreter version when known, e.g. "3.12.10"
	Source        string // where the data came from, for the user and the report

	pkgs   *packages // shared by the views of ForPlatform
	system string    // when set, packages known not to be available on it are not used (ForPlatform)
}

// packages are an index's packages and other attributes. Entries holds
// them decoded, or lines as cache lines (see indexcache.go).
type packages struct {
	entries []Entry                 // by normalised pname, canonical first within a name
	names   []string                // names[i]: the normalised pname of entries[i]
	lines   []string                // the packages as cache lines, when entries is nil
	decoded []atomic.Pointer[Entry] // lines decoded so far (made on the first)
	once    sync.Once
	byAttr  []int32  // package positions in attribute order
	others  []string // the set's other attributes (helpers, aliases, broken ones), sorted, none a package's
}

// len is the number of packages.
func (p *packages) len() int {
	if p.lines != nil {
		return len(p.lines)
	}
	return len(p.entries)
}

// name is the normalised pname of package i.
func (p *packages) name(i int) string {
	if p.lines != nil {
		return lineName(p.lines[i])
	}
	return p.names[i]
}

// attr is the attribute of package i.
func (p *packages) attr(i int) string {
	if p.lines != nil {
		return lineAttr(p.lines[i])
	}
	return p.entries[i].Attr
}

// entry is package i. A line is decoded once (a plan's closures ask for
// the same packages over and over).
func (p *packages) entry(i int) Entry {
	if p.lines == nil {
		return p.entries[i]
	}
	p.once.Do(func() { p.decoded = make([]atomic.Pointer[Entry], len(p.lines)) })
	e := p.decoded[i].Load()
	if e == nil {
		e = lineEntry(p.lines[i])
		p.decoded[i].Store(e)
	}
	return *e
}

// run returns the positions [lo, hi) of the packages of a normalised name.
func (p *packages) run(name string) (lo, hi int) {
	lo = sort.Search(p.len(), func(i int) bool { return p.name(i) >= name })
	hi = lo
	for hi < p.len() && p.name(hi) == name {
		hi++
	}
	return lo, hi
}

// find returns the position of the package with attribute attr.
func (p *packages) find(attr string) (int, bool) {
	k := sort.Search(len(p.byAttr), func(k int) bool { return p.attr(int(p.byAttr[k])) >= attr })
	if k < len(p.byAttr) && p.attr(int(p.byAttr[k])) == attr {
		return int(p.byAttr[k]), true
	}
	return 0, false
}

// isOther reports whether attr is one of the other attributes.
func (p *packages) isOther(attr string) bool {
	_, found := slices.BinarySearch(p.others, attr)
	return found
}

// NewIndex builds an index from package entries and the names of the set's
// other attributes (helpers, aliases, broken or throwing attributes), which
// are never referenced but must not be shadowed by new packages. An entry
// with an empty PName is taken to have pname = Attr.
func NewIndex(pythonAttr, source string, entries []Entry, otherAttrs []string) (*Index, error) {
	what := "nixpkgs index " + source + ": entry"
	sorted := make([]Entry, 0, len(entries))
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Attr == "" {
			return nil, fmt.Errorf("nixpkgs index %s: an entry (pname %q) has no attribute name", source, e.PName)
		}
		if err := checkEntry(what, e); err != nil {
			return nil, err
		}
		if e.PName == "" {
			e.PName = e.Attr
		}
		sorted = append(sorted, e)
		names = append(names, pep508.NormalizeName(e.PName))
	}
	order := make([]int, len(sorted))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if names[i] != names[j] {
			return names[i] < names[j]
		}
		return canonicalLess(names[i], sorted[i], sorted[j])
	})
	p := &packages{entries: make([]Entry, len(sorted)), names: make([]string, len(sorted))}
	for k, i := range order {
		p.entries[k], p.names[k] = sorted[i], names[i]
	}
	for _, a := range otherAttrs {
		if err := checkNixValue("nixpkgs index "+source+": attribute", a); err != nil {
			return nil, err
		}
	}
	if err := p.order(otherAttrs); err != nil {
		return nil, fmt.Errorf("nixpkgs index %s: %w", source, err)
	}
	return &Index{PythonAttr: pythonAttr, Source: source, pkgs: p}, nil
}

// checkEntry refuses values Nix cannot hold in any field of e.
func checkEntry(what string, e Entry) error {
	for _, v := range [3]string{e.Attr, e.PName, e.Version} {
		if err := checkNixValue(what, v); err != nil {
			return err
		}
	}
	for _, list := range [3][]string{e.Dependencies, e.BuildSystem, e.Platforms} {
		for _, v := range list {
			if err := checkNixValue(what, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// order fills byAttr and others (the other attributes sorted, without
// duplicates and packages); an attribute listed twice is an error.
func (p *packages) order(otherAttrs []string) error {
	p.byAttr = make([]int32, p.len())
	for i := range p.byAttr {
		p.byAttr[i] = int32(i)
	}
	slices.SortFunc(p.byAttr, func(a, b int32) int { return strings.Compare(p.attr(int(a)), p.attr(int(b))) })
	for k := 1; k < len(p.byAttr); k++ {
		if a := p.attr(int(p.byAttr[k])); a == p.attr(int(p.byAttr[k-1])) {
			return fmt.Errorf("attribute %q is listed twice", a)
		}
	}
	p.others = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(otherAttrs))), func(a string) bool {
		_, isPackage := p.find(a)
		return isPackage
	})
	if len(p.others) == 0 {
		p.others = nil
	}
	return nil
}

// canonicalLess orders the attributes sharing one normalised pname, best
// first: the attribute spelled exactly as the normalised project name (the
// one nixpkgs treats as the default, e.g. "django" over "django_5"), then
// one that normalises to it (a legacy spelling), then the shorter name
// (versioned variants such as "pytest_7" are longer), then byte order.
func canonicalLess(name string, a, b Entry) bool {
	if ra, rb := attrRank(name, a.Attr), attrRank(name, b.Attr); ra != rb {
		return ra < rb
	}
	if len(a.Attr) != len(b.Attr) {
		return len(a.Attr) < len(b.Attr)
	}
	return a.Attr < b.Attr
}

func attrRank(name, attr string) int {
	switch {
	case attr == name:
		return 0
	case pep508.NormalizeName(attr) == name:
		return 1
	}
	return 2
}

// ForPlatform returns a view of the index for one target system: packages
// whose Platforms are known and do not include it (broken there, or not
// built for it) are no longer found, though their attributes stay known
// (never shadowed). Packages of unknown platforms are kept.
func (ix *Index) ForPlatform(system string) *Index {
	view := *ix
	view.system = system
	return &view
}

// usable reports whether e may be used on the index's system.
func (ix *Index) usable(e *Entry) bool {
	return ix.system == "" || e.Platforms == nil || slices.Contains(e.Platforms, ix.system)
}

// named returns the usable entries of a normalised name, canonical first.
func (ix *Index) named(name string) []Entry {
	lo, hi := ix.pkgs.run(name)
	if lo == hi {
		return nil
	}
	if ix.pkgs.lines == nil && ix.system == "" {
		return ix.pkgs.entries[lo:hi]
	}
	run := make([]Entry, 0, hi-lo)
	for i := lo; i < hi; i++ {
		if e := ix.pkgs.entry(i); ix.usable(&e) {
			run = append(run, e)
		}
	}
	return run
}

// Lookup returns the canonical entry of a project, by PEP 503-normalised
// name (matched against the normalised pname, not the attribute name).
func (ix *Index) Lookup(name string) (Entry, bool) {
	es := ix.named(pep508.NormalizeName(name))
	if len(es) == 0 {
		return Entry{}, false
	}
	return es[0], true
}

// lookupVersion prefers an entry shipping exactly version (a cache hit,
// e.g. "django_5" when 5.x is wanted), else the canonical entry.
func (ix *Index) lookupVersion(name, version string) (Entry, bool) {
	es := ix.named(pep508.NormalizeName(name))
	for _, e := range es {
		if sameVersion(e.Version, version) {
			return e, true
		}
	}
	if len(es) == 0 {
		return Entry{}, false
	}
	return es[0], true
}

// EntryByAttr returns the usable package of the set named attr.
func (ix *Index) EntryByAttr(attr string) (Entry, bool) {
	i, ok := ix.pkgs.find(attr)
	if !ok {
		return Entry{}, false
	}
	e := ix.pkgs.entry(i)
	if !ix.usable(&e) {
		return Entry{}, false
	}
	return e, true
}

// hasAttr reports whether attr exists in the package set in any form.
func (ix *Index) hasAttr(attr string) bool {
	_, ok := ix.pkgs.find(attr)
	return ok || ix.pkgs.isOther(attr)
}

// Len is the number of usable packages.
func (ix *Index) Len() int {
	n := 0
	for i := range ix.pkgs.len() {
		if ix.system == "" || ix.pkgs.availableOn(i, ix.system) {
			n++
		}
	}
	return n
}

// all yields every package, in index order.
func (ix *Index) all() iter.Seq2[string, Entry] {
	return func(yield func(string, Entry) bool) {
		for i := range ix.pkgs.len() {
			if !yield(ix.pkgs.name(i), ix.pkgs.entry(i)) {
				return
			}
		}
	}
}

// Version returns the version nixpkgs ships of a project, by PEP
// 503-normalised name: that of its canonical usable entry; "" when
// nixpkgs lacks it or its version is unknown. It answers the resolver's
// preference for nixpkgs' versions (resolver.Options.NixpkgsVersion).
func (ix *Index) Version(name string) string {
	if es := ix.named(name); len(es) > 0 {
		return es[0].Version
	}
	return ""
}

// Versions returns project name -> nixpkgs version of every canonical entry
// whose version is known (see Version, which asks without building the
// map).
func (ix *Index) Versions() map[string]string {
	out := map[string]string{}
	for i := range ix.pkgs.len() {
		name := ix.pkgs.name(i)
		if _, done := out[name]; done {
			continue
		}
		if v := ix.Version(name); v != "" {
			out[name] = v
		}
	}
	return out
}

// sameVersion reports whether a nixpkgs version equals a resolved version:
// equal strings, or equal PEP 440 versions ("2022.06.15" == "2022.6.15").
// An unknown ("") nixpkgs version never matches.
func sameVersion(nixVersion, resolved string) bool {
	if nixVersion == "" {
		return false
	}
	if nixVersion == resolved {
		return true
	}
	a, errA := pep440.Parse(nixVersion)
	b, errB := pep440.Parse(resolved)
	return errA == nil && errB == nil && a.Compare(b) == 0
}

// indexFile is the JSON form of an index, shared by LoadIndexFile, the
// EvalIndex cache and the embedded index:
//
//	{
//	  "source": "evaluated nixpkgs b1b3291…",   // optional, free text
//	  "python_attr": "python312",              // optional; must match when given
//	  "python_version": "3.12.10",             // optional
//	  "packages": [                            // usable packages
//	    {"attr": "pyyaml", "pname": "PyYAML", "version": "6.0.2"},
//	    {"attr": "flask"},                     // pname defaults to attr, version unknown
//	    {"attr": "requests", "version": "2.32.3",
//	     "dependencies": ["certifi", "idna"],  // optional: run-time Python dependencies, by attribute
//	     "build_system": ["setuptools"],       // optional: build-system attributes
//	     "platforms": ["x86_64-linux"]}        // optional: systems it is available on (absent = unknown)
//	  ],
//	  "other_attrs": ["bootstrap", "pytest7CheckHook"]  // optional: never used, never shadowed
//	}
type indexFile struct {
	Note          string      `json:"note,omitempty"` // free text for humans, ignored
	Source        string      `json:"source,omitempty"`
	PythonAttr    string      `json:"python_attr,omitempty"`
	PythonVersion string      `json:"python_version,omitempty"`
	Packages      []indexItem `json:"packages"`
	OtherAttrs    []string    `json:"other_attrs,omitempty"`
}

type indexItem struct {
	Attr         string   `json:"attr"`
	PName        string   `json:"pname,omitempty"`
	Version      string   `json:"version,omitempty"`
	Dependencies []string `json:"dependencies,omitempty"`
	BuildSystem  []string `json:"build_system,omitempty"`
	Platforms    []string `json:"platforms,omitempty"`
}

// MarshalJSON writes the index in the JSON format LoadIndexFile reads,
// packages and other attributes sorted by attribute name.
func (ix *Index) MarshalJSON() ([]byte, error) {
	f := indexFile{Source: ix.Source, PythonAttr: ix.PythonAttr, PythonVersion: ix.PythonVersion, Packages: []indexItem{}}
	for _, e := range ix.all() {
		item := indexItem{Attr: e.Attr, PName: e.PName, Version: e.Version,
			Dependencies: e.Dependencies, BuildSystem: e.BuildSystem, Platforms: e.Platforms}
		if item.PName == item.Attr {
			item.PName = "" // the default
		}
		f.Packages = append(f.Packages, item)
	}
	f.OtherAttrs = ix.otherAttrs()
	sort.Slice(f.Packages, func(i, j int) bool { return f.Packages[i].Attr < f.Packages[j].Attr })
	return json.Marshal(f)
}

// otherAttrs lists the other attributes, sorted.
func (ix *Index) otherAttrs() []string { return ix.pkgs.others }

// LoadIndexFile reads an index from a JSON file in the format documented on
// indexFile (the format EvalIndex produces and caches). pythonAttr is the
// interpreter the index is for; a file naming another interpreter is an
// error.
func LoadIndexFile(path, pythonAttr string) (*Index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return nil, fmt.Errorf("nixpkgs index file %s: cannot read it: %w", path, err)
	}
	return parseIndex(data, pythonAttr, "file "+path)
}

// parseIndex decodes the JSON index format; source names it in errors and
// becomes Index.Source unless the file carries its own.
func parseIndex(data []byte, pythonAttr, source string) (*Index, error) {
	f, err := decodeIndexFile(data, source)
	if err != nil {
		return nil, err
	}
	if f.Source != "" {
		source = f.Source + " (" + source + ")"
	}
	return f.index(pythonAttr, source)
}

// decodeIndexFile decodes the JSON index format strictly.
func decodeIndexFile(data []byte, source string) (*indexFile, error) {
	var f indexFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("nixpkgs index %s: %s (expected {\"python_attr\": ..., \"packages\": [{\"attr\", \"pname\", \"version\"}]})", source, jsonProblem(data, err))
	}
	return &f, nil
}

// jsonProblem words a decoding error for the person who wrote the file: the
// line and column of a syntax error, the field and the kinds of a type error
// (not encoding/json's Go type names).
func jsonProblem(data []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := lineCol(data, syntax.Offset)
		return fmt.Sprintf("line %d, column %d: invalid JSON: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return fmt.Sprintf("line %d, column %d: %s must be %s, not a %s", line, col, typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the JSON ends early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names what a Go type is in JSON.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	default:
		return "a number"
	}
}

// lineCol is the 1-based line and column of the last byte of the first
// offset bytes (encoding/json reports an error after reading the culprit).
func lineCol(data []byte, offset int64) (line, col int) {
	before := data[:max(0, min(int(offset), len(data)))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n') - 1
	return line, max(col, 1)
}

// index builds the Index of a decoded file for pythonAttr.
func (f *indexFile) index(pythonAttr, source string) (*Index, error) {
	if f.PythonAttr != "" && pythonAttr != "" && f.PythonAttr != pythonAttr {
		return nil, fmt.Errorf("nixpkgs index %s is for %s, not %s: evaluate it for %s or choose --python accordingly", source, f.PythonAttr, pythonAttr, pythonAttr)
	}
	attr := f.PythonAttr
	if attr == "" {
		attr = pythonAttr
	}
	entries := make([]Entry, len(f.Packages))
	for i, p := range f.Packages {
		entries[i] = Entry{Attr: p.Attr, PName: p.PName, Version: p.Version,
			Dependencies: p.Dependencies, BuildSystem: p.BuildSystem, Platforms: p.Platforms}
	}
	ix, err := NewIndex(attr, source, entries, f.OtherAttrs)
	if err != nil {
		return nil, err
	}
	ix.PythonVersion = f.PythonVersion
	return ix, nil
}
