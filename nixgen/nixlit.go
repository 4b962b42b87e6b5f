package nixgen

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// nixKeywords are the words Nix's lexer reserves; an attribute named like
// one must be quoted ("or" is only half reserved, but quoting it is always
// correct and keeps the rule simple).
var nixKeywords = map[string]bool{
	"assert": true, "else": true, "if": true, "in": true, "inherit": true,
	"let": true, "or": true, "rec": true, "then": true, "with": true,
}

// nixString returns s as a double-quoted Nix string literal whose value is
// exactly s. Backslash, double quote and the "${" interpolation opener are
// escaped, as are newline, carriage return and tab, so the literal is always
// one line and can never end early or evaluate code.
func nixString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$':
			// Escape every "$" that a "{" follows: "\${" is a literal "${".
			// A lone "$" is literal already.
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isNixIdent reports whether s can be written bare as an attribute name:
// it matches Nix's ID token [a-zA-Z_][a-zA-Z0-9_'-]* and is not a keyword.
func isNixIdent(s string) bool {
	if s == "" || nixKeywords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '\'' && c != '-' {
			return false
		}
	}
	return true
}

// nixAttr returns s as an attribute name: bare when it is an identifier,
// otherwise a quoted string (`"3to2"`, `"or"`).
func nixAttr(s string) string {
	if isNixIdent(s) {
		return s
	}
	return nixString(s)
}

// checkNixValue rejects what no Nix string can hold: a NUL byte (Nix
// strings are C strings) and invalid UTF-8 (it would not survive Nix's JSON
// output, so the value could not be verified). what names the value for the
// error message.
func checkNixValue(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q contains a NUL byte, which Nix strings cannot hold", what, s)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	return nil
}
