package setuppy

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is a token's kind, as Python's tokenizer names them (only those a
// setup.py reader needs apart).
type kind int

const (
	tName kind = iota
	tNumber
	tString
	tOp
	tNewline // the end of a logical line
	tEOF
)

// token is one Python token: its kind, its source span, and the
// indentation of its logical line.
type token struct {
	kind       kind
	start, end int  // byte offsets in the source
	line       int  // 1-based line of start
	indent     int  // indentation of the logical line (columns of its first token)
	first      bool // the first token of its logical line
}

// maxTokens and maxDepth bound the work on one (untrusted) setup.py
// (Python's own parser allows 200 levels of brackets).
const (
	maxTokens = 1 << 20
	maxDepth  = 200
)

// tokenize splits Python source into tokens as Python's tokenizer does,
// except that f-strings are single string tokens (as before Python 3.12)
// and indentation is recorded on tokens rather than as INDENT/DEDENT.
func tokenize(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/4+2)
	depth, line, i := 0, 1, 0
	lineStart, logicalStart := true, true
	indent := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && !logicalStart {
				toks = append(toks, token{kind: tNewline, start: i, end: i, line: line})
				logicalStart = true
			}
			i++
			line++
			lineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			i++
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			if src[i-1] == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			line++
			lineStart = false // a continuation line keeps the logical line
			continue
		}
		if lineStart && logicalStart {
			indent = columnOf(src, i)
		}
		lineStart = false
		t := token{start: i, line: line, indent: indent, first: logicalStart}
		logicalStart = false
		var err error
		switch {
		case isIdentStart(src, i) && stringPrefixAt(src, i) < 0:
			t.kind, i = tName, scanName(src, i)
		case stringPrefixAt(src, i) >= 0:
			t.kind = tString
			i, line, err = scanString(src, i+stringPrefixAt(src, i), line)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			t.kind, i = tNumber, scanNumber(src, i)
		default:
			t.kind = tOp
			i = scanOp(src, i)
			switch src[t.start] {
			case '(', '[', '{':
				if depth++; depth > maxDepth {
					return nil, fmt.Errorf("line %d: brackets nested more than %d deep", line, maxDepth)
				}
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", t.line, err)
		}
		t.end = i
		toks = append(toks, t)
		if len(toks) > maxTokens {
			return nil, fmt.Errorf("more than %d tokens", maxTokens)
		}
	}
	if !logicalStart {
		toks = append(toks, token{kind: tNewline, start: len(src), end: len(src), line: line})
	}
	return append(toks, token{kind: tEOF, start: len(src), end: len(src), line: line}), nil
}

// columnOf is the indentation column of position i (tabs to multiples of
// 8, as Python counts them).
func columnOf(src string, i int) int {
	start := strings.LastIndexByte(src[:i], '\n') + 1
	col := 0
	for _, c := range src[start:i] {
		if c == '\t' {
			col = (col/8 + 1) * 8
		} else {
			col++
		}
	}
	return col
}

func isIdentStart(src string, i int) bool {
	r, _ := utf8.DecodeRuneInString(src[i:])
	return r == '_' || unicode.IsLetter(r)
}

func scanName(src string, i int) int {
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) {
			break
		}
		i += size
	}
	return i
}

// stringPrefixAt returns the length of a string prefix (r, b, u, f and
// their two-letter combinations, any case) followed by a quote at i, or -1.
func stringPrefixAt(src string, i int) int {
	for n := 0; n <= 2 && i+n < len(src); n++ {
		if c := src[i+n]; c == '\'' || c == '"' {
			if validPrefix(strings.ToLower(src[i : i+n])) {
				return n
			}
			return -1
		}
	}
	return -1
}

func validPrefix(p string) bool {
	switch p {
	case "", "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// scanString scans a string literal whose quote is at i, returning the
// position after it and the line it ends on.
func scanString(src string, i, line int) (int, int, error) {
	q := src[i]
	triple := strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))
	if triple {
		i += 3
	} else {
		i++
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				line++
			}
			i += 2
			continue
		case c == '\n':
			if !triple {
				return i, line, fmt.Errorf("unterminated string")
			}
			line++
		case c == q && (!triple || strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))):
			if triple {
				return i + 3, line, nil
			}
			return i + 1, line, nil
		}
		i++
	}
	return i, line, fmt.Errorf("unterminated string")
}

func scanNumber(src string, i int) int {
	for i < len(src) {
		c := src[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '.':
		case (c == '+' || c == '-') && (src[i-1] == 'e' || src[i-1] == 'E'):
		default:
			return i
		}
		i++
	}
	return i
}

// ops are Python's operators and delimiters, longest first.
var ops = []string{
	"**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=",
	"<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
}

func scanOp(src string, i int) int {
	for _, op := range ops {
		if strings.HasPrefix(src[i:], op) {
			return i + len(op)
		}
	}
	_, size := utf8.DecodeRuneInString(src[i:])
	return i + size
}
