package main

import (
	"fmt"
	"strings"
)

// unifiedDiff renders the line differences between a and b in unified
// format with three lines of context, as `diff -u` does.
func unifiedDiff(nameA, nameB, a, b string) string {
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", nameA, nameB)
	for _, h := range hunks(ops, 3) {
		sb.WriteString(h.render(x, y))
	}
	return sb.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// edit is one line of the edit script: kind ' ' (both), '-' (only in a) or
// '+' (only in b), with the line's index in a and in b.
type edit struct {
	kind byte
	i, j int
}

// diffLines computes a shortest edit script: the common prefix and suffix
// are matched directly and a longest-common-subsequence table covers the
// middle. Generated files differ in a few places, so the middle is small;
// an enormous one is treated as wholly replaced rather than using quadratic
// memory.
func diffLines(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []edit
	for k := 0; k < pre; k++ {
		ops = append(ops, edit{' ', k, k})
	}
	ops = append(ops, diffMiddle(a[pre:len(a)-suf], b[pre:len(b)-suf], pre)...)
	for k := suf; k > 0; k-- {
		ops = append(ops, edit{' ', len(a) - k, len(b) - k})
	}
	return ops
}

const maxDiffCells = 4 << 20

func diffMiddle(a, b []string, offset int) []edit {
	n, m := len(a), len(b)
	var ops []edit
	if n*m > maxDiffCells {
		for i := range a {
			ops = append(ops, edit{'-', offset + i, offset})
		}
		for j := range b {
			ops = append(ops, edit{'+', offset + n, offset + j})
		}
		return ops
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, edit{' ', offset + i, offset + j})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			// On a tie the deletion comes first: diff -u shows a changed
			// line as its old version, then its new one.
			ops = append(ops, edit{'-', offset + i, offset + j})
			i++
		default:
			ops = append(ops, edit{'+', offset + i, offset + j})
			j++
		}
	}
	return ops
}

// hunk is a run of the edit script with its surrounding context.
type hunk struct{ ops []edit }

// hunks groups changes that are within 2*context lines of each other.
func hunks(ops []edit, context int) []hunk {
	var out []hunk
	start, end := -1, -1
	for k, op := range ops {
		if op.kind == ' ' {
			continue
		}
		lo, hi := max(0, k-context), min(len(ops), k+context+1)
		if start >= 0 && lo <= end {
			end = hi
			continue
		}
		if start >= 0 {
			out = append(out, hunk{ops[start:end]})
		}
		start, end = lo, hi
	}
	if start >= 0 {
		out = append(out, hunk{ops[start:end]})
	}
	return out
}

func (h hunk) render(a, b []string) string {
	var body strings.Builder
	na, nb := 0, 0
	for _, op := range h.ops {
		line := ""
		switch op.kind {
		case ' ':
			line, na, nb = a[op.i], na+1, nb+1
		case '-':
			line, na = a[op.i], na+1
		case '+':
			line, nb = b[op.j], nb+1
		}
		body.WriteByte(op.kind)
		body.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			body.WriteString("\n\\ No newline at end of file\n")
		}
	}
	first := h.ops[0]
	return fmt.Sprintf("@@ -%s +%s @@\n%s", hunkRange(first.i, na), hunkRange(first.j, nb), body.String())
}

// hunkRange formats a hunk's start and length as diff -u does: an empty
// range starts at the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	default:
		return fmt.Sprintf("%d,%d", start+1, n)
	}
}
