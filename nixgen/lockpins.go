package nixgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/req2nix/req2nix/resolver"
)

// A direct reference's lock line carries, after "name==version", what its
// URL alone does not pin, as space-separated key=value fields (values
// %-escaped): "url=" the requirement's URL without credentials, then
// "rev=" and "hash=" (a git ref's commit and the checkout's NAR hash) or
// "sha256=" (an archive's digest). Readers that know only name==version
// ignore them.

// lockFields are the extra fields of d's lock line ("" for packages that
// are not direct references, and for local paths).
func lockFields(d Decision) string {
	p := d.Resolved
	if p.DirectURL == "" {
		return ""
	}
	s, err := directSource(p)
	var fields []string
	switch {
	case err != nil:
		return ""
	case s.Kind == resolver.DirectGit && s.Rev != "":
		fields = append(fields, "rev="+lockValue(s.Rev))
		if s.TreeHash != "" {
			fields = append(fields, "hash="+lockValue(s.TreeHash))
		}
	case s.Kind == resolver.DirectArchive && len(p.Files) == 1:
		fields = append(fields, "sha256="+lockValue(p.Files[0].SHA256))
	default:
		return ""
	}
	return " url=" + lockValue(resolver.DirectPinKey(p.DirectURL)) + " " + strings.Join(fields, " ")
}

// lockValue %-escapes what a field value cannot hold: "%", spaces,
// control characters and non-ASCII bytes (a comment line stays one line).
func lockValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ReadDirectPins returns what a previous run pinned of direct references,
// by resolver.DirectPinKey of their URL: a git ref's commit and checkout
// hash, an archive's sha256. It reads the lock lines' fields of shell.nix,
// flake.nix and overlay.nix, or the packages of a JSON report. A file
// written before these fields existed pins none.
func ReadDirectPins(data []byte) (map[string]resolver.DirectPin, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return readJSONDirectPins(trimmed)
	}
	pins := map[string]resolver.DirectPin{}
	if _, err := eachLockLine(data, func(rest string) error { return addDirectPin(pins, rest) }); err != nil {
		return nil, err
	}
	return pins, nil
}

// addDirectPin reads the fields of one lock line, if it has any.
func addDirectPin(pins map[string]resolver.DirectPin, rest string) error {
	words := strings.Fields(rest)
	if len(words) < 2 {
		return nil
	}
	name, _, _ := strings.Cut(words[0], "==")
	name, err := url.PathUnescape(name)
	if err != nil || name == "" {
		return fmt.Errorf("no name, or a bad %%-escape in it")
	}
	pin := resolver.DirectPin{Name: name}
	var key string
	for _, w := range words[1:] {
		k, v, ok := strings.Cut(w, "=")
		value, err := url.PathUnescape(v)
		if !ok || err != nil {
			return fmt.Errorf("field %q is not key=value", w)
		}
		switch k {
		case "url":
			key = value
		case "rev":
			pin.Rev = value
		case "hash":
			pin.TreeHash = value
		case "sha256":
			pin.SHA256 = value
		} // other keys: from a newer req2nix
	}
	if key == "" {
		return fmt.Errorf("fields without url=")
	}
	pins[key] = pin
	return nil
}

// readJSONDirectPins reads the direct references of a JSON report.
func readJSONDirectPins(data []byte) (map[string]resolver.DirectPin, error) {
	var r struct {
		Packages []ReportPackage `json:"packages"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("previous req2nix output: not a JSON report: %w", err)
	}
	pins := map[string]resolver.DirectPin{}
	for _, p := range r.Packages {
		if p.DirectURL == "" || p.Source == nil {
			continue
		}
		pin := resolver.DirectPin{Name: p.Name}
		switch p.Source.Fetcher {
		case FetcherFetchgit, FetcherGit:
			pin.Rev, pin.TreeHash = p.Source.Rev, p.Source.Hash
		case "fetchurl", "fetchPypi":
			if len(p.Files) == 1 {
				pin.SHA256 = p.Files[0].SHA256
			}
		default:
			continue
		}
		pins[resolver.DirectPinKey(p.DirectURL)] = pin
	}
	return pins, nil
}
