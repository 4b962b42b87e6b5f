package setuppy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// strLiteral is a decoded string token: its text, or for an f-string the
// pieces between replacement fields and the fields' expressions.
type strLiteral struct {
	bytes  bool     // a bytes literal (b"..."): not text
	parts  []string // literal text; len(parts) == len(fields)+1
	fields []string // f-string replacement fields, as written (without braces)
}

// decodeString decodes a string token as Python does: prefixes, quotes,
// escape sequences (not in raw strings), and an f-string's fields.
func decodeString(tok string) (strLiteral, error) {
	n := strings.IndexAny(tok, `'"`)
	prefix := strings.ToLower(tok[:n])
	body := tok[n:]
	q := body[:1]
	if strings.HasPrefix(body, strings.Repeat(q, 3)) && len(body) >= 6 {
		q = body[:3]
	}
	body = body[len(q) : len(body)-len(q)]
	raw, fstr := strings.Contains(prefix, "r"), strings.Contains(prefix, "f")
	lit := strLiteral{bytes: strings.Contains(prefix, "b")}
	if !fstr {
		text, err := unescape(body, raw)
		lit.parts = []string{text}
		return lit, err
	}
	return splitFString(body, raw)
}

// splitFString separates an f-string's literal pieces ("{{" and "}}" are
// braces) from its replacement fields.
func splitFString(body string, raw bool) (strLiteral, error) {
	var lit strLiteral
	var cur strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '{' && i+1 < len(body) && body[i+1] == '{', c == '}' && i+1 < len(body) && body[i+1] == '}':
			cur.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(body[i:], '}')
			if end < 0 {
				return lit, fmt.Errorf("f-string: unterminated '{'")
			}
			text, err := unescape(cur.String(), raw)
			if err != nil {
				return lit, err
			}
			lit.parts = append(lit.parts, text)
			lit.fields = append(lit.fields, body[i+1:i+end])
			cur.Reset()
			i += end
		case c == '}':
			return lit, fmt.Errorf("f-string: single '}' is not allowed")
		default:
			cur.WriteByte(c)
		}
	}
	text, err := unescape(cur.String(), raw)
	lit.parts = append(lit.parts, text)
	return lit, err
}

// unescape interprets the backslash escapes of a (non-raw) Python string;
// an unknown escape keeps its backslash, as Python does.
func unescape(s string, raw bool) (string, error) {
	if raw || !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		c := s[i]
		if r, ok := simpleEscapes[c]; ok {
			b.WriteString(r)
			continue
		}
		switch {
		case c >= '0' && c <= '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		case c == 'x' || c == 'u' || c == 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			if i+1+width > len(s) {
				return "", fmt.Errorf(`truncated \%c escape`, c)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf(`bad \%c escape`, c)
			}
			b.WriteRune(rune(v))
			i += width
		case c == 'N':
			return "", fmt.Errorf(`\N{...} escapes are not read`)
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

var simpleEscapes = map[byte]string{
	'\n': "", '\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v",
}
