package setuppy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any input is read without panicking, in bounded time, and
// what Parse returns is consistent: requirements are single non-empty
// lines, a complete keyword has no problem reported, and every keyword
// with a problem is incomplete. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("from setuptools import setup\nsetup(name='x', install_requires=['a'])\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse(src)
		if err != nil {
			return
		}
		for _, r := range s.InstallRequires {
			checkRequirement(t, r)
		}
		for extra, reqs := range s.ExtrasRequire {
			if !utf8.ValidString(extra) && s.Known["extras_require"] {
				t.Errorf("extra %q", extra)
			}
			for _, r := range reqs {
				checkRequirement(t, r)
			}
		}
		for _, p := range s.Problems {
			if p == "" {
				t.Error("an empty problem")
			}
			for _, k := range Keywords {
				if strings.HasPrefix(p, k+" ") || strings.HasPrefix(p, k+":") || strings.HasPrefix(p, k+"[") {
					if s.Known[k] {
						t.Errorf("%s is complete but %q", k, p)
					}
				}
			}
		}
		if s.Line < 1 {
			t.Errorf("line %d", s.Line)
		}
	})
}

func checkRequirement(t *testing.T, r string) {
	t.Helper()
	if r == "" || strings.ContainsAny(r, "\n") || r != strings.TrimSpace(r) {
		t.Errorf("requirement %q", r)
	}
}
