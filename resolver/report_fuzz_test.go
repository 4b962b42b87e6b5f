package resolver

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// FuzzExplanation resolves small random graphs (those of FuzzResolve, some
// releases yanked or needing another Python, chosen by the first two input
// bytes) and checks the shape of every explanation: sentences that start
// and end as pub's do, line numbers given in order and referred to only
// after they are given, hints after a blank line, and a tree whose facts
// are all stated. Seeds are in testdata/fuzz/FuzzExplanation.
func FuzzExplanation(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var yanked, python byte
		if len(data) >= 2 {
			yanked, python, data = data[0], data[1], data[2:]
		}
		g := decodeGraph(data)
		dsl := markReleases(g.dsl(), yanked, python)
		_, err := Resolve(context.Background(), newMemIndex(t, dsl), rootFile(t, lines(g.root), lines(g.constraints)), Options{})
		var ns *NoSolutionError
		if !errors.As(err, &ns) {
			return
		}
		if problem := explanationProblem(ns.Error()); problem != "" {
			t.Fatalf("%s in:\n%s\nfor\n%s\nroot: %s\nconstraints: %s", problem, ns, dsl, lines(g.root), lines(g.constraints))
		}
		if problem := treeProblem(ns.Tree); problem != "" {
			t.Fatalf("tree: %s, for:\n%s", problem, ns)
		}
	})
}

// markReleases adds the attribute yanked to the i-th release line of an
// index when bit i of yanked is set, and rp=>=3.13 when bit i of python is.
func markReleases(dsl string, yanked, python byte) string {
	ls := strings.Split(dsl, "\n")
	for i := range ls {
		head, body, ok := strings.Cut(ls[i], ":")
		if !ok || i >= 8 {
			continue
		}
		if yanked&(1<<i) != 0 {
			head += " yanked"
		}
		if python&(1<<i) != 0 {
			head += " rp=>=3.13"
		}
		ls[i] = head + ":" + body
	}
	return strings.Join(ls, "\n")
}

var (
	sentenceStart = regexp.MustCompile(`^(Because|And because|So, because|Thus,) `)
	lineNumber    = regexp.MustCompile(`\.( \((\d+)\))?$`)
	reference     = regexp.MustCompile(`\((\d+)\)`)
)

// explanationProblem checks an explanation's shape, returning what is
// wrong or "".
func explanationProblem(text string) string {
	body, hints, _ := strings.Cut(text, "\n\nhint: ")
	if hints != "" {
		for _, h := range strings.Split("hint: "+hints, "\n") {
			if !strings.HasPrefix(h, "hint: ") {
				return fmt.Sprintf("hint line %q", h)
			}
		}
	}
	if !strings.HasSuffix(body, "version solving failed.") {
		return "no conclusion"
	}
	if strings.Contains(body, "\n\n\n") || strings.HasPrefix(body, "\n") {
		return "stray blank line"
	}
	given := 0
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			continue
		}
		if problem := lineProblem(line, &given); problem != "" {
			return problem
		}
	}
	return ""
}

// lineProblem checks one sentence; given counts the line numbers given so
// far.
func lineProblem(line string, given *int) string {
	if !sentenceStart.MatchString(line) {
		return fmt.Sprintf("sentence start %q", line)
	}
	end := lineNumber.FindStringSubmatch(line)
	if end == nil {
		return fmt.Sprintf("sentence end %q", line)
	}
	inner := strings.TrimSuffix(line, end[0])
	for _, m := range reference.FindAllStringSubmatch(inner, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		if n < 1 || n > *given {
			return fmt.Sprintf("reference (%d) before it is given", n)
		}
	}
	if end[2] != "" {
		*given++
		if end[2] != fmt.Sprint(*given) {
			return fmt.Sprintf("line number (%s) out of order", end[2])
		}
	}
	for _, bad := range []string{"each of every", "  ", ", ,", " ,", "..", "cannot be used cannot"} {
		if strings.Contains(line, bad) {
			return fmt.Sprintf("%q", bad)
		}
	}
	return ""
}

// treeProblem checks that every node of a derivation tree is complete.
func treeProblem(ic *Incompatibility) string {
	switch {
	case ic.Kind == "derived" && len(ic.Causes) != 2:
		return "a derived node without two causes"
	case ic.Kind == "derived":
		for _, c := range ic.Causes {
			if p := treeProblem(c); p != "" {
				return p
			}
		}
	case ic.Fact == "":
		return fmt.Sprintf("a %s node without a fact", ic.Kind)
	}
	return ""
}
