package reqfile

import (
	"strings"

	"github.com/req2nix/req2nix/pypi/pep508"
)

// formatControl is pip's FormatControl: the projects for which only
// source distributions (noBinary) or only wheels (onlyBinary) may be used.
// Both are ordered sets of ":all:" or normalised names.
type formatControl struct {
	noBinary, onlyBinary []string
}

// set applies one --no-binary (noBinary true) or --only-binary value with
// pip's handle_mutual_excludes semantics: ":all:" replaces both sets,
// ":none:" empties the target, and naming a project removes it from the
// other set.
func (fc *formatControl) set(value string, noBinary bool) error {
	target, other := &fc.onlyBinary, &fc.noBinary
	optName := "--only-binary"
	if noBinary {
		target, other, optName = other, target, "--no-binary"
	}
	if strings.HasPrefix(value, "-") {
		return optionErrorf("option %s needs a value, not %q; write %s=<names>", optName, value, optName)
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

// hashDigestLengths are the hex lengths of the digests of hashlib's
// algorithms; a --hash naming one of them must have that length.
var hashDigestLengths = map[string]int{
	"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
	"sha3_224": 56, "sha3_256": 64, "sha3_384": 96, "sha3_512": 128,
	"blake2b": 128, "blake2s": 64,
}

// checkHash validates a --hash value "algorithm:hexdigest" and returns it
// with the digest in lower case. The algorithm is kept as written.
func checkHash(value string) (string, error) {
	algo, digest, ok := strings.Cut(value, ":")
	if !ok || algo == "" {
		return "", optionErrorf("--hash %q is not algorithm:digest; write --hash=sha256:<hex digest>", value)
	}
	if !isHex(digest) {
		return "", optionErrorf("--hash %q: the digest is not hexadecimal; copy it from `pip hash` or the index", value)
	}
	if n, known := hashDigestLengths[algo]; known && len(digest) != n {
		return "", optionErrorf("--hash %q: a %s digest has %d hex digits, not %d; copy the whole digest", value, algo, n, len(digest))
	}
	return algo + ":" + strings.ToLower(digest), nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
