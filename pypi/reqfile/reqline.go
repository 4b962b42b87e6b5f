package reqfile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// vcsNames are the version control systems pip supports, and vcsSchemes
// the URL schemes it accepts for them (pip's vcs.all_schemes).
var (
	vcsNames   = []string{"git", "hg", "svn", "bzr"}
	vcsSchemes = map[string]bool{
		"git+http": true, "git+https": true, "git+ssh": true, "git+git": true, "git+file": true,
		"hg+file": true, "hg+http": true, "hg+https": true, "hg+ssh": true, "hg+static-http": true,
		"svn+ssh": true, "svn+http": true, "svn+https": true, "svn+svn": true, "svn+file": true,
		"bzr+http": true, "bzr+https": true, "bzr+ssh": true, "bzr+sftp": true, "bzr+ftp": true,
		"bzr+lp": true, "bzr+file": true,
	}
)

// urlScheme returns the lower-cased part of s before its first ":".
func urlScheme(s string) string {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(scheme)
}

// isURL is pip's is_url: a URL with a scheme pip can install from.
func isURL(s string) bool {
	switch scheme := urlScheme(s); scheme {
	case "http", "https", "file", "ftp":
		return true
	default:
		return vcsSchemes[scheme]
	}
}

// parseRequirementLine parses the requirement part of a line as pip's
// parse_req_from_line does: a URL, a path to a project directory or an
// archive, or a PEP 508 requirement.
func (p *reqParser) parseRequirementLine(text string, src Source) (Requirement, error) {
	name, markerText := splitMarker(text)
	link, extrasText, err := p.locate(name, src)
	switch {
	case err != nil:
		return Requirement{}, err
	case link == "":
		return parsePEP508(text, src)
	}
	req := Requirement{Source: src}
	if err := setDirectReference(&req, link, src); err != nil {
		return req, err
	}
	if err := addExtras(&req, extrasText, src); err != nil {
		return req, err
	}
	if err := setMarker(&req, markerText, src); err != nil {
		return req, err
	}
	return req, checkDirectReference(&req, src)
}

// locate returns the URL a requirement line names (itself, or the file:
// URL of a local project or archive, whose "[extras]" it also returns), or
// "" for a PEP 508 requirement string.
func (p *reqParser) locate(name string, src Source) (link, extras string, err error) {
	if isURL(name) {
		return absoluteFileURL(name), "", nil
	}
	target, extras := stripExtras(name)
	link, warning, err := urlFromPath(target, name, src)
	if warning != "" {
		p.warn(src, "%s", warning)
	}
	return link, extras, err
}

// checkDirectReference rebuilds a requirement assembled from a URL through
// the PEP 508 parser, so that it is one pep508 can read back; a URL with
// spaces, for one, is not.
func checkDirectReference(req *Requirement, src Source) error {
	name := req.Name
	if name == "" {
		name = "unnamed" // checked as any name would be, then left unnamed
	}
	r, err := buildRequirement(name, req.Extras, "", req.URL, markerText(req.Marker))
	if err != nil {
		msg, _ := syntaxErrorParts(err)
		return errorf(src, "%s @ %s is not a valid direct reference: %s; percent-encode spaces and special characters in the URL", name, req.URL, msg)
	}
	r.Name = req.Name
	req.Requirement = r
	return nil
}

// splitMarker separates "; marker" from a line as pip does: after a URL the
// separator must be "; " (a URL may contain ";"), elsewhere ";" suffices.
func splitMarker(text string) (name, marker string) {
	sep := ";"
	if isURL(text) {
		sep = "; "
	}
	name, marker, _ = strings.Cut(text, sep)
	return strings.TrimFunc(name, isPySpace), strings.TrimFunc(marker, isPySpace)
}

// parsePEP508 parses a PEP 508 requirement string, with pip's hints. A
// relative file: URL ("name @ file:./sub") becomes absolute, as pip reads it.
func parsePEP508(text string, src Source) (Requirement, error) {
	if name, marker := splitMarker(text); marker == "" {
		text = name // pip accepts "name ;" with an empty marker
	}
	r, err := pep508.ParseRequirement(text)
	if err != nil {
		return Requirement{}, requirementError(text, err, src)
	}
	req := Requirement{Requirement: r, Source: src}
	if abs := absoluteFileURL(r.URL); abs != r.URL {
		req.URL = abs
		if p := localPath(abs); !exists(p) {
			return req, missingPath(p, src)
		}
		return req, checkDirectReference(&req, src)
	}
	return req, nil
}

// missingPath reports a local path on a requirement line that does not
// exist, saying what relative paths are relative to.
func missingPath(p string, src Source) error {
	return errorf(src, "%s does not exist; check the path (as in pip, a path or file: URL on a requirement line is relative to the current directory, not to the requirements file)", p)
}

// absoluteFileURL returns a relative file: URL ("file:.", "file:./sub",
// "file:sub", "file:../x#egg=x") as the absolute file: URL of the path it
// names, and any other link unchanged. As pip's url_to_path reads such a
// URL, the path is relative to the current directory, like the paths
// ("-e .", "./sub") it stands for: a relative file: URL is the same
// requirement as its path.
func absoluteFileURL(link string) string {
	if urlScheme(link) != "file" {
		return link
	}
	u, err := url.Parse(link)
	if err != nil || u.Opaque == "" {
		return link // absolute (file:///p, file:/p), or malformed: reported where it is used
	}
	p, err := url.PathUnescape(u.Opaque)
	if err != nil {
		return link
	}
	abs := fileURL(p)
	if u.RawQuery != "" {
		abs += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		abs += "#" + u.EscapedFragment()
	}
	return abs
}

// requirementError reports a requirement pep508 rejects, with the column
// its syntax error points at (text starts the line) and pip's hint.
func requirementError(text string, err error, src Source) *Error {
	msg, col := syntaxErrorParts(err)
	hint := specifierHint(text, col)
	if hint == "" {
		hint = requirementHint(text)
	}
	return &Error{Source: src, Col: col, Msg: fmt.Sprintf("invalid requirement %q: %s; %s", text, msg, hint), Err: err}
}

// specifierHint says what is wrong with a version specifier the syntax
// error points at ("~=3" needs two release segments, "==" a version), which
// the grammar's "Expected ..." does not; "" when the error is elsewhere.
func specifierHint(text string, col int) string {
	if col < 1 || col > len(text) || !slices.ContainsFunc(pep440Operators, func(op string) bool {
		return strings.HasPrefix(text[col-1:], op)
	}) {
		return ""
	}
	spec, _, _ := strings.Cut(text[col-1:], ";")
	spec = strings.TrimSpace(spec)
	_, err := pep440.ParseSpecifiers(spec)
	if err == nil {
		return ""
	}
	msg, _ := strings.CutPrefix(err.Error(), fmt.Sprintf("invalid specifier %q: ", spec))
	return msg
}

// syntaxErrorParts returns a pep508 error's one-line message and 1-based
// column (0 when unknown).
func syntaxErrorParts(err error) (string, int) {
	var se *pep508.SyntaxError
	if errors.As(err, &se) {
		return se.Msg, se.Column + 1
	}
	return err.Error(), 0
}

// pep440Operators are the PEP 440 comparison operators.
var pep440Operators = []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"}

// requirementHint is pip's hint for a requirement that does not parse.
func requirementHint(text string) string {
	switch {
	case strings.Contains(text, "/"):
		return "it looks like a path: check that it exists, or use -r if it is a requirements file"
	case strings.Contains(text, "="):
		for _, op := range pep440Operators {
			if strings.Contains(text, op) {
				return "check the syntax (PEP 508)"
			}
		}
		return "= is not a valid operator: did you mean ==?"
	}
	return "check the syntax (PEP 508)"
}

// setMarker parses and attaches a marker split off a URL or path line.
func setMarker(req *Requirement, text string, src Source) error {
	if text == "" {
		return nil
	}
	m, err := pep508.ParseMarker(text)
	if err != nil {
		msg, _ := syntaxErrorParts(err)
		return &Error{Source: src, Msg: fmt.Sprintf("invalid marker %q: %s; check the marker's syntax (PEP 508)", text, msg), Err: err}
	}
	req.Marker = m
	return nil
}

// addExtras adds "[a,b]" written after a path.
func addExtras(req *Requirement, text string, src Source) error {
	if text == "" {
		return nil
	}
	r, err := pep508.ParseRequirement("placeholder" + strings.ToLower(text))
	if err != nil {
		msg, _ := syntaxErrorParts(err)
		return errorf(src, "invalid extras %q: %s; write [extra1,extra2]", text, msg)
	}
	req.Extras = append(req.Extras, r.Extras...)
	return nil
}

// stripExtras splits "path[extras]" into the path and "[extras]", as pip's
// _strip_extras does with ^(.+)(\[[^\]]+\])$.
func stripExtras(s string) (string, string) {
	i := strings.LastIndexByte(s, '[')
	if i < 1 || !strings.HasSuffix(s, "]") || len(s)-i < 3 || strings.ContainsRune(s[i+1:len(s)-1], ']') {
		return s, ""
	}
	return s[:i], s[i:]
}

// looksLikePath is pip's _looks_like_path.
func looksLikePath(name string) bool {
	return strings.Contains(name, "/") || strings.HasPrefix(name, ".")
}

// urlFromPath is pip's _get_url_from_path: a file: URL when name is a path
// to a project directory or an archive, "" when it is a requirement string.
// Relative paths are relative to the current directory, as in pip.
func urlFromPath(target, name string, src Source) (link, warning string, err error) {
	if looksLikePath(name) && isDir(target) {
		if !isFile(filepath.Join(target, "setup.py")) && !isFile(filepath.Join(target, "pyproject.toml")) {
			return "", "", errorf(src, "directory %q is not installable: it has neither setup.py nor pyproject.toml; point to the project's root directory", name)
		}
		return fileURL(target), "", nil
	}
	if !isArchive(target) {
		return "", "", nil
	}
	if isFile(target) {
		return fileURL(target), "", nil
	}
	if before, _, found := strings.Cut(name, "@"); found && !looksLikePath(before) {
		return "", "", nil // "name @ url", not a path
	}
	return fileURL(target), fmt.Sprintf("requirement %q looks like a filename, but the file does not exist", name), nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// fileURL is pip's path_to_url: a file: URL of the absolute path.
func fileURL(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = p
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// archiveExtensions are pip's ARCHIVE_EXTENSIONS.
var archiveExtensions = []string{
	".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
	".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
}

// archiveExt returns the archive extension of name (".tar.gz" counts as
// one), or "".
func archiveExt(name string) string {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if strings.HasSuffix(strings.ToLower(base), ".tar") {
		ext = base[len(base)-4:] + ext
	}
	for _, a := range archiveExtensions {
		if strings.EqualFold(ext, a) {
			return a
		}
	}
	return ""
}

func isArchive(name string) bool { return archiveExt(name) != "" }

// setDirectReference fills req from a URL: the name from a wheel filename,
// an #egg= fragment, a local project's metadata or an sdist filename.
func setDirectReference(req *Requirement, link string, src Source) error {
	req.URL = link
	filename := urlFilename(link)
	if archiveExt(filename) == ".whl" {
		name, version, err := parseWheelFilename(filename)
		if err != nil {
			return errorf(src, "%v; rename the wheel to name-version-python-abi-platform.whl", err)
		}
		req.Name, req.Version = name, version
		return nil
	}
	egg, extras, err := eggFragment(link)
	if err != nil {
		return &Error{Source: src, Msg: err.Error()}
	}
	if egg != "" {
		req.Name, req.Extras = egg, extras
		return nil
	}
	return nameFromLocation(req, link, filename, src)
}

// nameFromLocation names a direct reference without #egg=: a local
// directory by its pyproject.toml, setup.cfg or setup.py, an archive by
// its sdist filename. Any other URL (a git repository, an archive such as
// .../archive/master.zip) stays unnamed: as pip does, the resolver learns
// the name from the source's metadata.
func nameFromLocation(req *Requirement, link, filename string, src Source) error {
	dir := localPath(link)
	if dir != "" && isDir(dir) {
		name, err := localProjectName(dir)
		if err != nil {
			return &Error{Source: src, Msg: err.Error()}
		}
		req.Name = name
		return nil
	}
	if isArchive(filename) {
		name, version, err := parseSdistFilename(filename)
		if err == nil {
			req.Name, req.Version = name, version
			return nil
		}
	}
	if dir != "" && !exists(dir) {
		return missingPath(dir, src)
	}
	return nil
}

// localPath returns the path of a file: URL, or "".
func localPath(link string) string {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Scheme, "file") {
		return ""
	}
	return filepath.FromSlash(u.Path)
}

// urlFilename is pip's Link.filename: the last path segment, unquoted.
func urlFilename(link string) string {
	u, err := url.Parse(link)
	p := link
	if err == nil {
		p = u.Path
	}
	return path.Base("/" + strings.TrimRight(p, "/"))
}

var (
	eggRE = lazyre.New(`[#&]egg=([^&]*)`)
	// wheelRE is pip's Wheel.wheel_file_re.
	wheelRE = lazyre.New(`^(?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?)(?:-(\d[^-]*?))?-([^\s-]+?)-([^\s-]+?)-([^\s-]+?)\.whl$`)
)

// eggFragment returns the project name and extras of a "#egg=name[extras]"
// fragment, or "" when there is none.
func eggFragment(link string) (string, []string, error) {
	m := eggRE.R().FindStringSubmatch(link)
	if m == nil {
		return "", nil, nil
	}
	value, err := url.PathUnescape(m[1])
	if err != nil {
		value = m[1]
	}
	r, err := pep508.ParseRequirement(value)
	if err != nil || r.URL != "" || !r.Specifiers.IsEmpty() || !r.Marker.IsZero() {
		return "", nil, fmt.Errorf("#egg=%s is not a project name with optional [extras]; write #egg=<name> or use <name> @ <url>", m[1])
	}
	return r.Name, r.Extras, nil
}

// parseWheelFilename returns the name and version of a wheel filename, as
// pip's Wheel class reads them.
func parseWheelFilename(filename string) (name, version string, err error) {
	m := wheelRE.R().FindStringSubmatch(filename)
	if m == nil {
		return "", "", fmt.Errorf("%s is not a valid wheel filename", filename)
	}
	name = strings.ReplaceAll(m[1], "_", "-")
	version = strings.ReplaceAll(m[2], "_", "-")
	v, err := pep440.Parse(version)
	if err != nil || !pep508.ValidName(name) {
		return "", "", fmt.Errorf("%s is not a valid wheel filename", filename)
	}
	return name, v.String(), nil
}

// parseSdistFilename splits "name-version.tar.gz" at its last "-".
func parseSdistFilename(filename string) (name, version string, err error) {
	stem := filename[:len(filename)-len(archiveExt(filename))]
	i := strings.LastIndexByte(stem, '-')
	if i <= 0 {
		return "", "", fmt.Errorf("%s is not name-version.ext", filename)
	}
	v, err := pep440.Parse(stem[i+1:])
	if err != nil || !pep508.ValidName(stem[:i]) {
		return "", "", fmt.Errorf("%s is not name-version.ext", filename)
	}
	return stem[:i], v.String(), nil
}

// parseEditable parses the value of -e as pip's parse_editable does: a
// local project directory (optionally with [extras]), a file: URL, or a VCS
// URL with #egg=name.
func (p *reqParser) parseEditable(value string, src Source) (Requirement, error) {
	req := Requirement{Source: src, Editable: true}
	target, extras := stripExtras(value)
	if isDir(target) {
		target = fileURL(target)
	}
	target = absoluteFileURL(target)
	if strings.HasPrefix(strings.ToLower(target), "file:") {
		if err := setDirectReference(&req, target, src); err != nil {
			return req, err
		}
		if err := addExtras(&req, extras, src); err != nil {
			return req, err
		}
		return req, checkDirectReference(&req, src)
	}
	link := value
	for _, vcs := range vcsNames {
		if strings.HasPrefix(strings.ToLower(link), vcs+":") {
			link = vcs + "+" + link
			break
		}
	}
	if !vcsSchemes[urlScheme(link)] {
		return req, errorf(src, "-e %s is neither a local project directory nor a VCS URL; give an existing directory or a git+, hg+, svn+ or bzr+ URL", value)
	}
	req.URL = link
	name, eggExtras, err := eggFragment(link)
	if err != nil {
		return req, &Error{Source: src, Msg: err.Error()}
	}
	req.Name, req.Extras = name, eggExtras // unnamed without #egg=: the resolver reads the name
	return req, checkDirectReference(&req, src)
}
