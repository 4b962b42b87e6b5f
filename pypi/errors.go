package pypi

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// NotFoundError reports a project that no configured index has.
type NotFoundError struct {
	Name        string   // the name as asked for
	Index       string   // the index URL(s) asked, credentials redacted, comma-separated
	Suggestions []string // close matches among names known to be valid, best first
}

// Error reads: package "reqests" not found on https://pypi.org (did you mean "requests"?)
func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("package %q not found on %s", e.Name, e.Index)
	if len(e.Suggestions) > 0 {
		msg += " (did you mean " + quoteList(e.Suggestions) + "?)"
	}
	return msg
}

// PEP 792 project status markers.
const (
	StatusActive      = "active"
	StatusArchived    = "archived"
	StatusDeprecated  = "deprecated"
	StatusQuarantined = "quarantined"
)

// QuarantinedError reports a project that the index offering it has
// quarantined (PEP 792): its administrators consider it unsafe, e.g.
// malware, and serve none of its files.
type QuarantinedError struct {
	Name   string // the name as asked for
	Index  string // the index that quarantined it, credentials redacted
	Reason string // the index's reason, "" when it gives none
}

// Error reads: package "evil" is quarantined on https://pypi.org/simple: ...
func (e *QuarantinedError) Error() string {
	msg := fmt.Sprintf("package %q is quarantined on %s", e.Name, e.Index)
	if e.Reason != "" {
		msg += " (reason: " + e.Reason + ")"
	}
	return msg + ": the index's administrators flagged it as unsafe (for example, as malware) and serve none of its files; remove it from the requirements, or find what depends on it"
}

// quoteList renders ["a"], ["a", "b"], ["a", "b", "c"] as `"a"`, `"a" or
// "b"`, `"a", "b" or "c"`.
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// errNotFound marks a document the index does not have (HTTP 404, missing
// file); callers turn it into a NotFoundError or a fallback.
var errNotFound = errors.New("not found")

// ErrOffline is wrapped by every error of an offline Client missing a
// document or artifact in its cache ("offline: no cached copy of <url>; run
// once without --offline"); test for it with errors.Is.
var ErrOffline = errors.New("offline")

// offlineMiss is the error for a document an offline run lacks.
func offlineMiss(url string) error {
	return fmt.Errorf("%w: no cached copy of %s; run once without --offline", ErrOffline, url)
}

// HTTPError is a final, non-retryable (or retried to exhaustion) HTTP
// status for a document.
type HTTPError struct {
	URL      string // redacted
	Status   int
	Attempts int
	// RetryAfter is the wait the index asked for (429, 503) when it was
	// longer than the deadline allowed.
	RetryAfter time.Duration
	// SentCredentials says whether the request carried credentials (from
	// the index URL or the netrc file), for 401/403 advice.
	SentCredentials bool
	// Netrc is the netrc file consulted, named in 401/403 advice.
	Netrc string
}

// Error names the URL and status; for 401/403 it says how to supply or fix
// the credentials (never printing them).
func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status)
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("%s after %d attempt%s: the index asks to wait %s, beyond the deadline (Timeout)", msg, e.Attempts, plural(e.Attempts), e.RetryAfter)
	case e.Status != 401 && e.Status != 403:
		return fmt.Sprintf("%s after %d attempt%s", msg, e.Attempts, plural(e.Attempts))
	case e.SentCredentials:
		return msg + ": the index refused the credentials (check the user name and password in the index URL or in " + e.Netrc + ")"
	}
	return msg + ": the index wants credentials: give them in the index URL (https://user:password@host/...) or in " + e.Netrc
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// maxSuggestions bounds the "did you mean" list.
const maxSuggestions = 3

// suggest returns up to maxSuggestions names from known closest to name
// (normalised), by edit distance; only near misses are returned.
func suggest(name string, known []string) []string {
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	seen := map[string]bool{}
	for _, k := range known {
		if k == name || seen[k] {
			continue
		}
		seen[k] = true
		if d := editDistance(name, k); d <= maxDistance(name) {
			cands = append(cands, cand{k, d})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for i := 0; i < len(cands) && i < maxSuggestions; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

// maxDistance is how many edits still count as a typo of name: one for
// short names, two from six characters on.
func maxDistance(name string) int {
	if len(name) < 6 {
		return 1
	}
	return 2
}

// editDistance is the optimal-string-alignment distance (Levenshtein plus
// adjacent transpositions, the most common typo) between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
