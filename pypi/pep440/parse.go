package pep440

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// scanner is a hand-written, allocation-light equivalent of PEP 440's
// Appendix B regular expression:
//
//	v? (N!)? N(.N)* ([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?)?
//	((-N) | ([-_.]?(post|rev|r)[-_.]?N?))? ([-_.]?dev[-_.]?N?)?
//	(+[a-z0-9]+([-_.][a-z0-9]+)*)?
//
// matched case-insensitively. Each optional part is taken greedily; as every
// later part accepts an optional leading separator, greedy matching accepts
// exactly the regular expression's language.
type scanner struct {
	in  string // the caller's input, for error messages
	s   string // input without surrounding white space
	pos int
}

// errorf reports a problem at the scanner's position.
func (p *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid version %q: %s", p.in, fmt.Sprintf(format, args...))
}

func (p *scanner) version() (*version, error) {
	if p.s == "" {
		return nil, p.errorf("empty version")
	}
	v := &version{post: -1, dev: -1}
	if p.peek() == 'v' || p.peek() == 'V' {
		p.pos++
	}
	first, err := p.number("release")
	if err != nil {
		return nil, err
	}
	if p.peek() == '!' {
		p.pos++
		v.epoch = first
		if first, err = p.number("release"); err != nil {
			return nil, err
		}
	}
	if v.release, err = p.releaseTail(v.relBuf[:0], first); err != nil {
		return nil, err
	}
	if err = p.optionalSegments(v); err != nil {
		return nil, err
	}
	if p.peek() == '+' {
		p.pos++
		if v.local, err = p.local(); err != nil {
			return nil, err
		}
	}
	if p.pos < len(p.s) {
		return nil, p.unexpected()
	}
	return v, nil
}

// optionalSegments scans the pre-, post- and dev-release parts.
func (p *scanner) optionalSegments(v *version) error {
	var err error
	if label, ok := p.label(preLabels); ok {
		v.preL = label
		if v.preN, err = p.implicitNumber("pre-release"); err != nil {
			return err
		}
	}
	if p.peek() == '-' && isDigit(p.peekAt(1)) {
		p.pos++
		if v.post, err = p.number("post-release"); err != nil {
			return err
		}
	} else if _, ok := p.label(postLabels); ok {
		if v.post, err = p.implicitNumber("post-release"); err != nil {
			return err
		}
	}
	if _, ok := p.label(devLabels); ok {
		if v.dev, err = p.implicitNumber("dev-release"); err != nil {
			return err
		}
	}
	return nil
}

// unexpected describes the character where scanning stopped.
func (p *scanner) unexpected() error {
	r := []rune(p.s[p.pos:])[0]
	if r > unicode.MaxASCII {
		return p.errorf("unexpected non-ASCII character %q at offset %d", string(r), p.pos)
	}
	return p.errorf("unexpected %q at offset %d (after %q)", string(r), p.pos, p.s[:p.pos])
}

func (p *scanner) peek() byte { return p.peekAt(0) }

func (p *scanner) peekAt(k int) byte {
	if p.pos+k < len(p.s) {
		return p.s[p.pos+k]
	}
	return 0
}

// number scans one or more ASCII digits as an int.
func (p *scanner) number(what string) (int, error) {
	start := p.pos
	n := 0
	for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		d := int(p.s[p.pos] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, p.errorf("%s number %s... is larger than %d", what, p.s[start:p.pos], int64(math.MaxInt64))
		}
		n = n*10 + d
		p.pos++
	}
	if p.pos == start {
		if p.pos == len(p.s) {
			return 0, p.errorf("expected a %s number at end of input", what)
		}
		return 0, p.errorf("expected a %s number at offset %d, found %q", what, p.pos, string([]rune(p.s[p.pos:])[0]))
	}
	return n, nil
}

// releaseTail scans the ".N" parts of the release after its first number,
// appending the numbers to release.
func (p *scanner) releaseTail(release []int, first int) ([]int, error) {
	release = append(release, first)
	for p.peek() == '.' && isDigit(p.peekAt(1)) {
		p.pos++
		n, err := p.number("release")
		if err != nil {
			return nil, err
		}
		release = append(release, n)
	}
	return release, nil
}

// implicitNumber scans the optional separator and number after a label;
// an absent number is 0. A separator followed by no number is consumed, as
// the regular expression allows (1.0a. is 1.0a0).
func (p *scanner) implicitNumber(what string) (int, error) {
	if isSeparator(p.peek()) {
		p.pos++
	}
	if !isDigit(p.peek()) {
		return 0, nil
	}
	return p.number(what)
}

// spelling maps one accepted spelling of a label to its normalised code.
type spelling struct {
	text string
	code byte
}

// Longer spellings come first: that is the regular expression's
// backtracking outcome ("preview" before "pre", "alpha" before "a").
var (
	preLabels = []spelling{
		{"preview", preRC}, {"alpha", preAlpha}, {"beta", preBeta},
		{"pre", preRC}, {"rc", preRC}, {"a", preAlpha}, {"b", preBeta}, {"c", preRC},
	}
	postLabels = []spelling{{"post", 1}, {"rev", 1}, {"r", 1}}
	devLabels  = []spelling{{"dev", 1}}
)

// label scans an optional separator and one of labels (case-insensitive).
// Nothing is consumed when no label follows.
func (p *scanner) label(labels []spelling) (byte, bool) {
	at := p.pos
	if isSeparator(p.peek()) {
		at++
	}
	rest := p.s[at:]
	for _, l := range labels {
		if len(rest) >= len(l.text) && asciiEqualFold(rest[:len(l.text)], l.text) {
			p.pos = at + len(l.text)
			return l.code, true
		}
	}
	return 0, false
}

// local scans the label after "+": alphanumeric parts separated by
// [-_.], normalised to lower case with numeric parts stripped of leading
// zeros.
func (p *scanner) local() ([]localSegment, error) {
	var segs []localSegment
	for {
		start := p.pos
		numeric := true
		for p.pos < len(p.s) && isAlnum(p.s[p.pos]) {
			numeric = numeric && isDigit(p.s[p.pos])
			p.pos++
		}
		if p.pos == start {
			if p.pos == len(p.s) {
				return nil, p.errorf("empty local version segment at end of input")
			}
			return nil, p.errorf("expected a letter or digit in the local version at offset %d, found %q", p.pos, string([]rune(p.s[p.pos:])[0]))
		}
		segs = append(segs, newLocalSegment(p.s[start:p.pos], numeric))
		if !isSeparator(p.peek()) {
			return segs, nil
		}
		p.pos++
	}
}

func newLocalSegment(text string, numeric bool) localSegment {
	if numeric {
		text = strings.TrimLeft(text, "0")
		if text == "" {
			text = "0"
		}
		return localSegment{text: text, numeric: true}
	}
	return localSegment{text: asciiLower(text)}
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isSeparator(c byte) bool { return c == '.' || c == '-' || c == '_' }
func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isSpace is Python's str.isspace(): Unicode white space plus the ASCII
// information separators \x1c-\x1f.
func isSpace(r rune) bool { return unicode.IsSpace(r) || (0x1c <= r && r <= 0x1f) }

func asciiEqualFold(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters, allocating only when needed.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
