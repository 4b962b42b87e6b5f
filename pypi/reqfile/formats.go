package reqfile

import (
	"fmt"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// exclusiveNames is a pair of pip's mutually exclusive sets of projects,
// each an ordered set of ":all:" or normalised names: FormatControl's
// no_binary and only_binary (--no-binary, --only-binary), ReleaseControl's
// all_releases and only_final (--all-releases, --only-final).
type exclusiveNames struct {
	names [2][]string
	opts  [2]string // the options that set them, for messages
}

var (
	newFormatControl  = func() exclusiveNames { return exclusiveNames{opts: [2]string{"--no-binary", "--only-binary"}} }
	newReleaseControl = func() exclusiveNames { return exclusiveNames{opts: [2]string{"--all-releases", "--only-final"}} }
)

// set applies one value of the option that sets names[i], with pip's
// handle_mutual_excludes semantics: ":all:" replaces both sets, ":none:"
// empties the target, and naming a project removes it from the other set.
func (x *exclusiveNames) set(value string, i int) error {
	target, other := &x.names[i], &x.names[1-i]
	if strings.HasPrefix(value, "-") {
		return optionErrorf("option %s needs a value, not %q; write %s=<names>", x.opts[i], value, x.opts[i])
	}
	names := strings.Split(value, ",")
	for {
		i := indexOf(names, ":all:")
		if i < 0 {
			break
		}
		*other, *target = nil, []string{":all:"}
		names = names[i+1:]
		if indexOf(names, ":none:") < 0 {
			return nil
		}
	}
	for _, name := range names {
		switch name {
		case ":none:":
			*target = nil
		case "":
		default:
			name = pep508.NormalizeName(name)
			*other = remove(*other, name)
			*target = appendUnique(*target, name)
		}
	}
	return nil
}

// PrereleasePolicy is pip's ReleaseControl.allows_prereleases for a
// project: --all-releases (and --pre, which pip turns into
// --all-releases=:all:) allow its pre-releases, --only-final forbids them;
// a project named in either list wins over ":all:" in the other.
// PrereleasesDefault means neither applies (PEP 440's rule).
func (f *File) PrereleasePolicy(name string) pep440.PrereleasePolicy {
	name = pep508.NormalizeName(name)
	switch {
	case indexOf(f.AllReleases, name) >= 0:
		return pep440.PrereleasesAllow
	case indexOf(f.OnlyFinal, name) >= 0:
		return pep440.PrereleasesDeny
	case indexOf(f.AllReleases, ":all:") >= 0:
		return pep440.PrereleasesAllow
	case indexOf(f.OnlyFinal, ":all:") >= 0:
		return pep440.PrereleasesDeny
	}
	return pep440.PrereleasesDefault
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func remove(list []string, s string) []string {
	if i := indexOf(list, s); i >= 0 {
		return append(list[:i:i], list[i+1:]...)
	}
	return list
}

// strongHashes are the algorithms pip accepts for --hash (pip's
// STRONG_HASHES), with the hex length of their digests.
var strongHashes = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// checkHash validates a --hash value "algorithm:digest" as pip does: the
// algorithm must be one of pip's strong hashes (case-sensitive, as in pip);
// the digest is accepted as given, as pip accepts it, but one that is not a
// hex digest of the right length can never match a file, which the returned
// warning says. Hex digests are lower-cased.
func checkHash(value string) (hash, warning string, err error) {
	algo, digest, ok := strings.Cut(value, ":")
	if !ok {
		return "", "", optionErrorf("--hash %q is not algorithm:digest; write --hash=sha256:<hex digest>", value)
	}
	n, strong := strongHashes[algo]
	if !strong {
		return "", "", optionErrorf("--hash %q: allowed hash algorithms for --hash are sha256, sha384, sha512", value)
	}
	if !isHex(digest) || len(digest) != n {
		return value, fmt.Sprintf("--hash %q is not a %d-digit hex %s digest and can never match a file; copy it from `pip hash` or the index", value, n, algo), nil
	}
	return algo + ":" + strings.ToLower(digest), "", nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
