package vcs

import (
	"fmt"
	"github.com/req2nix/req2nix/pypi"
	"net/url"
	"strings"
)

// allowedSchemes are the transports a repository URL may use. git's own
// "ext::" (runs a command) and "fd::" transports, and anything else, are
// refused here, and GIT_ALLOW_PROTOCOL refuses them again inside git
// (submodules and redirects included).
var allowedSchemes = map[string]bool{"https": true, "http": true, "ssh": true, "git": true, "file": true}

// gitAllowProtocol is GIT_ALLOW_PROTOCOL: the same list, for git itself.
const gitAllowProtocol = "https:http:ssh:git:file"

// CheckURL fails for a repository URL that git must not be given: one that
// is not scheme://..., uses another transport than https, http, ssh, git or
// file, could be read as an option (a leading "-", in the URL or in an ssh
// host or user name), or holds control characters or spaces. Every URL is
// checked before git sees it; it is also always passed after "--".
func CheckURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("empty repository URL")
	}
	if strings.HasPrefix(raw, "-") {
		return fmt.Errorf("repository URL %q starts with '-'", pypi.Redact(raw))
	}
	if i := strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return fmt.Errorf("repository URL %q holds a space or control character", pypi.Redact(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("malformed repository URL %q", pypi.Redact(raw))
	}
	if !allowedSchemes[u.Scheme] {
		return fmt.Errorf("repository URL scheme %q is not allowed; use https://, ssh://, git:// or file://", u.Scheme)
	}
	if u.Scheme != "file" && u.Host == "" {
		return fmt.Errorf("repository URL %q names no host", pypi.Redact(raw))
	}
	if strings.HasPrefix(u.Host, "-") || (u.User != nil && strings.HasPrefix(u.User.Username(), "-")) {
		return fmt.Errorf("repository URL %q has a host or user name starting with '-'", pypi.Redact(raw))
	}
	if u.Scheme == "file" && u.Host != "" && u.Host != "localhost" {
		return fmt.Errorf("file URL %q names the host %q: only local repositories can be read", pypi.Redact(raw), u.Host)
	}
	return nil
}
