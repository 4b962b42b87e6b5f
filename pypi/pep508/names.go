package pep508

import (
	"strings"
	"unicode/utf8"
)

// NormalizeName returns the PEP 503 normalised form of a project name:
// lower case, runs of "-", "_" and "." replaced by a single "-".
func NormalizeName(s string) string {
	if !isASCII(s) {
		// Non-ASCII names are not valid project names, but extras and
		// marker values are normalised too: lower-case like Python's
		// str.lower, which maps "İ" to "i̇".
		s = strings.ToLower(strings.ReplaceAll(s, "İ", "i\u0307"))
	}
	var b strings.Builder
	b.Grow(len(s))
	inRun := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || c == '.' {
			if !inRun {
				b.WriteByte('-')
			}
			inRun = true
			continue
		}
		inRun = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isASCII reports whether s has only ASCII characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ValidName reports whether s is a valid project name (PEP 508 identifier):
// ASCII letters and digits, with ".", "_" and "-" allowed inside.
func ValidName(s string) bool {
	if s == "" || !isASCIIAlnum(s[0]) || !isASCIIAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isASCIIAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// isASCIIAlnum reports whether c is an ASCII letter or digit.
func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
