package reqfile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// ParseFile reads a requirements file with pip's full syntax, following its
// -r and -c includes. As in pip, -r, -c and --find-links paths are relative
// to the including file's directory, while paths on requirement lines
// ("./pkg", "-e .", "dist/foo-1.0.tar.gz") are relative to the current
// directory and become absolute file: URLs. Problems are *Error values;
// options that do nothing for a Nix environment are File.Warnings.
func ParseFile(path string) (*File, error) {
	p := newReqParser()
	if err := p.parseFile(path, false, nil); err != nil {
		return nil, err
	}
	p.finish()
	p.file.Inputs = []string{path}
	return p.file, nil
}

// reqParser holds the state pip keeps across the lines and included files
// of requirements files.
type reqParser struct {
	file     *File
	getenv   func(string) string
	readFile func(path string) (string, error) // readRequirementsText, or a stub in fuzz tests
	formats  exclusiveNames                    // pip's FormatControl
	releases exclusiveNames                    // pip's ReleaseControl
	stack    []includeFrame                    // files being read, outermost first
}

// includeFrame is one file on the include stack.
type includeFrame struct {
	abs  string // absolute, cleaned path, for cycle detection
	name string // as shown in messages
}

func newReqParser() *reqParser {
	return &reqParser{
		file:     &File{},
		getenv:   os.Getenv,
		readFile: readRequirementsText,
		formats:  newFormatControl(),
		releases: newReleaseControl(),
	}
}

// finish copies state gathered across files into the File.
func (p *reqParser) finish() {
	p.file.NoBinary, p.file.OnlyBinary = p.formats.names[0], p.formats.names[1]
	p.file.AllReleases, p.file.OnlyFinal = p.releases.names[0], p.releases.names[1]
}

// parseFile reads one requirements file. from is the -r/-c line that
// included it (nil for a top-level file).
func (p *reqParser) parseFile(path string, constraint bool, from *Source) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return errorf(Source{File: path}, "cannot resolve path: %v; check the path", err)
	}
	if err := p.checkCycle(abs, path, from); err != nil {
		return err
	}
	content, err := p.readFile(path)
	if err != nil {
		return blameIncluder(err, path, from)
	}
	p.stack = append(p.stack, includeFrame{abs, path})
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	for _, line := range preprocess(content, p.getenv) {
		if err := p.handleLine(line, path, constraint); err != nil {
			return err
		}
	}
	return nil
}

// checkCycle reports an include cycle: abs is already being read.
func (p *reqParser) checkCycle(abs, name string, from *Source) error {
	for i, f := range p.stack {
		if f.abs != abs {
			continue
		}
		var chain []string
		for _, g := range p.stack[i:] {
			chain = append(chain, g.name)
		}
		chain = append(chain, name)
		return errorf(*from, "include cycle %s; remove one of these -r/-c lines", strings.Join(chain, " -> "))
	}
	return nil
}

// blameIncluder reports a file that cannot be read at the -r/-c line that
// names it, when there is one.
func blameIncluder(err error, path string, from *Source) error {
	var e *Error
	if from == nil || !errors.As(err, &e) || e.Source.Line != 0 {
		return err
	}
	return &Error{Source: *from, Msg: path + ": " + e.Msg, Err: e.Err}
}

// parsedLine is one logical line split into its parts.
type parsedLine struct {
	src   Source
	args  string   // the requirement part ("" for option lines)
	opts  []option // in the order written
	extra []string // words after the options that are not options
}

// has reports whether the line has an option with the given id.
func (l *parsedLine) has(id optionID) bool { return l.first(id) != nil }

// first returns the first occurrence of an option, or nil.
func (l *parsedLine) first(id optionID) *option {
	for i := range l.opts {
		if l.opts[i].spec.id == id {
			return &l.opts[i]
		}
	}
	return nil
}

// handleLine handles one logical line of a file; constraint says the file
// is read as constraints.
func (p *reqParser) handleLine(line logicalLine, file string, constraint bool) error {
	src := Source{File: file, Line: line.num}
	pl, err := splitLine(line.text, src)
	if err != nil {
		return err
	}
	if err := p.applyParseTimeOptions(pl); err != nil {
		return err
	}
	if err := loneDash(pl, line.text); err != nil {
		return err
	}
	if len(pl.extra) > 0 {
		p.warn(src, "%q after the options is ignored (as by pip); put each requirement on a line of its own", strings.Join(pl.extra, " "))
	}
	switch {
	case pl.args != "":
		return p.requirementLine(pl, constraint)
	case pl.has(optEditable):
		return p.editableLine(pl, constraint)
	case pl.has(optRequirement) || pl.has(optConstraint):
		return p.includeLine(pl, constraint)
	}
	return p.optionLine(pl)
}

// loneDash rejects a line that starts with a "-" on its own ("-", or a
// list marker as in "- requests"): optparse takes it for an argument and
// pip ignores the whole line, silently dropping what follows.
func loneDash(pl *parsedLine, text string) error {
	if pl.args != "" || len(pl.opts) > 0 || len(pl.extra) == 0 || pl.extra[0] != "-" {
		return nil
	}
	if len(pl.extra) == 1 {
		return errorf(pl.src, `a line that is only "-" is neither a requirement nor an option; remove it`)
	}
	rest := strings.TrimFunc(text[strings.IndexByte(text, '-')+1:], isPySpace)
	return errorf(pl.src, `"-" on its own is no option, so pip ignores this whole line and %q with it; remove the "-" (a list marker?) to require %s`, rest, rest)
}

// splitLine breaks a logical line into requirement and options as pip's
// break_args_options, shlex.split and optparse do.
func splitLine(text string, src Source) (*parsedLine, error) {
	args, optText := breakArgsOptions(text)
	words, err := shlexSplit(optText)
	if err != nil {
		return nil, errorf(src, "cannot split options %q: %v; close the quote or escape it with a backslash", optText, err)
	}
	opts, extra, err := parseOptions(words)
	if err != nil {
		return nil, &Error{Source: src, Msg: err.Error()}
	}
	return &parsedLine{src: src, args: args, opts: opts, extra: extra}, nil
}

// breakArgsOptions splits a line at its first space-separated word that
// starts with "-": requirements may contain markers that shlex would mangle,
// so only the options are tokenised.
func breakArgsOptions(line string) (args, opts string) {
	tokens := strings.Split(line, " ")
	for i, t := range tokens {
		if strings.HasPrefix(t, "-") {
			return strings.Join(tokens[:i], " "), strings.Join(tokens[i:], " ")
		}
	}
	return line, ""
}

// applyParseTimeOptions does what pip's optparse callbacks and choices do
// while a line is parsed, whatever kind of line it is: --no-binary and
// --only-binary change the file-wide format control, --all-releases and
// --only-final the file-wide release control; --hash, --config-settings
// and --use-feature values are checked (and --hash values normalised).
func (p *reqParser) applyParseTimeOptions(pl *parsedLine) error {
	for i := range pl.opts {
		o := &pl.opts[i]
		var err error
		switch o.spec.id {
		case optNoBinary:
			err = p.formats.set(o.value, 0)
		case optOnlyBinary:
			err = p.formats.set(o.value, 1)
		case optAllReleases:
			err = p.releases.set(o.value, 0)
		case optOnlyFinal:
			err = p.releases.set(o.value, 1)
		case optUseFeature:
			err = checkFeature(o.value)
		case optHash:
			var warning string
			o.value, warning, err = checkHash(o.value) // normalised for requirementLine
			if warning != "" {
				p.warn(pl.src, "%s", warning)
			}
		case optConfigSettings:
			if !strings.Contains(o.value, "=") {
				err = optionErrorf("--config-settings %q is not KEY=VALUE; write --config-settings=KEY=VALUE", o.value)
			}
		}
		if err != nil {
			return &Error{Source: pl.src, Msg: err.Error()}
		}
	}
	return nil
}

// requirementLine handles a line with a requirement: only the
// per-requirement options apply to it; pip ignores the others.
func (p *reqParser) requirementLine(pl *parsedLine, constraint bool) error {
	req, err := p.parseRequirementLine(pl.args, pl.src)
	if err != nil {
		return err
	}
	for _, o := range pl.opts {
		switch o.spec.id {
		case optHash:
			req.Hashes = append(req.Hashes, o.value)
		case optGlobalOption, optConfigSettings:
			p.noEffect(pl.src, o.spec)
		case optNoBinary, optOnlyBinary, optAllReleases, optOnlyFinal:
			// applied file-wide at parse time (parseTime), as pip does
		default:
			p.ignoredOnRequirement(pl.src, o.spec, "a requirement")
		}
	}
	return p.addRequirement(req, constraint)
}

// editableLine handles "-e <path or VCS URL>": only --config-settings
// applies to it in pip.
func (p *reqParser) editableLine(pl *parsedLine, constraint bool) error {
	editables := 0
	for _, o := range pl.opts {
		switch o.spec.id {
		case optEditable:
			if editables++; editables > 1 {
				p.warn(pl.src, "only the first -e of a line is used (as by pip); put each on a line of its own")
			}
		case optConfigSettings:
			p.noEffect(pl.src, o.spec)
		case optNoBinary, optOnlyBinary, optAllReleases, optOnlyFinal:
		default:
			p.ignoredOnRequirement(pl.src, o.spec, "an editable requirement")
		}
	}
	req, err := p.parseEditable(pl.first(optEditable).value, pl.src)
	if err != nil {
		return err
	}
	return p.addRequirement(req, constraint)
}

func (p *reqParser) ignoredOnRequirement(src Source, spec *optionSpec, what string) {
	p.warn(src, "%s is ignored on the line of %s (as by pip); put it on a line of its own", spec.name(), what)
}

func (p *reqParser) noEffect(src Source, spec *optionSpec) {
	p.warn(src, "%s has no effect in req2nix", spec.name())
}

func (p *reqParser) warn(src Source, format string, args ...any) {
	p.file.Warnings = append(p.file.Warnings, warnf(src, format, args...))
}

// addRequirement files req as a requirement or, from a constraints file, as
// a constraint (which pip requires to be named, not editable, without
// extras).
func (p *reqParser) addRequirement(req Requirement, constraint bool) error {
	if !constraint {
		p.file.Requirements = append(p.file.Requirements, req)
		return nil
	}
	switch {
	case req.Editable:
		return errorf(req.Source, "editable requirements are not allowed as constraints; move %q to a requirements file", req.Name)
	case len(req.Extras) > 0:
		return errorf(req.Source, "constraints cannot have extras; write %q without [%s]", req.Name, strings.Join(req.Extras, ","))
	}
	p.file.Constraints = append(p.file.Constraints, req)
	return nil
}

// schemeRE is pip's SCHEME_RE: an include that is a URL.
var schemeRE = lazyre.New(`(?i)^(http|https|file):`)

// includeLine handles "-r file" and "-c file". As in pip, only the first -r
// (else the first -c) of a line is followed and other options on the line
// are ignored. As in pip, what a file includes with -r is read as
// requirements and with -c as constraints, whatever the including file is.
func (p *reqParser) includeLine(pl *parsedLine, constraint bool) error {
	inc := pl.first(optRequirement)
	if inc == nil {
		inc = pl.first(optConstraint)
	}
	for i := range pl.opts {
		if o := &pl.opts[i]; o != inc && !o.spec.parseTime() {
			p.warn(pl.src, "%s is ignored on the line of %s (as by pip); put it on a line of its own", o.spec.name(), inc.spec.name())
		}
	}
	path, err := includePath(inc.value, pl.src)
	if err != nil {
		return err
	}
	return p.parseFile(path, inc.spec.id == optConstraint, &pl.src)
}

// includePath turns the value of -r/-c into a path: relative paths are
// relative to the including file's directory; file: URLs are local paths;
// remote files are not fetched.
func includePath(value string, src Source) (string, error) {
	if schemeRE.R().MatchString(value) {
		u, err := url.Parse(value)
		if err != nil || !strings.EqualFold(u.Scheme, "file") {
			return "", errorf(src, "remote requirements file %s is not supported; download it and include the local copy", value)
		}
		return u.Path, nil
	}
	if filepath.IsAbs(value) {
		return value, nil
	}
	return filepath.Join(filepath.Dir(src.File), value), nil
}

// optionLine handles a line of options only.
func (p *reqParser) optionLine(pl *parsedLine) error {
	for _, o := range pl.opts {
		if err := p.fileOption(o, pl.src); err != nil {
			return err
		}
	}
	return nil
}

// fileOption applies one option of an option line.
func (p *reqParser) fileOption(o option, src Source) error {
	f := p.file
	switch o.spec.id {
	case optIndexURL:
		if w := f.setIndexURL(o.value, src); w != "" {
			p.warn(src, "%s", w)
		}
	case optExtraIndexURL:
		f.ExtraIndexURLs = appendUnique(f.ExtraIndexURLs, o.value)
	case optNoIndex:
		f.NoIndex = true
	case optFindLinks:
		f.FindLinks = appendUnique(f.FindLinks, findLinksValue(o.value, src.File))
	case optTrustedHost:
		f.TrustedHosts = appendUnique(f.TrustedHosts, o.value)
	case optPre:
		f.Pre = true // as pip: --all-releases=:all:, without clearing --only-final
		p.releases.names[0] = appendUnique(p.releases.names[0], ":all:")
	case optRequireHashes:
		f.RequireHashes = true
	case optPreferBinary, optUseFeature:
		p.noEffect(src, o.spec)
	case optHash:
		p.warn(src, "--hash without a requirement on its line is ignored (as by pip); put it on the requirement's line")
	case optGlobalOption, optConfigSettings:
		p.warn(src, "%s without a requirement on its line is ignored (as by pip)", o.spec.name())
	}
	return nil
}

// findLinksValue resolves a relative --find-links path against the
// requirements file's directory when it exists there, as pip does.
func findLinksValue(value, file string) string {
	if schemeRE.R().MatchString(value) || filepath.IsAbs(value) {
		return value
	}
	rel := filepath.Join(filepath.Dir(file), value)
	if _, err := os.Stat(rel); err == nil {
		return rel
	}
	return value
}

// setIndexURL records --index-url. As in pip the last one wins; replacing
// a different one returns a warning (pip says nothing).
func (f *File) setIndexURL(u string, src Source) (warning string) {
	prev, prevSrc := f.IndexURL, f.IndexURLSource
	if prev == u {
		return "" // the same index again: keep where it was first set
	}
	f.IndexURL, f.IndexURLSource = u, src
	if prev == "" {
		return ""
	}
	return fmt.Sprintf("--index-url %s replaces --index-url %s from %s (as pip, the last one is used); make the other an --extra-index-url if both are needed", u, prev, prevSrc)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
