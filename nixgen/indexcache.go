package nixgen

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The cache of an evaluated index (and the embedded index) is a small text
// format rather than JSON: a warm re-run loads it on every run, and
// decoding ~9,000 entries with encoding/json (or encoding/gob) takes tens
// of milliseconds, most of a pre-commit hook's budget. It is line-based,
// one package a line, so it also diffs well:
//
//	req2nix-index 2
//	source<TAB>evaluated nixpkgs nixos-26.05 7c8764b7…
//	python_attr<TAB>python313
//	python_version<TAB>3.13.5
//	entries<TAB>N
//	<name><TAB><attr><TAB><pname><TAB><version><TAB><deps><TAB><build-system><TAB><platforms>
//	…                                     (N lines)
//	by_attr<TAB><i> <j> …                 (the N entry numbers in attribute order)
//	others<TAB>M
//	<attr>                                (M lines, sorted)
//
// Entries are in Index order: by normalised pname (<name>), the canonical
// attribute of a name first; with by_attr, names and attributes are found
// by binary search, so loading neither sorts nor builds maps: the file is
// checked, and each line decoded only when its package is looked at.
// <name> and <pname> are empty when they equal <attr>. <deps> and
// <build-system> are "?" when unknown, else ":" followed by the attribute
// names separated by spaces (":" alone: none). <platforms> is "?" when
// unknown, one hexadecimal digit when every system is one of flakeSystems
// (bit i set: flakeSystems[i] is supported), else a ":" list. In every
// value, "\" "TAB" and "newline" are written \\ \t \n, and in list items
// "space" is written \s.
//
// Version 1 of the format (no by_attr line) is still read, decoded in full.
const (
	cacheMagic       = "req2nix-index 2"
	legacyCacheMagic = "req2nix-index 1"
)

// encodeCache writes ix in the cache format.
func (ix *Index) encodeCache() []byte {
	var b bytes.Buffer
	n := ix.pkgs.len()
	b.Grow(100 * (n + 8))
	b.WriteString(cacheMagic + "\n")
	for _, kv := range [][2]string{{"source", ix.Source}, {"python_attr", ix.PythonAttr}, {"python_version", ix.PythonVersion}} {
		b.WriteString(kv[0] + "\t" + cacheEscape(kv[1]) + "\n")
	}
	b.WriteString("entries\t" + strconv.Itoa(n) + "\n")
	for name, e := range ix.all() {
		pname := e.PName
		if name == e.Attr {
			name = ""
		}
		if pname == e.Attr {
			pname = ""
		}
		for _, v := range [4]string{name, e.Attr, pname, e.Version} {
			b.WriteString(cacheEscape(v))
			b.WriteByte('\t')
		}
		b.WriteString(cacheList(e.Dependencies))
		b.WriteByte('\t')
		b.WriteString(cacheList(e.BuildSystem))
		b.WriteByte('\t')
		b.WriteString(cachePlatforms(e.Platforms))
		b.WriteByte('\n')
	}
	b.WriteString("by_attr\t")
	for k, i := range ix.pkgs.byAttr {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(i)))
	}
	b.WriteString("\n")
	others := ix.otherAttrs()
	b.WriteString("others\t" + strconv.Itoa(len(others)) + "\n")
	for _, a := range others {
		b.WriteString(cacheEscape(a) + "\n")
	}
	return b.Bytes()
}

var (
	cacheEscaper     = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`)
	cacheItemEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, " ", `\s`)
)

func cacheEscape(s string) string {
	if strings.ContainsAny(s, "\\\t\n") {
		return cacheEscaper.Replace(s)
	}
	return s
}

func cacheEscapeItem(s string) string {
	if strings.ContainsAny(s, "\\\t\n ") {
		return cacheItemEscaper.Replace(s)
	}
	return s
}

func cacheUnescape(s string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i++; i == len(s) {
			return "", errors.New("a value ends in a lone backslash")
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 's':
			b.WriteByte(' ')
		default:
			return "", fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return b.String(), nil
}

func cacheList(list []string) string {
	if list == nil {
		return "?"
	}
	var b strings.Builder
	b.WriteByte(':')
	for i, v := range list {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(cacheEscapeItem(v))
	}
	return b.String()
}

func cachePlatforms(systems []string) string {
	if systems == nil {
		return "?"
	}
	mask := 0
	for _, s := range systems {
		bit := systemBit(s)
		if bit < 0 || mask&(1<<bit) != 0 {
			return cacheList(systems)
		}
		mask |= 1 << bit
	}
	if !sameStrings(platformsOfMask[mask], systems) {
		return cacheList(systems) // not in flakeSystems order
	}
	return strconv.FormatInt(int64(mask), 16)
}

func systemBit(system string) int {
	for i, s := range flakeSystems {
		if s == system {
			return i
		}
	}
	return -1
}

// platformsOfMask holds the 16 platform lists a mask can denote, shared by
// every entry that has them.
var platformsOfMask = func() [16][]string {
	var out [16][]string
	for mask := range out {
		list := make([]string, 0, bits.OnesCount(uint(mask)))
		for i, s := range flakeSystems {
			if mask&(1<<i) != 0 {
				list = append(list, s)
			}
		}
		out[mask] = list
	}
	return out
}()

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// decodeCache reads the cache format; source names the file in errors.
// The index keeps strings of data, which must not change afterwards.
func decodeCache(data []byte, source string) (*Index, error) {
	ix, err := cacheDecoder{text: unsafe.String(unsafe.SliceData(data), len(data))}.decode()
	if err != nil {
		return nil, fmt.Errorf("nixpkgs index cache %s: %w", source, err)
	}
	return ix, nil
}

// cacheDecoder reads the cache format line by line; every string of the
// index is a substring of text (no copies) unless it had escapes.
type cacheDecoder struct {
	text  string
	line  int
	slab  []string // backing store of the lists, allocated in chunks
	chunk int      // of at least this many strings
}

func (d cacheDecoder) decode() (*Index, error) {
	if strings.IndexByte(d.text, 0) >= 0 || !utf8.ValidString(d.text) {
		return nil, errors.New("it holds a NUL byte or invalid UTF-8")
	}
	magic, err := d.next()
	if err != nil || magic != cacheMagic && magic != legacyCacheMagic {
		return nil, fmt.Errorf("not a %q file", cacheMagic)
	}
	ix := &Index{pkgs: &packages{}}
	for _, f := range []struct {
		key string
		to  *string
	}{{"source", &ix.Source}, {"python_attr", &ix.PythonAttr}, {"python_version", &ix.PythonVersion}} {
		v, err := d.keyed(f.key)
		if err != nil {
			return nil, err
		}
		if *f.to, err = cacheUnescape(v); err != nil {
			return nil, d.fail(err)
		}
	}
	n, err := d.count("entries")
	if err != nil {
		return nil, err
	}
	if magic == legacyCacheMagic {
		err = d.decodeEntries(ix.pkgs, n)
	} else {
		err = d.checkEntries(ix.pkgs, n)
	}
	if err != nil {
		return nil, err
	}
	if magic == cacheMagic {
		if err := d.attrOrder(ix.pkgs); err != nil {
			return nil, err
		}
	}
	m, err := d.count("others")
	if err != nil {
		return nil, err
	}
	var others []string
	if m > 0 {
		others = make([]string, m)
	}
	for i := range others {
		line, err := d.next()
		if err != nil {
			return nil, err
		}
		if others[i], err = cacheUnescape(line); err != nil {
			return nil, d.fail(err)
		}
		if magic == cacheMagic && i > 0 && others[i] <= others[i-1] {
			return nil, d.fail(errors.New("other attributes are out of order"))
		}
	}
	if d.text != "" {
		return nil, d.fail(errors.New("unexpected text after the last attribute"))
	}
	if magic == legacyCacheMagic {
		return ix, ix.pkgs.order(others)
	}
	for _, a := range others {
		if _, isPackage := ix.pkgs.find(a); isPackage {
			return nil, fmt.Errorf("other attribute %q is a package", a)
		}
	}
	ix.pkgs.others = others
	return ix, nil
}

// decodeEntries decodes n package lines (format version 1).
func (d *cacheDecoder) decodeEntries(p *packages, n int) error {
	p.entries, p.names = make([]Entry, n), make([]string, n)
	d.chunk = 4096
	for i := range n {
		line, err := d.next()
		if err != nil {
			return err
		}
		if p.names[i], p.entries[i], err = d.entry(line); err != nil {
			return d.fail(err)
		}
		if i > 0 && p.names[i] < p.names[i-1] {
			return d.fail(errors.New("entries are out of order"))
		}
	}
	return nil
}

// checkEntries checks n package lines and keeps them to decode when
// looked at.
func (d *cacheDecoder) checkEntries(p *packages, n int) error {
	p.lines = make([]string, n)
	prev := ""
	for i := range n {
		line, err := d.next()
		if err != nil {
			return err
		}
		name, ok := checkLine(line)
		if !ok { // decode it for the reason
			var check cacheDecoder
			if _, _, err = check.entry(line); err == nil {
				err = errors.New("a package line is malformed")
			}
			return d.fail(err)
		}
		if name < prev {
			return d.fail(errors.New("entries are out of order"))
		}
		p.lines[i], prev = line, name
	}
	return nil
}

// checkLine reports whether a package line decodes (see entry), in one
// pass without allocating (but for a name with escapes), and returns its
// name.
func checkLine(line string) (string, bool) {
	var fields [7]string
	field, start := 0, 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && (line[i] != '\t' || field == len(fields)-1) { // the last field takes the rest, tabs too
			if line[i] == '\\' {
				if i++; i == len(line) || !strings.ContainsRune(`\tns`, rune(line[i])) {
					return "", false
				}
			}
			continue
		}
		fields[field], field, start = line[start:i], field+1, i+1
	}
	switch {
	case field != len(fields), fields[1] == "":
		return "", false
	case !checkList(fields[4]), !checkList(fields[5]):
		return "", false
	case len(fields[6]) == 1 && fields[6] != "?" && fields[6] != ":":
		if _, err := strconv.ParseUint(fields[6], 16, 4); err != nil {
			return "", false
		}
	case !checkList(fields[6]):
		return "", false
	}
	name := fields[0]
	if name == "" {
		name = fields[1]
	}
	name, err := cacheUnescape(name)
	return name, err == nil
}

// checkList reports whether a list field decodes (its escapes are checked
// already).
func checkList(s string) bool { return s == "?" || strings.HasPrefix(s, ":") }

// attrOrder reads the by_attr line: every package's position, in
// strictly increasing attribute order.
func (d *cacheDecoder) attrOrder(p *packages) error {
	v, err := d.keyed("by_attr")
	if err != nil {
		return err
	}
	n := p.len()
	p.byAttr = make([]int32, 0, n)
	seen := make([]bool, n)
	prev := ""
	for field := range strings.FieldsSeq(v) {
		i, err := strconv.Atoi(field)
		if err != nil || i < 0 || i >= n || seen[i] {
			return d.fail(fmt.Errorf("bad entry number %q", field))
		}
		seen[i] = true
		attr := p.attr(i)
		switch {
		case len(p.byAttr) > 0 && attr == prev:
			return d.fail(fmt.Errorf("attribute %q is listed twice", attr))
		case len(p.byAttr) > 0 && attr < prev:
			return d.fail(errors.New("by_attr is out of order"))
		}
		p.byAttr, prev = append(p.byAttr, int32(i)), attr
	}
	if len(p.byAttr) != n {
		return d.fail(fmt.Errorf("by_attr lists %d entries, not %d", len(p.byAttr), n))
	}
	return nil
}

// next returns the next line.
func (d *cacheDecoder) next() (string, error) {
	if d.text == "" {
		return "", fmt.Errorf("it ends early, after line %d", d.line)
	}
	d.line++
	line, rest, found := strings.Cut(d.text, "\n")
	if !found {
		return "", d.fail(errors.New("the last line has no newline"))
	}
	d.text = rest
	return line, nil
}

func (d *cacheDecoder) fail(err error) error { return fmt.Errorf("line %d: %w", d.line, err) }

// keyed reads a "key<TAB>value" line.
func (d *cacheDecoder) keyed(key string) (string, error) {
	line, err := d.next()
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(line, key+"\t")
	if !ok {
		return "", d.fail(fmt.Errorf("expected %q", key))
	}
	return v, nil
}

func (d *cacheDecoder) count(key string) (int, error) {
	v, err := d.keyed(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > len(d.text) {
		return 0, d.fail(fmt.Errorf("bad %s count %q", key, v))
	}
	return n, nil
}

// lineFields cuts a package line into its seven fields.
func lineFields(line string) ([7]string, bool) {
	var fields [7]string
	for i := range 6 {
		var ok bool
		if fields[i], line, ok = strings.Cut(line, "\t"); !ok {
			return fields, false
		}
	}
	fields[6] = line
	return fields, true
}

// lineAttr is the attribute of a checked package line.
func lineAttr(line string) string {
	_, rest, _ := strings.Cut(line, "\t")
	attr, _, _ := strings.Cut(rest, "\t")
	v, _ := cacheUnescape(attr)
	return v
}

// lineName is the normalised pname of a checked package line.
func lineName(line string) string {
	name, _, _ := strings.Cut(line, "\t")
	if name == "" {
		return lineAttr(line)
	}
	v, _ := cacheUnescape(name)
	return v
}

// lineEntry decodes a checked package line.
func lineEntry(line string) *Entry {
	var d cacheDecoder
	_, e, _ := d.entry(line)
	return &e
}

// entry decodes one package line.
func (d *cacheDecoder) entry(line string) (string, Entry, error) {
	fields, ok := lineFields(line)
	if !ok {
		return "", Entry{}, errors.New("a package line has fewer than 7 fields")
	}
	var scalars [4]string
	for i := range scalars {
		var err error
		if scalars[i], err = cacheUnescape(fields[i]); err != nil {
			return "", Entry{}, err
		}
	}
	e := Entry{Attr: scalars[1], PName: scalars[2], Version: scalars[3]}
	if e.Attr == "" {
		return "", Entry{}, errors.New("a package has no attribute name")
	}
	if e.PName == "" {
		e.PName = e.Attr
	}
	if scalars[0] == "" {
		scalars[0] = e.Attr
	}
	var err error
	if e.Dependencies, err = d.list(fields[4]); err == nil {
		if e.BuildSystem, err = d.list(fields[5]); err == nil {
			e.Platforms, err = d.platforms(fields[6])
		}
	}
	if err != nil {
		return "", Entry{}, err
	}
	return scalars[0], e, nil
}

// availableOn reports whether package i is not known to be unavailable on
// system (Index.usable), reading only its platforms.
func (p *packages) availableOn(i int, system string) bool {
	if p.lines == nil {
		return p.entries[i].Platforms == nil || slices.Contains(p.entries[i].Platforms, system)
	}
	fields, _ := lineFields(p.lines[i])
	var d cacheDecoder
	platforms, _ := d.platforms(fields[6])
	return platforms == nil || slices.Contains(platforms, system)
}

// knowsEdges reports whether package i's dependencies or build system are
// known, reading only those fields.
func (p *packages) knowsEdges(i int) bool {
	if p.lines == nil {
		return p.entries[i].Dependencies != nil || p.entries[i].BuildSystem != nil
	}
	fields, _ := lineFields(p.lines[i])
	return fields[4] != "?" || fields[5] != "?"
}

// list decodes a list field; its items share the decoder's slab.
func (d *cacheDecoder) list(s string) ([]string, error) {
	if s == "?" {
		return nil, nil
	}
	body, ok := strings.CutPrefix(s, ":")
	if !ok {
		return nil, fmt.Errorf("bad list %q", s)
	}
	if body == "" {
		return []string{}, nil
	}
	n := strings.Count(body, " ") + 1
	if cap(d.slab)-len(d.slab) < n {
		d.slab = make([]string, 0, max(n, d.chunk))
	}
	start := len(d.slab)
	for item := range strings.SplitSeq(body, " ") {
		v, err := cacheUnescape(item)
		if err != nil {
			return nil, err
		}
		d.slab = append(d.slab, v)
	}
	return d.slab[start:len(d.slab):len(d.slab)], nil
}

func (d *cacheDecoder) platforms(s string) ([]string, error) {
	if len(s) == 1 && s != "?" && s != ":" {
		mask, err := strconv.ParseUint(s, 16, 4)
		if err != nil {
			return nil, fmt.Errorf("bad platforms %q", s)
		}
		return platformsOfMask[mask], nil
	}
	return d.list(s)
}

// writeFileAtomic writes data to path through a temporary file renamed
// into place, so that a concurrent reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}
