package pep508

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// FuzzParseRequirement checks that parsing never panics, that errors are
// *SyntaxError with columns inside the input, and that String re-parses to
// an equal requirement with the same String.
func FuzzParseRequirement(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		r, back, ok := reparse(t, ParseRequirement, s)
		if !ok {
			return
		}
		if requirementKey(back) != requirementKey(r) || !slices.Equal(back.Extras, sortedExtras(r)) {
			t.Fatalf("ParseRequirement(%q) = %+v, but its String re-parses as %+v", s, r, back)
		}
		evaluateEverywhere(t, r.Marker)
	})
}

// FuzzParseMarker checks that parsing and evaluation never panic and that
// String re-parses to a marker with the same String and the same value.
func FuzzParseMarker(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		m, back, ok := reparse(t, ParseMarker, s)
		if !ok {
			return
		}
		env := fuzzEnvironment()
		got, gotErr := m.EvaluateStrict(env)
		again, againErr := back.EvaluateStrict(env)
		if got != again || (gotErr == nil) != (againErr == nil) {
			t.Fatalf("ParseMarker(%q) evaluates to %v, %v but its String %q to %v, %v", s, got, gotErr, back, again, againErr)
		}
		evaluateEverywhere(t, m)
	})
}

// reparse parses s and, when that succeeds, parses its String again,
// which must succeed and give the same String. It reports parse errors
// through checkSyntaxError and returns ok false.
func reparse[T fmt.Stringer](t *testing.T, parse func(string) (T, error), s string) (first, second T, ok bool) {
	t.Helper()
	first, err := parse(s)
	if err != nil {
		checkSyntaxError(t, s, err)
		return first, second, false
	}
	text := first.String()
	second, err = parse(text)
	if err != nil {
		t.Fatalf("parsing %q: its String %q does not parse: %v", s, text, err)
	}
	if second.String() != text {
		t.Fatalf("parsing %q: its String %q re-parses as %q", s, text, second)
	}
	return first, second, true
}

// checkSyntaxError checks that err is a *SyntaxError about input with a
// sensible span.
func checkSyntaxError(t *testing.T, input string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Input != input || se.Start < 0 || se.Start > se.Column || se.Msg == "" {
		t.Fatalf("error for %q = %#v, want a *SyntaxError about it", input, err)
	}
	_ = se.Error()
}

// sortedExtras is r's extras as String writes them.
func sortedExtras(r Requirement) []string {
	extras := slices.Clone(r.Extras)
	slices.Sort(extras)
	return slices.Compact(extras)
}

// fuzzEnvironment is a target environment with extras and an odd value.
func fuzzEnvironment() Environment {
	env, _ := TargetEnvironment("3.12", "x86_64-linux")
	env["extra"] = "Test_Extra"
	env["extras"] = "a,b"
	env["platform_release"] = "6.1.0-gentoo"
	return env
}

// evaluateEverywhere evaluates m in every target environment (it must not
// panic; the result is not checked).
func evaluateEverywhere(t *testing.T, m Marker) {
	t.Helper()
	for _, platform := range KnownPlatforms() {
		env, err := TargetEnvironment("3.9", platform)
		if err != nil {
			t.Fatal(err)
		}
		m.Evaluate(env)
	}
	m.Evaluate(nil)
}
