package pypi

import (
	"net/url"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// userinfoRe finds "//userinfo@" (up to the last "@" of the authority, as
// url.Parse reads it) in strings that do not parse as URLs.
var userinfoRe = lazyre.New(`//[^/?#\s]*@`)

// Redact returns u with its password (or a lone token user name) replaced by
// "****", the way pip prints index URLs: "https://user:****@host/simple",
// "https://****@host/simple". The rest of u is kept as written. A string
// that does not parse as a URL has any "//...@" userinfo masked.
func Redact(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return userinfoRe.R().ReplaceAllString(u, "//****@")
	}
	if parsed.User == nil {
		return u
	}
	mask := "****"
	if _, has := parsed.User.Password(); has {
		mask = url.User(parsed.User.Username()).String() + ":****"
	}
	// As url.Parse reads it: the authority follows the first "//" and ends
	// at "/", "?" or "#"; the userinfo ends at its last "@".
	start := strings.Index(u, "//") + 2
	end := len(u)
	if i := strings.IndexAny(u[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(u[start:end], "@")
	return u[:start] + mask + u[start+at:]
}

// stripUserinfo returns u without credentials and the credentials it had.
func stripUserinfo(u *url.URL) (*url.URL, *url.Userinfo) {
	clean := *u
	clean.User = nil
	return &clean, u.User
}
