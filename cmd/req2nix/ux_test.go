package main

import (
	"strings"
	"testing"
)

// TestUsageMistakes runs the mistakes a user makes on the command line and
// in input files: each gets one short paragraph on stderr naming what is
// wrong, the given exit status, nothing on stdout and no Go-isms.
func TestUsageMistakes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  []string // each must appear on stderr
	}{
		{"unknown flag", nil, []string{"--bogus"}, 2,
			[]string{"req2nix: unknown option --bogus\n"}},
		{"misspelt flag", nil, []string{"--upgrade-packages", "flask"}, 2,
			[]string{"unknown option --upgrade-packages; did you mean --upgrade-package?"}},
		{"flag without its value", nil, []string{"requirements.txt", "-o"}, 2,
			[]string{"option -o needs a value: -o FILE"}},
		{"number flag given a word", nil, []string{"-j", "many"}, 2,
			[]string{`option -j="many": give a whole number`}},
		{"boolean flag given a word", nil, []string{"--check=maybe"}, 2,
			[]string{`option --check="maybe": give true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			for name, content := range tt.files {
				s.write(name, content)
			}
			r := s.mustRun(tt.code, args(tt.args...)...)
			checkOneParagraph(t, r)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// checkOneParagraph fails unless a failed run printed a short error and
// nothing on stdout: no usage dump, no Go formatting artefacts.
func checkOneParagraph(t *testing.T, r runResult) {
	t.Helper()
	if r.stdout != "" {
		t.Errorf("stdout should be empty on failure, got:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "\n\n") || strings.Count(r.stderr, "\n") > 8 {
		t.Errorf("stderr is more than one short paragraph:\n%s", r.stderr)
	}
	for _, goism := range []string{"%!", "<nil>", "&{", "map[", "panic", "goroutine"} {
		if strings.Contains(r.stderr, goism) {
			t.Errorf("stderr shows %q:\n%s", goism, r.stderr)
		}
	}
}
