package pep508

import (
	"strconv"
	"strings"
)

// unquote decodes a marker's quoted string as packaging does, with Python's
// ast.literal_eval: backslash escapes are interpreted. ok is false where
// Python raises (an escaped closing quote, a bad \x, \u or \U escape, a raw
// line break or NUL). \N{name} escapes are refused: this package carries no
// Unicode name table.
func unquote(tok string) (string, bool) {
	body := tok[1 : len(tok)-1]
	if !strings.ContainsAny(body, "\\\n\r\x00") {
		return body, true
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '\n', '\r', 0:
			return "", false
		case '\\':
			n, ok := decodeEscape(&b, body[i+1:])
			if !ok {
				return "", false
			}
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// decodeEscape writes the value of the escape sequence whose text after the
// backslash starts rest, and returns how many bytes of rest it used.
func decodeEscape(b *strings.Builder, rest string) (int, bool) {
	if rest == "" {
		return 0, false // the backslash escapes the closing quote
	}
	switch c := rest[0]; c {
	case '\n':
		return 1, true // line continuation
	case '\r':
		if strings.HasPrefix(rest, "\r\n") {
			return 2, true
		}
		return 1, true
	case '\\', '\'', '"':
		b.WriteByte(c)
	case 'a', 'b', 'f', 'n', 'r', 't', 'v':
		b.WriteByte(simpleEscapes[c])
	case '0', '1', '2', '3', '4', '5', '6', '7':
		return decodeOctal(b, rest), true
	case 'x':
		return decodeHex(b, rest, 2)
	case 'u':
		return decodeHex(b, rest, 4)
	case 'U':
		return decodeHex(b, rest, 8)
	case 'N':
		return 0, false
	default:
		b.WriteByte('\\') // unknown escapes are kept as written
		return 0, true
	}
	return 1, true
}

var simpleEscapes = map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// decodeOctal decodes up to three octal digits.
func decodeOctal(b *strings.Builder, rest string) int {
	n, v := 0, 0
	for n < 3 && n < len(rest) && '0' <= rest[n] && rest[n] <= '7' {
		v = v*8 + int(rest[n]-'0')
		n++
	}
	b.WriteRune(rune(v))
	return n
}

// decodeHex decodes the escape letter in rest[0] followed by exactly
// digits hex digits, a code point no larger than U+10FFFF.
func decodeHex(b *strings.Builder, rest string, digits int) (int, bool) {
	if len(rest) < 1+digits {
		return 0, false
	}
	v, err := strconv.ParseUint(rest[1:1+digits], 16, 32)
	if err != nil || v > 0x10FFFF {
		return 0, false
	}
	b.WriteRune(rune(v))
	return 1 + digits, true
}

// quote formats a marker value so that unquote gives it back: packaging's
// plain double quotes whenever they round-trip, else single quotes, else
// double quotes with Python escapes (where packaging itself would print a
// string it cannot parse back).
func quote(v string) string {
	for _, q := range []string{`"`, `'`} {
		if s := q + v + q; matchQuoted(s, 0) == len(s) {
			if back, ok := unquote(s); ok && back == v {
				return s
			}
		}
	}
	// The tokenizer ends a string at the first quote character, escaped or
	// not, so a double quote inside is written as \x22.
	r := strings.NewReplacer(`\`, `\\`, `"`, `\x22`, "\n", `\n`, "\r", `\r`, "\x00", `\x00`)
	return `"` + r.Replace(v) + `"`
}
