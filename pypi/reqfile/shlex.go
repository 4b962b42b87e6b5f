package reqfile

import "errors"

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
	var word []rune
	inWord := false  // a word (possibly empty, from "") has started
	var quote rune   // the open quote, 0 outside quotes
	escaped := false // the previous character was an active backslash
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '"' && r != '\\' {
				word = append(word, '\\')
			}
			word = append(word, r)
			escaped = false
		case quote != 0:
			switch {
			case r == quote:
				quote = 0
			case r == '\\' && quote == '"':
				escaped = true
			default:
				word = append(word, r)
			}
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				words = append(words, string(word))
				word, inWord = word[:0], false
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		default:
			word, inWord = append(word, r), true
		}
	}
	switch {
	case escaped:
		return nil, errNoEscapedChar
	case quote != 0:
		return nil, errNoClosingQuote
	case inWord:
		words = append(words, string(word))
	}
	return words, nil
}
