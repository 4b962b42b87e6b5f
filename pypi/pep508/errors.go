package pep508

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports input that is not a valid requirement or marker. Its
// Error text is packaging's ParserSyntaxError format: the message, the input,
// and a line with "~" under the span and "^" at Column.
type SyntaxError struct {
	Msg    string // what was expected, e.g. "Expected URL after @"
	Input  string // the whole text being parsed
	Start  int    // 0-based character (rune) column where the span starts
	Column int    // 0-based character (rune) column of the problem (the caret)
}

// Error formats the message, the input and a caret line.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s\n    %s\n    %s%s^", e.Msg, e.Input,
		strings.Repeat(" ", e.Start), strings.Repeat("~", max(e.Column-e.Start, 0)))
}

// newSyntaxError builds a SyntaxError from byte offsets into input.
func newSyntaxError(input, msg string, start, end int) *SyntaxError {
	return &SyntaxError{
		Msg:    msg,
		Input:  input,
		Start:  runeColumn(input, start),
		Column: runeColumn(input, end),
	}
}

// runeColumn converts a byte offset into a character column, as Python
// counts positions.
func runeColumn(s string, off int) int {
	return utf8.RuneCountInString(s[:min(off, len(s))])
}

// EvalError reports a marker comparison that packaging refuses to evaluate
// (its UndefinedComparison and UndefinedEnvironmentName), e.g. `os_name ~=
// "1.0"` or a set-valued variable on the left of an operator.
type EvalError struct {
	Marker string // the canonical text of the whole marker
	Msg    string // what is undefined
}

// Error names the marker and the problem.
func (e *EvalError) Error() string {
	return fmt.Sprintf("cannot evaluate marker %q: %s", e.Marker, e.Msg)
}
