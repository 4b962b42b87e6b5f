package reqfile

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// optionID names a pip requirements-file option (its optparse dest).
type optionID int

const (
	optIndexURL optionID = iota
	optExtraIndexURL
	optNoIndex
	optConstraint
	optRequirement
	optEditable
	optFindLinks
	optNoBinary
	optOnlyBinary
	optAllReleases
	optOnlyFinal
	optPreferBinary
	optRequireHashes
	optPre
	optTrustedHost
	optUseFeature
	optGlobalOption
	optHash
	optConfigSettings
)

// optionSpec is one option pip accepts in requirements files: its
// spellings (short first) and whether it takes a value.
type optionSpec struct {
	id         optionID
	names      []string
	takesValue bool
}

// optionSpecs are SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ of pip's
// req_file.py.
var optionSpecs = []optionSpec{
	{optIndexURL, []string{"-i", "--index-url", "--pypi-url"}, true},
	{optExtraIndexURL, []string{"--extra-index-url"}, true},
	{optNoIndex, []string{"--no-index"}, false},
	{optConstraint, []string{"-c", "--constraint"}, true},
	{optRequirement, []string{"-r", "--requirement"}, true},
	{optEditable, []string{"-e", "--editable"}, true},
	{optFindLinks, []string{"-f", "--find-links"}, true},
	{optNoBinary, []string{"--no-binary"}, true},
	{optOnlyBinary, []string{"--only-binary"}, true},
	{optAllReleases, []string{"--all-releases"}, true},
	{optOnlyFinal, []string{"--only-final"}, true},
	{optPreferBinary, []string{"--prefer-binary"}, false},
	{optRequireHashes, []string{"--require-hashes"}, false},
	{optPre, []string{"--pre"}, false},
	{optTrustedHost, []string{"--trusted-host"}, true},
	{optUseFeature, []string{"--use-feature"}, true},
	{optGlobalOption, []string{"--global-option"}, true},
	{optHash, []string{"--hash"}, true},
	{optConfigSettings, []string{"-C", "--config-settings"}, true},
}

// name is the option's canonical (long) spelling, used in messages.
func (s *optionSpec) name() string { return s.names[len(s.names)-1] }

// parseTime reports whether the option takes effect file-wide while its
// line is parsed (pip's optparse callbacks), whatever the line holds.
func (s *optionSpec) parseTime() bool {
	switch s.id {
	case optNoBinary, optOnlyBinary, optAllReleases, optOnlyFinal:
		return true
	}
	return false
}

// pipFeatures are the choices of pip's --use-feature (pip 26: its new
// features, then those now always on).
var pipFeatures = []string{"fast-deps", "build-constraint", "inprocess-build-deps", "truststore", "no-binary-enable-wheel-cache"}

// checkFeature rejects a --use-feature value pip does not know, as
// optparse's choices do.
func checkFeature(value string) error {
	if indexOf(pipFeatures, value) >= 0 {
		return nil
	}
	return optionErrorf("--use-feature %q is not a feature pip knows (%s); remove it or fix its spelling", value, strings.Join(pipFeatures, ", "))
}

var shortOptions, longOptions = indexOptions()

func indexOptions() (short, long map[string]*optionSpec) {
	short, long = map[string]*optionSpec{}, map[string]*optionSpec{}
	for i := range optionSpecs {
		s := &optionSpecs[i]
		for _, n := range s.names {
			if strings.HasPrefix(n, "--") {
				long[n] = s
			} else {
				short[n] = s
			}
		}
	}
	return short, long
}

// option is one option as it occurred on a line.
type option struct {
	spec  *optionSpec
	value string // "" for flags
}

// optionError is a problem with the options of a line; the caller adds the
// file and line.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

func optionErrorf(format string, args ...any) error {
	return &optionError{fmt.Sprintf(format, args...)}
}

// parseOptions parses option words as optparse does for pip: "--opt=value"
// and "--opt value", unique prefixes of long options, "-xvalue" and
// "-x value" for short ones, "--" ending the options. Words that are not
// options are returned as extra arguments (pip ignores them).
func parseOptions(words []string) (opts []option, extra []string, err error) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		var o option
		switch {
		case w == "--":
			return opts, append(extra, words[i+1:]...), nil
		case strings.HasPrefix(w, "--"):
			o, i, err = parseLongOption(words, i)
		case strings.HasPrefix(w, "-") && len(w) > 1:
			o, i, err = parseShortOption(words, i)
		default:
			extra = append(extra, w)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, o)
	}
	return opts, extra, nil
}

// parseLongOption parses words[i], a "--name[=value]" word, and returns the
// index of the last word it used.
func parseLongOption(words []string, i int) (option, int, error) {
	name, value, hasValue := strings.Cut(words[i], "=")
	spec, err := matchLongOption(name)
	if err != nil {
		return option{}, i, err
	}
	switch {
	case !spec.takesValue && hasValue:
		return option{}, i, optionErrorf("option %s takes no value; write just %s", spec.name(), spec.name())
	case !spec.takesValue:
		return option{spec: spec}, i, nil
	case hasValue:
		return option{spec, value}, i, nil
	case i+1 < len(words):
		return option{spec, words[i+1]}, i + 1, nil
	}
	return option{}, i, optionErrorf("option %s needs a value; write %s=<value>", spec.name(), spec.name())
}

// matchLongOption finds the option named by name or by a unique prefix of
// its name, as optparse does.
func matchLongOption(name string) (*optionSpec, error) {
	if spec, ok := longOptions[name]; ok {
		return spec, nil
	}
	var candidates []string
	for n := range longOptions {
		if strings.HasPrefix(n, name) {
			candidates = append(candidates, n)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, optionErrorf("unknown option %q; remove it or use one of pip's requirements-file options", name)
	case 1:
		return longOptions[candidates[0]], nil
	}
	sort.Strings(candidates)
	return nil, optionErrorf("ambiguous option %q (%s); spell the option out", name, strings.Join(candidates, ", "))
}

// parseShortOption parses words[i], a "-x[value]" word. Every short option
// pip accepts in requirements files takes a value.
func parseShortOption(words []string, i int) (option, int, error) {
	w := words[i]
	_, size := utf8.DecodeRuneInString(w[1:])
	name := w[:1+size]
	spec, ok := shortOptions[name]
	if !ok {
		return option{}, i, optionErrorf("unknown option %q; remove it or use one of pip's requirements-file options", name)
	}
	switch {
	case len(w) > len(name):
		return option{spec, w[len(name):]}, i, nil
	case i+1 < len(words):
		return option{spec, words[i+1]}, i + 1, nil
	}
	return option{}, i, optionErrorf("option %s needs a value; write %s <value>", name, name)
}
