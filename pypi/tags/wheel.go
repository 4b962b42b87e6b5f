package tags

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Wheel is a parsed wheel filename:
// {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl, where
// each tag part may be a "."-separated set.
type Wheel struct {
	Distribution string // as in the filename (normally "_"-escaped)
	Version      string // as in the filename
	Build        string // "" when absent
	Python       []string
	ABI          []string
	Platform     []string
}

// ParseWheel parses a wheel filename as packaging's parse_wheel_filename
// does: five or six "-"-separated parts, a distribution name of letters,
// digits, "_" and "." (no "__"), a valid PEP 440 version, an optional build
// tag starting with a digit, and non-empty compressed tag sets.
func ParseWheel(filename string) (Wheel, error) {
	n, err := parseWheelName(filename, func(v string) bool { _, err := pep440.Parse(v); return err == nil })
	if err != nil {
		return Wheel{}, err
	}
	w := Wheel{Distribution: n.distribution, Version: n.version, Build: n.build}
	for i, set := range []*[]string{&w.Python, &w.ABI, &w.Platform} {
		if *set, err = splitTagSet(n.tags[i], tagKinds[i]); err != nil {
			return Wheel{}, fmt.Errorf("invalid wheel filename %q: %w", filename, err)
		}
	}
	return w, nil
}

// wheelName is a wheel filename cut into its parts, the tag sets not yet
// split.
type wheelName struct {
	distribution, version, build string
	tags                         [3]string // python, abi, platform
	tagText                      string    // "python-abi-platform" as written
}

// parseWheelName cuts a wheel filename into its parts and checks all but
// the tag sets; validVersion says whether a version is PEP 440.
func parseWheelName(filename string, validVersion func(string) bool) (wheelName, error) {
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return wheelName{}, fmt.Errorf("invalid wheel filename %q: it does not end in .whl", filename)
	}
	var parts [6]string
	n := 0
	for rest := stem; ; n++ {
		part, after, more := strings.Cut(rest, "-")
		if n == len(parts) {
			n++ // too many
			break
		}
		parts[n] = part
		if !more {
			n++
			break
		}
		rest = after
	}
	if n != 5 && n != 6 {
		return wheelName{}, fmt.Errorf("invalid wheel filename %q: want name-version(-build)-python-abi-platform.whl, found %d parts", filename, strings.Count(stem, "-")+1)
	}
	w := wheelName{distribution: parts[0], version: parts[1]}
	if err := checkDistribution(w.distribution); err != nil {
		return wheelName{}, fmt.Errorf("invalid wheel filename %q: %w", filename, err)
	}
	if !validVersion(w.version) {
		_, err := pep440.Parse(w.version)
		return wheelName{}, fmt.Errorf("invalid wheel filename %q: %w", filename, err)
	}
	if n == 6 {
		w.build = parts[2]
		if w.build == "" || w.build[0] < '0' || w.build[0] > '9' {
			return wheelName{}, fmt.Errorf("invalid wheel filename %q: build tag %q must start with a digit", filename, w.build)
		}
	}
	copy(w.tags[:], parts[n-3:n])
	w.tagText = stem[len(stem)-len(w.tags[0])-len(w.tags[1])-len(w.tags[2])-2:]
	return w, nil
}

var tagKinds = [3]string{"python", "abi", "platform"}

// splitTagSet splits a compressed tag set such as "py2.py3".
func splitTagSet(text, kind string) ([]string, error) {
	set := strings.Split(text, ".")
	if slices.Contains(set, "") {
		return nil, fmt.Errorf("empty %s tag in %q", kind, text)
	}
	return set, nil
}

// checkDistribution applies PEP 427's escaped-name rule: word characters
// and ".", with runs of "_" collapsed to one.
func checkDistribution(name string) error {
	if name == "" {
		return fmt.Errorf("empty distribution name")
	}
	if strings.Contains(name, "__") {
		return fmt.Errorf("distribution name %q contains \"__\"", name)
	}
	for _, r := range name {
		if r != '_' && r != '.' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return fmt.Errorf("distribution name %q contains %q", name, string(r))
		}
	}
	return nil
}

// Pure reports whether the wheel runs anywhere: platform "any" and abi "none".
func (w Wheel) Pure() bool {
	return len(w.Platform) == 1 && strings.EqualFold(w.Platform[0], "any") &&
		len(w.ABI) == 1 && strings.EqualFold(w.ABI[0], "none")
}

// Tags returns the wheel's expanded tag triples "python-abi-platform",
// lower-cased as packaging's Tag normalises them.
func (w Wheel) Tags() []string {
	var out []string
	for _, py := range w.Python {
		for _, abi := range w.ABI {
			for _, plat := range w.Platform {
				out = append(out, strings.ToLower(py+"-"+abi+"-"+plat))
			}
		}
	}
	return out
}
