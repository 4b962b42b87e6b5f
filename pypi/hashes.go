package pypi

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// SRI converts a hex sha256 digest to a Nix SRI hash, "sha256-<base64>".
func SRI(hexSHA256 string) (string, error) {
	sum, err := decodeSHA256(hexSHA256)
	if err != nil {
		return "", err
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(sum), nil
}

// decodeSHA256 decodes a 64-digit hex sha256 digest (either case).
func decodeSHA256(h string) ([]byte, error) {
	sum, err := hex.DecodeString(h)
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("invalid sha256 %q: want 64 hex digits", h)
	}
	return sum, nil
}

// MatchHashes checks pip-style hashes ("sha256:<hex>", the values of
// requirements.txt --hash options) against the files of r: it is an error
// unless some file's sha256 is among them. No hashes means nothing to check.
// Only sha256 can be checked against index digests; other algorithms are
// reported as unverifiable.
func MatchHashes(r Release, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, h := range hashes {
		algo, digest, ok := strings.Cut(strings.TrimSpace(h), ":")
		if !ok {
			return fmt.Errorf("%s: invalid --hash %q: want algorithm:hexdigest, e.g. sha256:<64 hex digits>", releaseLabel(r), h)
		}
		if strings.EqualFold(algo, "sha256") {
			want[strings.ToLower(digest)] = true
		}
	}
	if len(want) == 0 {
		return fmt.Errorf("%s: cannot check --hash %s: the index publishes sha256 digests only; add a sha256 hash", releaseLabel(r), strings.Join(hashes, " "))
	}
	for _, f := range r.Files {
		if want[strings.ToLower(f.SHA256)] {
			return nil
		}
	}
	return hashMismatchError(r, hashes)
}

// hashMismatchError lists the release's files and digests so the user can
// see what the index offers.
func hashMismatchError(r Release, hashes []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: no file matches the required hashes (%s); its files are:", releaseLabel(r), strings.Join(hashes, ", "))
	if len(r.Files) == 0 {
		b.WriteString(" none")
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "\n  %s sha256:%s", f.Filename, f.SHA256)
	}
	return fmt.Errorf("%s", b.String())
}

// releaseLabel is "name version" (or the version alone when the release does
// not know its project).
func releaseLabel(r Release) string {
	v := r.Key
	if v == "" && r.Version != (pep440.Version{}) {
		v = r.Version.String()
	}
	if r.Name == "" {
		return v
	}
	return r.Name + " " + v
}
