// Package pep440 implements PEP 440 versions and version specifiers exactly,
// behaving as pypa/packaging 26 (vendored by current pip) where the PEP
// leaves room.
package pep440

// NOTE: this file is the agreed API skeleton; the implementation replaces the
// panics. Exported names and signatures below are a contract other packages
// compile against: keep them.

// Version is a parsed PEP 440 version. Values are immutable and comparable
// with Compare; the zero Version is not a valid version.
type Version struct {
	// unexported fields, chosen by the implementation
	impl *version
}

type version struct{}

// Parse parses s as a PEP 440 version (any spelling the PEP accepts,
// normalised). Legacy versions are an error.
func Parse(s string) (Version, error) { panic("unimplemented") }

// MustParse is Parse for known-good input (tests, tables); it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalised form.
func (v Version) String() string { panic("unimplemented") }

// Compare returns -1, 0 or +1: the PEP 440 total order.
func (v Version) Compare(w Version) int { panic("unimplemented") }

func (v Version) Epoch() int          { panic("unimplemented") }
func (v Version) Release() []int      { panic("unimplemented") }
func (v Version) Public() string      { panic("unimplemented") }
func (v Version) BaseVersion() string { panic("unimplemented") }
func (v Version) Local() string       { panic("unimplemented") }
func (v Version) IsPrerelease() bool  { panic("unimplemented") }
func (v Version) IsPostrelease() bool { panic("unimplemented") }
func (v Version) IsDevrelease() bool  { panic("unimplemented") }

// Specifiers is a parsed, comma-separated set of version clauses. The zero
// value is the empty set, which contains every version.
type Specifiers struct {
	impl []specifier
}

type specifier struct{}

// ParseSpecifiers parses "", ">=1.0", ">=1.0, !=1.3.*, <2" and so on.
func ParseSpecifiers(s string) (Specifiers, error) { panic("unimplemented") }

// Contains reports whether v satisfies every clause. With prereleases false
// a pre-release is never contained.
func (s Specifiers) Contains(v Version, prereleases bool) bool { panic("unimplemented") }

// Prereleases reports whether a clause names a pre-release.
func (s Specifiers) Prereleases() bool { panic("unimplemented") }

// PrereleasePolicy says which pre-releases Filter keeps.
type PrereleasePolicy int

const (
	// PrereleasesDefault is PEP 440's and pip's rule: keep pre-releases when
	// a clause names one, or when no final or post release matches.
	PrereleasesDefault PrereleasePolicy = iota
	PrereleasesAllow                    // keep matching pre-releases (--pre)
	PrereleasesDeny                     // never keep pre-releases
)

// Filter returns the versions of vs that s contains under policy, in the
// order given.
func (s Specifiers) Filter(vs []Version, policy PrereleasePolicy) []Version {
	panic("unimplemented")
}

// String returns the normalised clauses joined by ",".
func (s Specifiers) String() string { panic("unimplemented") }

// IsEmpty reports whether s has no clauses.
func (s Specifiers) IsEmpty() bool { return len(s.impl) == 0 }
