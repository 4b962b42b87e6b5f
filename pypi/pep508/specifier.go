package pep508

import (
	"strings"
	"unicode"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// pySpace is Python's Unicode `\s` as a regexp character class body.
const pySpace = `\t\n\v\f\r\x1c-\x1f \x{85}\p{Z}`

// specifierPattern is packaging's Specifier._specifier_regex_str: one
// version clause. Go's leftmost-first alternation matches Python's.
const specifierPattern = `(?:` +
	// === takes any string up to whitespace, ";" or ")".
	`(?:===[` + pySpace + `]*[^` + pySpace + `;)]*)` +
	// == and != allow a trailing .* or a local label.
	`|(?:(?:==|!=)[` + pySpace + `]*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*` +
	`(?:\.\*|` + preRelease + postRelease + devRelease + `(?:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?)?)` +
	// ~= needs two release segments.
	`|(?:~=[` + pySpace + `]*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+` + preRelease + postRelease + devRelease + `)` +
	`|(?:(?:<=|>=|<|>)[` + pySpace + `]*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*` + preRelease + postRelease + devRelease + `)` +
	`)`

const (
	preRelease  = `(?:[-_\.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?`
	postRelease = `(?:(?:-[0-9]+)|(?:[-_\.]?(?:post|rev|r)[-_\.]?[0-9]*))?`
	devRelease  = `(?:[-_\.]?dev[-_\.]?[0-9]*)?`
)

var (
	// specifierToken is the tokenizer's SPECIFIER rule, anchored.
	specifierToken = lazyre.New(`^(?i)` + specifierPattern)
	// specifierFull is Specifier's own validation: the whole string, with
	// surrounding whitespace.
	specifierFull = lazyre.New(`^(?i)[` + pySpace + `]*` + specifierPattern + `[` + pySpace + `]*$`)
)

// isSpecifier reports whether s is one valid version clause, as
// packaging's Specifier(s) would accept it.
func isSpecifier(s string) bool {
	// Go's `$` is the true end, as Python's fullmatch requires.
	return specifierFull.R().MatchString(s)
}

// pyStrip is Python's str.strip(): it removes Unicode whitespace.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

// isPySpace is Python's str.isspace for one character.
func isPySpace(r rune) bool {
	switch {
	case r == ' ' || '\t' <= r && r <= '\r' || 0x1c <= r && r <= 0x1f || r == 0x85:
		return true
	case r < 0x80:
		return false
	}
	return unicode.Is(unicode.Z, r)
}
