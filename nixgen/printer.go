package nixgen

import (
	"strconv"
	"strings"
)

// printer writes Nix in nixfmt's RFC 166 style: two-space indentation,
// "{ }" and "[ ]" for empty sets and lists, a list of one short item on one
// line, longer lists one item per line.
type printer struct {
	b      strings.Builder
	indent int
}

// maxInline is the longest single-item list written on one line.
const maxInline = 60

func (p *printer) line(s string) {
	if s != "" {
		p.b.WriteString(strings.Repeat("  ", p.indent))
		p.b.WriteString(s)
	}
	p.b.WriteByte('\n')
}

// open writes s and indents what follows; close dedents and writes s.
func (p *printer) open(s string)  { p.line(s); p.indent++ }
func (p *printer) close(s string) { p.indent--; p.line(s) }

// bind writes "name = value;".
func (p *printer) bind(name, value string) { p.line(nixAttr(name) + " = " + value + ";") }

// list writes prefix, the list of items, then suffix.
func (p *printer) list(prefix string, items []string, suffix string) {
	switch {
	case len(items) == 0:
		p.line(prefix + "[ ]" + suffix)
	case len(items) == 1 && len(items[0]) <= maxInline:
		p.line(prefix + "[ " + items[0] + " ]" + suffix)
	default:
		p.open(prefix + "[")
		for _, it := range items {
			p.line(it)
		}
		p.close("]" + suffix)
	}
}

// block writes a pre-rendered multi-line text at the current indentation,
// the first line after prefix and the last followed by suffix. It is how
// the packageOverrides function, rendered once, is placed byte for byte in
// every format.
func (p *printer) block(prefix, text, suffix string) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	lines[0] = prefix + lines[0]
	lines[len(lines)-1] += suffix
	for _, l := range lines {
		p.line(l)
	}
}

func (p *printer) String() string { return p.b.String() }

// commentText makes free text (a command line, an input name) safe for a
// "#" comment: text with control characters is shown Go-quoted, so it
// cannot end the comment.
func commentText(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return strconv.Quote(s)
		}
	}
	return s
}

// lockEncode writes a name or version for a comment, reversibly: bytes
// outside [A-Za-z0-9._+!-] (never present in a normalised name or version)
// are percent-encoded, so a hostile value cannot end the comment or forge
// a lock line. lockDecode (url.PathUnescape) reverses it.
func lockEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._+!-", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
	}
	return b.String()
}
