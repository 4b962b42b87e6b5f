package pep508

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind names a token rule of packaging's _tokenizer.DEFAULT_RULES.
type tokenKind int

const (
	tokLeftParen tokenKind = iota
	tokRightParen
	tokLeftBracket
	tokRightBracket
	tokSemicolon
	tokComma
	tokQuotedString
	tokOp
	tokBoolOp
	tokIn
	tokNot
	tokVariable
	tokSpecifier
	tokAt
	tokURL
	tokIdentifier
	tokVersionPrefixTrail
	tokVersionLocalLabelTrail
	tokWS
	tokEnd
)

// tokenNames are packaging's rule names, used in its error messages.
var tokenNames = [...]string{
	tokLeftParen:    "LEFT_PARENTHESIS",
	tokRightParen:   "RIGHT_PARENTHESIS",
	tokLeftBracket:  "LEFT_BRACKET",
	tokRightBracket: "RIGHT_BRACKET",
}

// token is one matched token; pos is its byte offset in the source.
type token struct {
	text string
	pos  int
}

// syntaxPanic carries a *SyntaxError out of the recursive-descent parser;
// it is recovered by catchSyntaxError at the parser's entry points.
type syntaxPanic struct{ err *SyntaxError }

// tokenizer is a port of packaging's context-sensitive Tokenizer: the parser
// asks whether a given kind of token comes next, so the same text can be an
// identifier in one place and a URL in another.
type tokenizer struct {
	source string
	pos    int
	next   token // loaded by a successful check, until read
}

// check reports whether a token of kind comes next. Unless peek is set, a
// successful check loads the token, which must then be read.
func (t *tokenizer) check(kind tokenKind, peek bool) bool {
	n := matchToken(kind, t.source, t.pos)
	if n < 0 {
		return false
	}
	if !peek {
		t.next = token{text: t.source[t.pos : t.pos+n], pos: t.pos}
	}
	return true
}

// consume skips a token of kind if it comes next.
func (t *tokenizer) consume(kind tokenKind) {
	if t.check(kind, false) {
		t.read()
	}
}

// expect reads a token of kind or fails with "Expected <expected>".
func (t *tokenizer) expect(kind tokenKind, expected string) token {
	if !t.check(kind, false) {
		t.fail("Expected "+expected, t.pos, t.pos)
	}
	return t.read()
}

// read returns the loaded token and moves past it.
func (t *tokenizer) read() token {
	tok := t.next
	t.pos += len(tok.text)
	t.next = token{}
	return tok
}

// fail aborts parsing with a syntax error spanning the byte offsets
// [start, end].
func (t *tokenizer) fail(msg string, start, end int) {
	panic(syntaxPanic{newSyntaxError(t.source, msg, start, end)})
}

// enclosed parses body, optionally surrounded by the opening and closing
// tokens; an opened but unclosed pair is an error naming what it was around.
func (t *tokenizer) enclosed(opening, closing tokenKind, around string, body func()) {
	openPos := -1
	if t.check(opening, false) {
		openPos = t.pos
		t.read()
	}
	body()
	if openPos < 0 {
		return
	}
	if !t.check(closing, false) {
		t.fail("Expected matching "+tokenNames[closing]+" for "+tokenNames[opening]+
			", after "+around, openPos, t.pos)
	}
	t.read()
}

// catchSyntaxError turns a syntaxPanic raised while parsing into *errp.
func catchSyntaxError(errp *error) {
	if r := recover(); r != nil {
		sp, ok := r.(syntaxPanic)
		if !ok {
			panic(r)
		}
		*errp = sp.err
	}
}

// matchToken returns the length of the token of kind at byte offset pos of
// s, or -1 when there is none. Each case mirrors one regular expression of
// packaging's DEFAULT_RULES (Python re semantics, including Unicode \b).
func matchToken(kind tokenKind, s string, pos int) int {
	if c := singleByteTokens[kind]; c != 0 {
		if pos < len(s) && s[pos] == c {
			return 1
		}
		return -1
	}
	switch kind {
	case tokQuotedString:
		return matchQuoted(s, pos)
	case tokOp:
		return matchPrefix(s, pos, markerOps)
	case tokBoolOp:
		return matchWord(s, pos, boolOps)
	case tokIn:
		return matchWord(s, pos, []string{"in"})
	case tokNot:
		return matchWord(s, pos, []string{"not"})
	case tokVariable:
		return matchWord(s, pos, variableSpellings)
	case tokSpecifier:
		return matchRegexp(specifierToken.R(), s, pos)
	case tokURL:
		return matchRun(s, pos, func(c byte) bool { return c != ' ' && c != '\t' })
	case tokIdentifier:
		return matchIdentifier(s, pos)
	case tokVersionPrefixTrail:
		return matchPrefix(s, pos, []string{".*"})
	case tokVersionLocalLabelTrail:
		return matchLocalLabelTrail(s, pos)
	case tokWS:
		return matchRun(s, pos, func(c byte) bool { return c == ' ' || c == '\t' })
	case tokEnd:
		return matchEnd(s, pos)
	}
	return -1
}

// singleByteTokens are the rules matching one fixed character, indexed by
// kind; 0 marks the other rules (tokEnd, the last kind, sizes the array).
var singleByteTokens = [...]byte{
	tokLeftParen: '(', tokRightParen: ')', tokLeftBracket: '[', tokRightBracket: ']',
	tokSemicolon: ';', tokComma: ',', tokAt: '@', tokEnd: 0,
}

// markerOps is packaging's OP rule, longest alternatives first.
var markerOps = []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"}

// boolOps is packaging's BOOLOP rule.
var boolOps = []string{"or", "and"}

// variableSpellings is packaging's VARIABLE rule expanded: every marker
// variable, with the PEP 345 dotted and setuptools legacy spellings.
var variableSpellings = []string{
	"python_version", "python_full_version",
	"os_name", "os.name", "sys_platform", "sys.platform",
	"platform_release", "platform_system",
	"platform_version", "platform.version",
	"platform_machine", "platform.machine",
	"platform_python_implementation", "platform.python_implementation",
	"python_implementation", "implementation_name", "implementation_version",
	"extras", "extra", "dependency_groups",
}

// matchPrefix matches the first of alternatives that s continues with.
func matchPrefix(s string, pos int, alternatives []string) int {
	for _, a := range alternatives {
		if strings.HasPrefix(s[pos:], a) {
			return len(a)
		}
	}
	return -1
}

// matchWord matches `\b(alternatives)\b`.
func matchWord(s string, pos int, alternatives []string) int {
	if !wordBoundary(s, pos) {
		return -1
	}
	for _, a := range alternatives {
		if strings.HasPrefix(s[pos:], a) && wordBoundary(s, pos+len(a)) {
			return len(a)
		}
	}
	return -1
}

// matchRun matches one or more bytes satisfying ok.
func matchRun(s string, pos int, ok func(byte) bool) int {
	n := 0
	for pos+n < len(s) && ok(s[pos+n]) {
		n++
	}
	if n == 0 {
		return -1
	}
	return n
}

// matchQuoted matches `'[^']*'` or `"[^"]*"`.
func matchQuoted(s string, pos int) int {
	if pos >= len(s) || (s[pos] != '\'' && s[pos] != '"') {
		return -1
	}
	end := strings.IndexByte(s[pos+1:], s[pos])
	if end < 0 {
		return -1
	}
	return end + 2
}

// matchIdentifier matches `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, backtracking
// like Python's re until the closing word boundary holds.
func matchIdentifier(s string, pos int) int {
	if pos >= len(s) || !isASCIIAlnum(s[pos]) || !wordBoundary(s, pos) {
		return -1
	}
	end := pos + 1
	for end < len(s) && isIdentifierByte(s[end]) {
		end++
	}
	for ; end > pos; end-- {
		if wordBoundary(s, end) {
			return end - pos
		}
	}
	return -1
}

// isIdentifierByte reports whether c may continue an identifier.
func isIdentifierByte(c byte) bool {
	return isASCIIAlnum(c) || c == '.' || c == '_' || c == '-'
}

// matchLocalLabelTrail matches the start of `\+[a-z0-9]+...` (only whether
// it matches matters: the parser peeks at it to report a misplaced label).
func matchLocalLabelTrail(s string, pos int) int {
	if pos+1 < len(s) && s[pos] == '+' {
		if c := s[pos+1]; 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			return 2
		}
	}
	return -1
}

// matchEnd matches packaging 26's `\Z`: the very end of the input. (Its
// earlier `$` also matched before a final newline, so "name>=1\n" parsed.)
func matchEnd(s string, pos int) int {
	if pos == len(s) {
		return 0
	}
	return -1
}

// matchRegexp returns the length of re's match anchored at pos.
func matchRegexp(re *regexp.Regexp, s string, pos int) int {
	loc := re.FindStringIndex(s[pos:])
	if loc == nil {
		return -1
	}
	return loc[1]
}

// wordBoundary is Python's Unicode `\b` at byte offset pos.
func wordBoundary(s string, pos int) bool {
	before, after := false, false
	if pos > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:pos])
		before = isWordRune(r)
	}
	if pos < len(s) {
		r, _ := utf8.DecodeRuneInString(s[pos:])
		after = isWordRune(r)
	}
	return before != after
}

// isWordRune is Python's Unicode `\w`: alphanumerics and underscore.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || r == '_'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}
