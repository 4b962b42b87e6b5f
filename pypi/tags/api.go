// Package tags reads distribution filenames (PEP 427 wheels, PEP 625 and
// legacy sdists) and ranks wheels by their PEP 425 compatibility tags for a
// target interpreter and platform that need not be the host's.
package tags

// NOTE: agreed API skeleton; the implementation replaces the panics.

// Wheel is a parsed wheel filename:
// {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl, where
// each tag part may be a "."-separated set.
type Wheel struct {
	Distribution string // as in the filename (normally "_"-escaped)
	Version      string // as in the filename
	Build        string // "" when absent
	Python       []string
	ABI          []string
	Platform     []string
}

// ParseWheel parses a wheel filename.
func ParseWheel(filename string) (Wheel, error) { panic("unimplemented") }

// Pure reports whether the wheel runs anywhere: platform "any" and abi "none".
func (w Wheel) Pure() bool { panic("unimplemented") }

// Sdist is a parsed source distribution filename.
type Sdist struct {
	Name      string // the filename's name part as written (e.g. "Jinja2", "scikit_learn")
	Version   string // as written
	Extension string // "tar.gz", "zip", "tar.bz2", "tgz", "tar.xz", "tar"
}

// ParseSdist parses an sdist filename given its project's normalised name
// (needed because legacy names and versions may both contain "-").
func ParseSdist(filename, project string) (Sdist, error) { panic("unimplemented") }

// Target is the interpreter and platform wheels are chosen for.
type Target struct {
	Python   string // "3.12" (major.minor), CPython
	Platform string // x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
}

// Ranker ranks wheel filenames for one target.
type Ranker struct{ impl *ranker }

type ranker struct{}

// NewRanker builds the ordered list of tags the target supports, most
// preferred first (as packaging.tags.sys_tags orders them for CPython).
func NewRanker(t Target) (*Ranker, error) { panic("unimplemented") }

// Rank returns the wheel's rank for the target (0 is best; lower is better)
// and whether it is installable there at all.
func (r *Ranker) Rank(filename string) (rank int, ok bool) { panic("unimplemented") }

// Best returns the index in filenames of the best installable wheel, or -1.
// Non-wheel filenames are ignored. Ties go to the earliest.
func (r *Ranker) Best(filenames []string) int { panic("unimplemented") }
