package pep508

import (
	"errors"
	"slices"
	"testing"
)

// FuzzParseRequirement checks that parsing never panics, that errors are
// *SyntaxError with columns inside the input, and that String re-parses to
// an equal requirement with the same String.
func FuzzParseRequirement(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		text := r.String()
		back, err := ParseRequirement(text)
		if err != nil {
			t.Fatalf("ParseRequirement(%q).String() = %q does not parse: %v", s, text, err)
		}
		if back.String() != text || requirementKey(back) != requirementKey(r) || !slices.Equal(back.Extras, sortedExtras(r)) {
			t.Fatalf("ParseRequirement(%q): String %q re-parses as %q", s, text, back.String())
		}
		evaluateEverywhere(t, r.Marker)
	})
}

// FuzzParseMarker checks that parsing and evaluation never panic and that
// String re-parses to a marker with the same String and the same value.
func FuzzParseMarker(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		text := m.String()
		back, err := ParseMarker(text)
		if err != nil {
			t.Fatalf("ParseMarker(%q).String() = %q does not parse: %v", s, text, err)
		}
		if back.String() != text {
			t.Fatalf("ParseMarker(%q): String %q re-parses as %q", s, text, back.String())
		}
		env := fuzzEnvironment()
		got, gotErr := m.EvaluateStrict(env)
		again, againErr := back.EvaluateStrict(env)
		if got != again || (gotErr == nil) != (againErr == nil) {
			t.Fatalf("ParseMarker(%q) evaluates to %v, %v but its String %q to %v, %v", s, got, gotErr, text, again, againErr)
		}
		evaluateEverywhere(t, m)
	})
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
