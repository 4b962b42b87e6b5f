package nixgen

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// PipRequirement is one package pip installs: the resolved version and the
// sha256 digests of the files it may install (the sdist, the wheel).
type PipRequirement struct {
	Name    string
	Version string
	SHA256  []string // lower-case hex
	Marker  string   // where it applies (SystemMarker); "" for everywhere
}

// PipFallback installs, from the shell's hook, the packages Nix does not
// build: pip, run by the environment's interpreter (which must hold pip),
// installs exactly the resolved versions (--no-deps, --require-hashes:
// every file hash-checked) from a requirements file the Nix expression
// writes, into a prefix in the project (.req2nix/pip), which PYTHONPATH and
// PATH then include. A stamp (the requirements file's store path and the
// environment's) makes a second entry install nothing; a changed set wipes
// the prefix (only when it holds the stamp req2nix wrote) and installs
// anew.
type PipFallback struct {
	Requirements []PipRequirement
	IndexURL     string // pip's --index-url (without credentials); "" for PyPI
	// Flake: the project root is the nearest directory above $PWD holding
	// flake.nix (a flake's own ./. is a read-only store copy); otherwise
	// it is the directory of the shell.nix.
	Flake bool
}

// pipRequirementsBinding is the name of the requirements file's binding.
const pipRequirementsBinding = "pipRequirements"

var (
	pipNameRE    = lazyre.New(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	pipVersionRE = lazyre.New(`^[A-Za-z0-9!+._-]+$`)
	hexSHA256RE  = lazyre.New(`^[0-9a-f]{64}$`)
	// pipMarkerRE: what SystemMarker writes; no "-" (an option) or "#" (a comment)
	pipMarkerRE = lazyre.New(`^[a-z0-9_ ="()]+$`)
)

// requirementsText is the requirements file. Every value is checked
// against the characters its field allows: the file is pip's input, where
// a line break or a space would add options.
func (f PipFallback) requirementsText() ([]string, error) {
	if len(f.Requirements) == 0 {
		return nil, fmt.Errorf("pip fallback without packages")
	}
	lines := []string{"# Installed by pip from the shell's hook (req2nix --fallback pip): exactly these files."}
	if f.IndexURL != "" {
		u, err := url.Parse(f.IndexURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || strings.ContainsAny(f.IndexURL, " \t\r\n\\") {
			return nil, fmt.Errorf("pip fallback: index URL %q is not a plain http(s) URL without credentials", f.IndexURL)
		}
		lines = append(lines, "--index-url "+f.IndexURL)
	}
	reqs := slices.Clone(f.Requirements)
	slices.SortFunc(reqs, func(a, b PipRequirement) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Version, b.Version), strings.Compare(a.Marker, b.Marker))
	})
	for _, r := range reqs {
		if !pipNameRE.R().MatchString(r.Name) || !pipVersionRE.R().MatchString(r.Version) || len(r.SHA256) == 0 {
			return nil, fmt.Errorf("pip fallback: %q %q cannot be pinned (a PEP 503 name, a PEP 440 version and at least one sha256 are needed)", r.Name, r.Version)
		}
		line := r.Name + "==" + r.Version
		if r.Marker != "" {
			if !pipMarkerRE.R().MatchString(r.Marker) {
				return nil, fmt.Errorf("pip fallback: %s %s: marker %q is not a system marker", r.Name, r.Version, r.Marker)
			}
			line += " ; " + r.Marker
		}
		for _, h := range slices.Sorted(slices.Values(r.SHA256)) {
			if !hexSHA256RE.R().MatchString(h) {
				return nil, fmt.Errorf("pip fallback: %s %s: sha256 %q is not 64 lower-case hex digits", r.Name, r.Version, h)
			}
			line += " --hash=sha256:" + h
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// Bindings renders the let binding of the requirements file (at
// indentation 0).
func (f PipFallback) Bindings() (string, error) {
	lines, err := f.requirementsText()
	if err != nil {
		return "", err
	}
	var p printer
	for i := range lines {
		lines[i] = indentedLine(lines[i])
	}
	p.indentedString(pipRequirementsBinding+" = "+recipePkgs+".writeText "+nixString("req2nix-pip-requirements.txt")+" ", lines, ";")
	return p.String(), nil
}

// HookLines are the shell lines of the hook (indented-string source, for
// mkShell's shellHook or buildFHSEnv's profile).
func (f PipFallback) HookLines() []string {
	root := []string{indentedLine("req2nix_root=", recipePkgs+".lib.escapeShellArg (toString ./.)")}
	if f.Flake {
		root = []string{
			indentedLine(`req2nix_root=$PWD`),
			indentedLine(`while [ ! -e "$req2nix_root/flake.nix" ] && [ "$req2nix_root" != / ]; do req2nix_root=$(dirname "$req2nix_root"); done`),
		}
	}
	return append(root,
		indentedLine(`export PIP_PREFIX="$req2nix_root/.req2nix/pip"`),
		indentedLine(`export PYTHONPATH="$PIP_PREFIX/`, recipePython+".sitePackages", `${PYTHONPATH:+:$PYTHONPATH}"`),
		indentedLine(`export PATH="$PIP_PREFIX/bin:$PATH"`),
		indentedLine("# wheels cannot be built with Nix's SOURCE_DATE_EPOCH (before 1980)"),
		indentedLine("unset SOURCE_DATE_EPOCH"),
		indentedLine("req2nix_stamp=", recipePkgs+`.lib.escapeShellArg "${`+pipRequirementsBinding+`} ${`+recipeEnv+`}"`),
		indentedLine(`if [ "$(cat "$PIP_PREFIX/.req2nix-stamp" 2>/dev/null)" != "$req2nix_stamp" ]; then`),
		indentedLine(`  if [ -e "$PIP_PREFIX/.req2nix-stamp" ]; then rm -rf "$PIP_PREFIX"; fi`),
		indentedLine("  if ", recipeEnv+".interpreter", " -m pip install --no-deps --require-hashes --ignore-installed --no-input --disable-pip-version-check --prefix \"$PIP_PREFIX\" -r ", pipRequirementsBinding, "; then"),
		indentedLine(`    printf '%s\n' "$req2nix_stamp" > "$PIP_PREFIX/.req2nix-stamp"`),
		indentedLine("  else"),
		indentedLine(`    echo "req2nix: pip could not install the packages Nix does not build; entering the shell again retries" >&2`),
		indentedLine("  fi"),
		indentedLine("fi"),
		indentedLine("unset req2nix_root req2nix_stamp"),
	)
}

// FHSEnv wraps the pip fallback in buildFHSEnv, for wheels that expect a
// conventional Linux (manylinux binaries loading /usr/lib libraries): the
// environment and Libraries in an FHS root, the hook as its profile. The
// shell is its .env (nix-shell and nix develop enter it); it exists on
// Linux only.
type FHSEnv struct {
	Name      string   // the environment's name: python-env
	Libraries []string // attributes of pkgs the wheels load (zlib, stdenv.cc.cc.lib, …)
	Profile   string   // the let binding of the profile's text: the hook (PipFallback.HookLines), which mkShell shares elsewhere
}

// fhsBinding is the name of the FHS environment's binding; hookBinding
// that of the hook's text, which its profile and (on other systems)
// mkShell's shellHook share.
const (
	fhsBinding  = "fhs"
	hookBinding = "shellHook"
)

var pkgsPathRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$`)

// Bindings renders the let binding of the FHS environment (at indentation
// 0); the shell is fhs.env.
func (f FHSEnv) Bindings() (string, error) {
	if !pipNameRE.R().MatchString(f.Name) {
		return "", fmt.Errorf("FHS environment name %q: letters, digits, ., _ and - only", f.Name)
	}
	targets := []string{recipeEnv}
	for _, lib := range f.Libraries {
		if !pkgsPathRE.R().MatchString(lib) {
			return "", fmt.Errorf("FHS library %q is not an attribute path of pkgs", lib)
		}
		targets = append(targets, "fhsPkgs."+lib)
	}
	if !pythonAttrRE.R().MatchString(f.Profile) {
		return "", fmt.Errorf("FHS profile %q is not the name of a binding", f.Profile)
	}
	var p printer
	p.open(fhsBinding + " = " + recipePkgs + ".buildFHSEnv {")
	p.bind("name", nixString(f.Name))
	p.list("targetPkgs = fhsPkgs: ", targets, ";")
	p.bind("profile", f.Profile)
	p.close("};")
	return p.String(), nil
}

// FHSShell is the expression of the shell entering the FHS environment.
const FHSShell = fhsBinding + ".env"
