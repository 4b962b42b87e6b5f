// Package lazyre holds regular expressions that compile on first use.
// req2nix has some fifty. Compiled at start-up, they cost every run about
// 3.5 ms, which is a fifteenth of the 50 ms warm re-run budget, and most
// runs use only a few of them.
package lazyre

import (
	"fmt"
	"regexp"
	"sync"
)

// Regexp is a regular expression that is compiled the first time it is used.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// registered lists every expression New made, so that Check can compile them all.
var registered []*Regexp

// New returns expr, to be compiled on first use. Call it only in
// package-level variable declarations, as one would regexp.MustCompile.
func New(expr string) *Regexp {
	r := &Regexp{expr: expr}
	registered = append(registered, r)
	return r
}

// R returns the compiled expression. It panics if expr is invalid, as
// regexp.MustCompile would have done at start-up. Check finds that in tests.
func (r *Regexp) R() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.expr) })
	return r.re
}

// Check compiles every expression the program holds, returning how many
// there are and the first one that is invalid.
func Check() (int, error) {
	for _, r := range registered {
		if _, err := regexp.Compile(r.expr); err != nil {
			return len(registered), fmt.Errorf("lazyre: %w", err)
		}
	}
	return len(registered), nil
}
