package reqfile

import (
	"errors"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// checkRoundTrip checks that every requirement of f formats to a string
// that pep508 parses back to the same string; an unnamed one (a URL the
// resolver names) does once named.
func checkRoundTrip(t *testing.T, f *File) {
	t.Helper()
	all := append(append(append([]Requirement{}, f.Requirements...), f.Constraints...), f.BuildRequires...)
	for _, r := range all {
		if r.Name == "" {
			if r.URL == "" {
				t.Fatalf("%s: a requirement with neither a name nor a URL", r.Source)
			}
			r.Name = "unnamed"
		}
		s := r.String()
		back, err := pep508.ParseRequirement(s)
		if err != nil {
			t.Fatalf("%s: %q does not parse back: %v", r.Source, s, err)
		}
		if back.String() != s {
			t.Fatalf("%s: %q parses back as %q", r.Source, s, back.String())
		}
	}
}

// checkErrorType checks that a failure is reported as *Error.
func checkErrorType(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
}

// FuzzParseRequirementsFile parses arbitrary file content. Includes are
// answered from memory (only the file itself exists), so the fuzzer never
// reads the machine's files.
func FuzzParseRequirementsFile(f *testing.F) {
	f.Add("requests>=2\n-e git+https://h/r#egg=x\n--hash=sha256:00")
	f.Fuzz(func(t *testing.T, content string) {
		p := newReqParser()
		p.getenv = func(string) string { return "" }
		p.readFile = func(path string) (string, error) {
			if path != "requirements.txt" {
				return "", errorf(Source{File: path}, "cannot open: not in the fuzz sandbox; check the path")
			}
			return decodeRequirementsFile([]byte(content), path)
		}
		err := p.parseFile("requirements.txt", false, nil)
		checkErrorType(t, err)
		if err == nil {
			p.finish()
			checkRoundTrip(t, p.file)
		}
	})
}

// FuzzParsePyproject parses arbitrary pyproject.toml content with every
// extra and a "dev" group selected.
func FuzzParsePyproject(f *testing.F) {
	f.Add("[project]\nname = \"p\"\ndependencies = [\"a>=1\"]\n")
	f.Fuzz(func(t *testing.T, content string) {
		text, err := decodeUTF8([]byte(content), "pyproject.toml")
		if err != nil {
			return
		}
		for _, sel := range []Selection{{}, {AllExtras: true, Groups: []string{"dev"}}} {
			file, err := parsePyprojectText("pyproject.toml", text, sel)
			checkErrorType(t, err)
			if err == nil {
				checkRoundTrip(t, file)
			}
		}
	})
}

// FuzzPoetryConstraint translates arbitrary Poetry constraints: the result
// is valid PEP 440, and translating it again changes nothing.
func FuzzPoetryConstraint(f *testing.F) {
	f.Add("^1.2.3")
	f.Fuzz(func(t *testing.T, c string) {
		specs, err := poetryConstraint(c)
		if err != nil {
			return
		}
		if _, err := pep440.ParseSpecifiers(specs); err != nil {
			t.Fatalf("poetryConstraint(%q) = %q, which PEP 440 rejects: %v", c, specs, err)
		}
		again, err := poetryConstraint(specs)
		if err != nil || again != specs {
			t.Fatalf("poetryConstraint(%q) = %q, but that translates to %q, %v", c, specs, again, err)
		}
	})
}
