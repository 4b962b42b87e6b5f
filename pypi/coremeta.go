package pypi

import (
	"bufio"
	"bytes"
	"errors"
	"strings"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// maxHeaderLine bounds one (unfolded) header of a core metadata file.
const maxHeaderLine = 1 << 20

// parseCoreMetadata reads the email-header format of core metadata
// (METADATA, PKG-INFO, PEP 658 .metadata): Name, Version, Requires-Dist,
// Requires-Python and Provides-Extra. Folded lines (continuations starting
// with a space or tab) are unfolded; the headers end at the first blank
// line or, as in Python's email parser, at the first line that is not a
// header. Field names are case-insensitive. Name and Version are required.
func parseCoreMetadata(body []byte, source MetadataSource) (*Metadata, error) {
	m := &Metadata{Source: source}
	for _, h := range headerFields(body) {
		switch strings.ToLower(h.name) {
		case "name":
			m.Name = h.value
		case "version":
			m.Version = normalizeVersion(h.value)
		case "requires-dist":
			m.RequiresDist = append(m.RequiresDist, h.value)
		case "requires-python":
			m.RequiresPython = h.value
		case "provides-extra":
			m.ProvidesExtra = append(m.ProvidesExtra, h.value)
		}
	}
	switch {
	case m.Name == "":
		return nil, errors.New("no Name header: not a core metadata file")
	case m.Version == "":
		return nil, errors.New("no Version header: not a core metadata file")
	}
	return m, nil
}

// normalizeVersion is the normalised PEP 440 form of v, or v itself when it
// is not a PEP 440 version.
func normalizeVersion(v string) string {
	if pv, err := pep440.Parse(v); err == nil {
		return pv.String()
	}
	return v
}

// header is one unfolded header field.
type header struct{ name, value string }

// headerFields splits the header section of an email-format document.
func headerFields(body []byte) []header {
	var out []header
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxHeaderLine)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(out) > 0 {
				last := &out[len(out)-1]
				last.value = strings.TrimSpace(last.value + " " + strings.TrimSpace(line))
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !validFieldName(name) {
			break
		}
		out = append(out, header{name: name, value: strings.TrimSpace(value)})
	}
	return out
}

// validFieldName reports an RFC 5322 field name: printable ASCII but colon
// and space.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
