package nixgen

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The cache of an evaluated index (and the embedded index) is a small text
// format rather than JSON: a warm re-run loads it on every run, and
// decoding ~9,000 entries with encoding/json (or encoding/gob) takes tens
// of milliseconds, most of a pre-commit hook's budget, where this takes a
// few. It is line-based, one package a line, so it also diffs well:
//
//	req2nix-index 1
//	source<TAB>evaluated nixpkgs nixos-26.05 7c8764b7…
//	python_attr<TAB>python313
//	python_version<TAB>3.13.5
//	entries<TAB>N
//	<name><TAB><attr><TAB><pname><TAB><version><TAB><deps><TAB><build-system><TAB><platforms>
//	…                                     (N lines)
//	others<TAB>M
//	<attr>                                (M lines)
//
// Entries are in Index order: by normalised pname (<name>), the canonical
// attribute of a name first, so loading needs no sorting and no name
// normalisation. <name> and <pname> are empty when they equal <attr>. <deps> and
// <build-system> are "?" when unknown, else ":" followed by the attribute
// names separated by spaces (":" alone: none). <platforms> is "?" when
// unknown, one hexadecimal digit when every system is one of flakeSystems
// (bit i set: flakeSystems[i] is supported), else a ":" list. In every
// value, "\" "TAB" and "newline" are written \\ \t \n, and in list items
// "space" is written \s.
const cacheMagic = "req2nix-index 1"

// encodeCache writes ix in the cache format.
func (ix *Index) encodeCache() []byte {
	var b bytes.Buffer
	b.Grow(96 * (len(ix.entries) + 8))
	b.WriteString(cacheMagic + "\n")
	for _, kv := range [][2]string{{"source", ix.Source}, {"python_attr", ix.PythonAttr}, {"python_version", ix.PythonVersion}} {
		b.WriteString(kv[0] + "\t" + cacheEscape(kv[1]) + "\n")
	}
	b.WriteString("entries\t" + strconv.Itoa(len(ix.entries)) + "\n")
	for i, e := range ix.entries {
		name, pname := ix.names[i], e.PName
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
func decodeCache(data []byte, source string) (*Index, error) {
	ix, err := cacheDecoder{text: string(data)}.decode()
	if err != nil {
		return nil, fmt.Errorf("nixpkgs index cache %s: %w", source, err)
	}
	return ix, nil
}

// cacheDecoder reads the cache format line by line; every string of the
// index is a substring of text (no copies) unless it had escapes.
type cacheDecoder struct {
	text string
	line int
	slab []string // backing store of the lists, allocated in chunks
}

func (d cacheDecoder) decode() (*Index, error) {
	if strings.IndexByte(d.text, 0) >= 0 || !utf8.ValidString(d.text) {
		return nil, errors.New("it holds a NUL byte or invalid UTF-8")
	}
	if magic, err := d.next(); err != nil || magic != cacheMagic {
		return nil, fmt.Errorf("not a %q file", cacheMagic)
	}
	ix := &Index{}
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
	ix.entries, ix.names = make([]Entry, n), make([]string, n)
	for i := range n {
		if ix.names[i], ix.entries[i], err = d.entry(); err != nil {
			return nil, err
		}
		if i > 0 && ix.names[i] < ix.names[i-1] {
			return nil, d.fail(errors.New("entries are out of order"))
		}
	}
	m, err := d.count("others")
	if err != nil {
		return nil, err
	}
	others := make([]string, m)
	for i := range others {
		line, err := d.next()
		if err != nil {
			return nil, err
		}
		if others[i], err = cacheUnescape(line); err != nil {
			return nil, d.fail(err)
		}
	}
	if d.text != "" {
		return nil, d.fail(errors.New("unexpected text after the last attribute"))
	}
	if err := ix.buildMaps(others); err != nil {
		return nil, err
	}
	return ix, nil
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

// entry reads one package line.
func (d *cacheDecoder) entry() (string, Entry, error) {
	line, err := d.next()
	if err != nil {
		return "", Entry{}, err
	}
	var fields [7]string
	for i := range 6 {
		var ok bool
		if fields[i], line, ok = strings.Cut(line, "\t"); !ok {
			return "", Entry{}, d.fail(errors.New("a package line has fewer than 7 fields"))
		}
	}
	fields[6] = line
	var scalars [4]string
	for i := range scalars {
		if scalars[i], err = cacheUnescape(fields[i]); err != nil {
			return "", Entry{}, d.fail(err)
		}
	}
	e := Entry{Attr: scalars[1], PName: scalars[2], Version: scalars[3]}
	if e.Attr == "" {
		return "", Entry{}, d.fail(errors.New("a package has no attribute name"))
	}
	if e.PName == "" {
		e.PName = e.Attr
	}
	if scalars[0] == "" {
		scalars[0] = e.Attr
	}
	if e.Dependencies, err = d.list(fields[4]); err == nil {
		if e.BuildSystem, err = d.list(fields[5]); err == nil {
			e.Platforms, err = d.platforms(fields[6])
		}
	}
	if err != nil {
		return "", Entry{}, d.fail(err)
	}
	return scalars[0], e, nil
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
		d.slab = make([]string, 0, max(n, 4096))
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
