package pep508

import (
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Requirement is one parsed dependency specifier.
type Requirement struct {
	Name       string            // as written (not normalised)
	Extras     []string          // as written, in order written, without repeats
	Specifiers pep440.Specifiers // empty for direct references
	URL        string            // direct reference ("name @ url"), else ""
	Marker     Marker            // zero Marker when there is none
}

// ParseRequirement parses a PEP 508 requirement string such as
// `requests[socks] >=2.8, !=2.9 ; python_version >= "3.8"` or
// `pkg @ https://host/pkg.zip ; os_name == "posix"`. Errors are *SyntaxError.
func ParseRequirement(s string) (Requirement, error) {
	p, err := parseRequirementSyntax(s)
	if err != nil {
		return Requirement{}, err
	}
	specs, err := pep440.ParseSpecifiers(p.specifier)
	if err != nil {
		return Requirement{}, newSyntaxError(s, "Invalid version specifier: "+err.Error(), p.specStart, p.specEnd)
	}
	r := Requirement{Name: p.name, Extras: uniqueStrings(p.extras), Specifiers: specs, URL: p.url}
	if p.marker != nil {
		r.Marker = Marker{impl: p.marker}
	}
	return r, nil
}

// uniqueStrings drops repeats, keeping first occurrences in order.
func uniqueStrings(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// String formats the requirement canonically, as packaging's
// str(Requirement): `name[a,b]<2,>=1`, `name[a] @ url ; marker`,
// `name>=1; marker`, with extras and clauses sorted. It parses back to an
// equal value.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		extras := slices.Clone(r.Extras)
		slices.Sort(extras)
		b.WriteString("[" + strings.Join(slices.Compact(extras), ",") + "]")
	}
	if !r.Specifiers.IsEmpty() {
		b.WriteString(r.Specifiers.String())
	}
	if r.URL != "" {
		b.WriteString(" @ " + r.URL)
		if !r.Marker.IsZero() {
			b.WriteString(" ")
		}
	}
	if !r.Marker.IsZero() {
		b.WriteString("; " + r.Marker.String())
	}
	return b.String()
}
