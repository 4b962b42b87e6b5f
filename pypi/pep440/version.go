package pep440

import (
	"strconv"
	"strings"
)

// Version is a parsed PEP 440 version. Values are immutable and ordered by
// Compare; the zero Version is not a valid version (it sorts before every
// valid one and prints as "").
//
// Version holds a pointer, so == on two Versions compares identity, not
// value. Use Compare for equality of versions (1.0 == 1.0.0) and String()
// as a map key when the exact normalised spelling matters.
type Version struct {
	impl *version
}

// Pre-release labels in normalised form, ordered as PEP 440 orders them.
const (
	preNone  = 0
	preAlpha = 'a'
	preBeta  = 'b'
	preRC    = 'c' // printed "rc"
)

// version is the parsed form. Absent optional segments are -1 (numbers are
// never negative), which also gives them the right place in the order for
// post (absent < any post number).
type version struct {
	epoch   int
	release []int
	preL    byte // preNone, preAlpha, preBeta or preRC
	preN    int
	post    int // -1: none
	dev     int // -1: none
	local   []localSegment
	// relBuf holds short releases, saving an allocation per Parse.
	relBuf  [4]int
	str     string // normalised form, computed once at parse time
	text    string // as written (without surrounding white space), for ===
	pubLen  int    // length of the public part of str
	baseLen int    // length of the base version (epoch and release) in str
}

// localSegment is one "."-separated part of a local version label. Numeric
// parts keep their digits (leading zeros removed) so that any length
// compares correctly without overflow.
type localSegment struct {
	text    string
	numeric bool
}

// Parse parses s as a PEP 440 version (any spelling the PEP accepts,
// normalised). Legacy versions are an error.
func Parse(s string) (Version, error) {
	p := scanner{in: s, s: trimSpace(s)}
	v, err := p.version()
	if err != nil {
		return Version{}, err
	}
	v.str, v.pubLen, v.baseLen = v.format()
	v.text = p.s
	return Version{v}, nil
}

// MustParse is Parse for known-good input (tests, tables); it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalised form, e.g. "1!2.0rc1.post3.dev4+ubuntu.1".
func (v Version) String() string {
	if v.impl == nil {
		return ""
	}
	return v.impl.str
}

// Epoch returns the epoch (0 when absent).
func (v Version) Epoch() int {
	if v.impl == nil {
		return 0
	}
	return v.impl.epoch
}

// Release returns a copy of the release segment, trailing zeros included:
// 1.2.0 gives [1 2 0].
func (v Version) Release() []int {
	if v.impl == nil {
		return nil
	}
	return append([]int(nil), v.impl.release...)
}

// Public returns the normalised version without its local label.
func (v Version) Public() string {
	if v.impl == nil {
		return ""
	}
	return v.impl.str[:v.impl.pubLen]
}

// BaseVersion returns the normalised epoch and release only: "1!2.0" for
// "1!2.0rc1.post1+x".
func (v Version) BaseVersion() string {
	if v.impl == nil {
		return ""
	}
	return v.impl.str[:v.impl.baseLen]
}

// Local returns the normalised local label ("ubuntu.1" for "+Ubuntu-01"),
// or "" when there is none.
func (v Version) Local() string {
	if v.impl == nil || v.impl.local == nil {
		return ""
	}
	return v.impl.str[v.impl.pubLen+1:]
}

// Pre returns the pre-release label ("a", "b" or "rc") and number, and
// whether the version has a pre-release segment at all.
func (v Version) Pre() (label string, n int, ok bool) {
	if v.impl == nil || v.impl.preL == preNone {
		return "", 0, false
	}
	return preLabel(v.impl.preL), v.impl.preN, true
}

// Post returns the post-release number and whether there is one.
func (v Version) Post() (int, bool) {
	if v.impl == nil || v.impl.post < 0 {
		return 0, false
	}
	return v.impl.post, true
}

// Dev returns the dev-release number and whether there is one.
func (v Version) Dev() (int, bool) {
	if v.impl == nil || v.impl.dev < 0 {
		return 0, false
	}
	return v.impl.dev, true
}

// IsPrerelease reports whether v is a pre-release or a dev release (as
// packaging's is_prerelease: 1.0.dev1 and 1.0.post1.dev1 count).
func (v Version) IsPrerelease() bool {
	return v.impl != nil && (v.impl.preL != preNone || v.impl.dev >= 0)
}

// IsPostrelease reports whether v has a post-release segment.
func (v Version) IsPostrelease() bool { return v.impl != nil && v.impl.post >= 0 }

// IsDevrelease reports whether v has a dev-release segment.
func (v Version) IsDevrelease() bool { return v.impl != nil && v.impl.dev >= 0 }

func preLabel(l byte) string {
	switch l {
	case preAlpha:
		return "a"
	case preBeta:
		return "b"
	}
	return "rc"
}

// format renders the normalised string and the lengths of its public and
// base prefixes.
func (v *version) format() (s string, pubLen, baseLen int) {
	var buf [64]byte // long versions grow onto the heap
	b := buf[:0]
	if v.epoch != 0 {
		b = strconv.AppendInt(b, int64(v.epoch), 10)
		b = append(b, '!')
	}
	for i, n := range v.release {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	baseLen = len(b)
	if v.preL != preNone {
		b = append(b, preLabel(v.preL)...)
		b = strconv.AppendInt(b, int64(v.preN), 10)
	}
	if v.post >= 0 {
		b = append(b, ".post"...)
		b = strconv.AppendInt(b, int64(v.post), 10)
	}
	if v.dev >= 0 {
		b = append(b, ".dev"...)
		b = strconv.AppendInt(b, int64(v.dev), 10)
	}
	pubLen = len(b)
	for i, seg := range v.local {
		if i == 0 {
			b = append(b, '+')
		} else {
			b = append(b, '.')
		}
		b = append(b, seg.text...)
	}
	return string(b), pubLen, baseLen
}

// trimSpace strips what Python's str.strip() and the regex \s strip:
// Unicode white space plus the ASCII separators \x1c-\x1f.
func trimSpace(s string) string {
	return strings.TrimFunc(s, isSpace)
}
