package pypi

import (
	"net/url"
	"regexp"
	"strings"
)

// userinfoRe finds "//userinfo@" in strings that do not parse as URLs.
var userinfoRe = regexp.MustCompile(`//[^/@\s]*@`)

// Redact returns u with its password (or a lone token user name) replaced by
// "****", the way pip prints index URLs: "https://user:****@host/simple",
// "https://****@host/simple". A string that does not parse as a URL has any
// "//...@" userinfo masked.
func Redact(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return userinfoRe.ReplaceAllString(u, "//****@")
	}
	if parsed.User == nil {
		return u
	}
	mask := "****"
	if _, has := parsed.User.Password(); has {
		mask = url.User(parsed.User.Username()).String() + ":****"
	}
	parsed.User = nil
	out := parsed.String()
	i := strings.Index(out, "//") // userinfo implies an authority: "[scheme:]//host"
	if i < 0 { // an empty authority vanished from the output
		return userinfoRe.ReplaceAllString(u, "//****@")
	}
	return out[:i+2] + mask + "@" + out[i+2:]
}

// stripUserinfo returns u without credentials and the credentials it had.
func stripUserinfo(u *url.URL) (*url.URL, *url.Userinfo) {
	clean := *u
	clean.User = nil
	return &clean, u.User
}
