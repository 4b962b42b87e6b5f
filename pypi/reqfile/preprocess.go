package reqfile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// logicalLine is one line after pip's preprocessing: continuation lines
// joined, comments stripped, environment variables expanded.
type logicalLine struct {
	num  int // 1-based number of the first physical line
	text string
}

// preprocess turns file content into logical lines exactly as pip's
// req_file.preprocess does: splitlines, join_lines, ignore_comments,
// expand_env_variables, in that order. getenv looks variables up.
func preprocess(content string, getenv func(string) string) []logicalLine {
	joined := joinLines(splitLines(content))
	out := joined[:0]
	for _, l := range joined {
		text := strings.TrimFunc(stripComment(l.text), isPySpace)
		if text == "" {
			continue
		}
		out = append(out, logicalLine{l.num, expandEnv(text, getenv)})
	}
	return out
}

// splitLines splits s at the line boundaries of Python's str.splitlines,
// which are more than "\n": a file pip reads with a form feed or U+2028 in
// it has more lines than wc -l counts.
func splitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isLineBoundary(r) {
			i += size
			continue
		}
		lines = append(lines, s[start:i])
		i += size
		if r == '\r' && i < len(s) && s[i] == '\n' {
			i++
		}
		start = i
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// isPySpace reports whether Python's str.isspace (and so the regular
// expression \s and str.strip) treats r as whitespace.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// isCommentLine is pip's COMMENT_RE.match: the line starts with "#",
// possibly after whitespace.
func isCommentLine(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, isPySpace), "#")
}

// joinLines joins a line ending in a backslash with the next one; the
// result takes the number of its first line. As in pip, a comment line is
// never continued and ends a continuation, and the backslashes at both ends
// of a continued line are stripped.
func joinLines(lines []string) []logicalLine {
	var out []logicalLine
	var pending []string
	first := 0
	for i, line := range lines {
		num := i + 1
		comment := isCommentLine(line)
		if comment || !strings.HasSuffix(line, `\`) {
			if comment {
				line = " " + line // keeps it a comment once joined
			}
			if pending != nil {
				out = append(out, logicalLine{first, strings.Join(append(pending, line), "")})
				pending = nil
			} else {
				out = append(out, logicalLine{num, line})
			}
			continue
		}
		if pending == nil {
			first = num
			pending = []string{}
		}
		pending = append(pending, strings.Trim(line, `\`))
	}
	if pending != nil {
		out = append(out, logicalLine{first, strings.Join(pending, "")})
	}
	return out
}

// stripComment removes a comment: from the first "#" that starts the line or
// follows whitespace. A "#" inside a word (a URL fragment) is kept.
func stripComment(line string) string {
	prevSpace := true
	for i, r := range line {
		if r == '#' && prevSpace {
			return line[:i]
		}
		prevSpace = isPySpace(r)
	}
	return line
}

// expandEnv replaces ${NAME} (NAME of A-Z, 0-9 and _) by the variable's
// value. Unset or empty variables are left as written, as pip does.
func expandEnv(line string, getenv func(string) string) string {
	for _, ref := range findEnvRefs(line) {
		if v := getenv(ref[2 : len(ref)-1]); v != "" {
			line = strings.ReplaceAll(line, ref, v)
		}
	}
	return line
}

// findEnvRefs returns the ${NAME} references in s, left to right.
func findEnvRefs(s string) []string {
	var refs []string
	for i := 0; i+3 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && isEnvNameByte(s[j]) {
			j++
		}
		if j > i+2 && j < len(s) && s[j] == '}' {
			refs = append(refs, s[i:j+1])
			i = j
		}
	}
	return refs
}

func isEnvNameByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
