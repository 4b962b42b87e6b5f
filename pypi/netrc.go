package pypi

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// netrcEntry is the login of one "machine" (or the "default") of a netrc file.
type netrcEntry struct {
	login, password string
}

// netrc maps host names to logins; "" holds the "default" entry.
type netrc map[string]netrcEntry

// defaultNetrcPath is $NETRC, else ~/.netrc (what curl, pip and requests read).
func defaultNetrcPath() string {
	if p := os.Getenv("NETRC"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".netrc")
}

// readNetrc reads the netrc file at path; a missing or unreadable file is an
// empty netrc (credentials are optional).
func readNetrc(path string) netrc {
	data, err := os.ReadFile(path)
	if err != nil {
		return netrc{}
	}
	return parseNetrc(string(data))
}

// parseNetrc parses the netrc format: whitespace-separated tokens "machine
// NAME", "default", "login X", "password X", "account X", "macdef NAME"
// (whose body runs to the next blank line) and "#" comments. The first entry
// for a machine wins, as in curl and Python's netrc module.
func parseNetrc(text string) netrc {
	out := netrc{}
	toks := netrcTokens(text)
	machine, inEntry := "", false
	var cur netrcEntry
	flush := func() {
		if _, dup := out[machine]; inEntry && !dup {
			out[machine] = cur
		}
		cur, inEntry = netrcEntry{}, false
	}
	for i := 0; i < len(toks); i++ {
		next := func() string {
			if i+1 < len(toks) {
				i++
				return toks[i]
			}
			return ""
		}
		switch toks[i] {
		case "machine":
			flush()
			machine, inEntry = strings.ToLower(next()), true
		case "default":
			flush()
			machine, inEntry = "", true
		case "login":
			cur.login = next()
		case "password":
			cur.password = next()
		case "account", "macdef":
			next()
		}
	}
	flush()
	return out
}

// netrcTokens splits netrc text into tokens, dropping comments and macdef
// bodies.
func netrcTokens(text string) []string {
	var toks []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	inMacro := false
	for sc.Scan() {
		line := sc.Text()
		if inMacro {
			inMacro = strings.TrimSpace(line) != ""
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		fields := strings.Fields(line)
		toks = append(toks, fields...)
		for j, f := range fields {
			if f == "macdef" && j+1 < len(fields) {
				inMacro = true
			}
		}
	}
	return toks
}

// lookup returns the login for host (a host name without port), falling
// back to the default entry.
func (n netrc) lookup(host string) (netrcEntry, bool) {
	if e, ok := n[strings.ToLower(host)]; ok {
		return e, true
	}
	e, ok := n[""]
	return e, ok
}
