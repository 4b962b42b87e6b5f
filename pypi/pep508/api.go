// Package pep508 implements PEP 503 project names and PEP 508 dependency
// specifiers: requirements, extras, direct references and environment
// markers.
package pep508

import (
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// NOTE: agreed API skeleton; the implementation replaces the panics. Keep the
// exported names and signatures: other packages compile against them.

// NormalizeName returns the PEP 503 normalised form of a project name:
// lower case, runs of "-", "_" and "." replaced by a single "-".
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inRun := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || c == '.' {
			if !inRun {
				b.WriteByte('-')
			}
			inRun = true
			continue
		}
		inRun = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ValidName reports whether s is a valid project name (PEP 508 identifier).
func ValidName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Requirement is one parsed dependency specifier.
type Requirement struct {
	Name       string            // as written (not normalised)
	Extras     []string          // as written, in order written
	Specifiers pep440.Specifiers // empty for direct references
	URL        string            // direct reference ("name @ url"), else ""
	Marker     Marker            // zero Marker when there is none
}

// ParseRequirement parses a PEP 508 requirement string.
func ParseRequirement(s string) (Requirement, error) { panic("unimplemented") }

// String formats the requirement canonically; it parses back to an equal value.
func (r Requirement) String() string { panic("unimplemented") }

// Marker is a parsed environment marker. The zero Marker is "no marker" and
// evaluates to true.
type Marker struct {
	impl *markerNode
}

type markerNode struct{}

// ParseMarker parses a PEP 508 marker expression.
func ParseMarker(s string) (Marker, error) { panic("unimplemented") }

// IsZero reports whether m is the empty marker.
func (m Marker) IsZero() bool { return m.impl == nil }

// Evaluate evaluates m in env. A variable missing from env is an empty string
// (except that "extra" compares by normalised name).
func (m Marker) Evaluate(env Environment) bool { panic("unimplemented") }

// String formats the marker canonically (double quotes, single spaces).
func (m Marker) String() string { panic("unimplemented") }

// Environment holds the PEP 508 marker variables (python_version,
// python_full_version, os_name, sys_platform, platform_system,
// platform_machine, platform_release, platform_version,
// platform_python_implementation, implementation_name,
// implementation_version) plus "extra".
type Environment map[string]string

// TargetEnvironment builds the marker environment of a target interpreter:
// python is "3.12" or "3.12.4" (a bare minor version gets the newest patch
// release known), platform one of x86_64-linux, aarch64-linux,
// x86_64-darwin, aarch64-darwin. CPython is assumed.
func TargetEnvironment(python, platform string) (Environment, error) { panic("unimplemented") }
