package resolver

import "strings"

// NoSolutionError reports requirements that cannot all be satisfied. It
// holds the derivation tree as data; Error renders it in words, one
// "Because ..." sentence per step as Dart pub's error reporting does,
// followed by hints (yanked releases, projects with only pre-releases).
type NoSolutionError struct {
	Tree *Incompatibility // the root of the derivation tree: "version solving failed"
	text string
}

// Error returns the explanation.
func (e *NoSolutionError) Error() string { return e.text }

// Incompatibility is one node of the derivation tree: a set of terms that
// cannot all hold. External nodes are facts (a dependency, a root
// requirement, no matching version...); derived nodes were learned from
// their two causes. Nodes shared by several parents are the same pointer.
type Incompatibility struct {
	Terms  []Term
	Kind   string             // "root", "no-versions", "unavailable", "dependency", "constraint" or "derived"
	Fact   string             // external nodes: the fact in words
	Causes []*Incompatibility // derived nodes: the two causes
}

// Term is "Package at a version in Versions" (Positive) or its negation.
type Term struct {
	Package  string // "flask", "flask[dotenv]", or "" for the root
	Versions string // PEP 440 specifier text, "" for every version
	Positive bool
}

var kindNames = map[causeKind]string{
	causeRoot: "root", causeNoVersions: "no-versions", causeUnavailable: "unavailable",
	causeDependency: "dependency", causeConstraint: "constraint", causeDerived: "derived",
}

func newNoSolutionError(root *incompat, w *world) *NoSolutionError {
	text := explain(root, w)
	if hints := w.hints(root); len(hints) > 0 {
		text += "\n\n" + strings.Join(hints, "\n")
	}
	return &NoSolutionError{Tree: exportTree(root, w, map[*incompat]*Incompatibility{}), text: text}
}

func exportTree(ic *incompat, w *world, seen map[*incompat]*Incompatibility) *Incompatibility {
	if out, ok := seen[ic]; ok {
		return out
	}
	out := &Incompatibility{Kind: kindNames[ic.kind]}
	seen[ic] = out
	for _, t := range ic.terms {
		name := ""
		if t.pkg != rootPkg {
			name = w.name(t.pkg)
		}
		out.Terms = append(out.Terms, Term{Package: name, Versions: w.specText(t.pkg, t.set), Positive: t.pos})
	}
	if ic.kind == causeDerived {
		out.Causes = []*Incompatibility{exportTree(ic.cause1, w, seen), exportTree(ic.cause2, w, seen)}
	} else {
		out.Fact = joinAnd((&reporter{d: w}).facts(ic))
	}
	return out
}
