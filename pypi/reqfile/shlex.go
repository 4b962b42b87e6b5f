package reqfile

import (
	"errors"
	"strings"
)

// Errors of shlexSplit, worded as Python's shlex words them.
var (
	errNoClosingQuote = errors.New("No closing quotation")
	errNoEscapedChar  = errors.New("No escaped character")
)

// shlexSplit splits s into words as Python's shlex.split(s) does (POSIX
// mode, no comments): whitespace separates words, single quotes quote
// everything, double quotes allow \" and \\ escapes, and a backslash outside
// quotes escapes any character. pip tokenises a line's options this way.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false  // a word (possibly empty, from "") has started
	var quote rune   // the open quote, 0 outside quotes
	escaped := false // the previous character was an active backslash
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '"' && r != '\\' {
				word.WriteByte('\\')
			}
			word.WriteRune(r)
			escaped = false
		case quote != 0:
			switch {
			case r == quote:
				quote = 0
			case r == '\\' && quote == '"':
				escaped = true
			default:
				word.WriteRune(r)
			}
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	switch {
	case escaped:
		return nil, errNoEscapedChar
	case quote != 0:
		return nil, errNoClosingQuote
	case inWord:
		words = append(words, word.String())
	}
	return words, nil
}
