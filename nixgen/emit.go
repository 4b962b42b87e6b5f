package nixgen

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/resolver"
)

// Output formats accepted by Options.Format.
const (
	FormatShell   = "shell"   // shell.nix (the default)
	FormatFlake   = "flake"   // flake.nix
	FormatOverlay = "overlay" // overlay.nix: the packageOverrides function only
	FormatJSON    = "json"    // machine-readable report (see Report)
)

// flakeSystems are the systems flake.nix defines devShells for.
var flakeSystems = []string{"aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"}

// Options controls Generate.
type Options struct {
	Format     string   // FormatShell (default when ""), FormatFlake, FormatOverlay or FormatJSON
	Pin        Pin      // the nixpkgs to build against; zero means DefaultPin()
	PythonAttr string   // interpreter attribute; "" means the index's
	Command    string   // the command that regenerates the output, for the header
	Inputs     []string // the input files (requirements.txt, pyproject.toml), for the header
	IndexURL   string   // the package index the resolution came from, for the header and report

	// BuildRequires gives, per project name, the [build-system] requires of
	// its sdist (PEP 518 requirement strings) when the caller could read
	// them; new packages built from that sdist then use those build
	// systems instead of the setuptools default.
	BuildRequires map[string][]string

	// OutputDir is the directory the output will be written to (relative
	// to the current directory, or absolute): local direct references
	// (-e ./pkg) become Nix paths relative to it. "" writes absolute paths.
	OutputDir string
}

// FinalPlan is the plan as Generate writes it out: Plan's decisions with
// opts' build requirements applied and local paths made relative to
// opts.OutputDir, the notes these steps add included. A caller summarising
// what was written uses it rather than Plan.
func FinalPlan(res *resolver.Resolution, ix *Index, opts Options) ([]Decision, error) {
	g, err := newGen(res, ix, opts)
	if err != nil {
		return nil, err
	}
	return g.ds, nil
}

// Generate renders the resolution as Nix (or the JSON report). It fails,
// writing nothing, when a package cannot be emitted (no hash-pinned file,
// a dependency outside the resolution, a value Nix cannot hold).
func Generate(res *resolver.Resolution, ix *Index, opts Options) ([]byte, error) {
	g, err := newGen(res, ix, opts)
	if err != nil {
		return nil, err
	}
	switch g.opts.Format {
	case FormatShell:
		return []byte(g.shell()), nil
	case FormatFlake:
		return []byte(g.flake()), nil
	case FormatOverlay:
		return []byte(g.overlay()), nil
	default: // FormatJSON; newGen checked the format
		return g.report()
	}
}

// gen holds what every format needs.
type gen struct {
	res       *resolver.Resolution
	ix        *Index
	opts      Options
	ds        []Decision
	overrides string // the packageOverrides function, rendered once
}

func newGen(res *resolver.Resolution, ix *Index, opts Options) (*gen, error) {
	if res == nil || ix == nil {
		return nil, errors.New("nixgen: Generate needs a resolution and a nixpkgs index")
	}
	if opts.Format == "" {
		opts.Format = FormatShell
	}
	switch opts.Format {
	case FormatShell, FormatFlake, FormatOverlay, FormatJSON:
	default:
		return nil, fmt.Errorf("output format %q: expected shell, flake, overlay or json", opts.Format)
	}
	if opts.Pin == (Pin{}) {
		opts.Pin = DefaultPin()
	}
	if opts.PythonAttr == "" {
		opts.PythonAttr = ix.PythonAttr
	}
	if !pythonAttrRE.MatchString(opts.PythonAttr) {
		return nil, fmt.Errorf("python interpreter attribute %q: expected a name such as python312", opts.PythonAttr)
	}
	if ix.PythonAttr != "" && opts.PythonAttr != ix.PythonAttr {
		return nil, fmt.Errorf("the nixpkgs index (%s) is for %s, the output for %s: load the index for %s", ix.Source, ix.PythonAttr, opts.PythonAttr, opts.PythonAttr)
	}
	if err := checkInterpreterMatch(opts.PythonAttr, res.Python); err != nil {
		return nil, err
	}
	if opts.Format == FormatShell || opts.Format == FormatFlake {
		if err := opts.Pin.validate(); err != nil {
			return nil, err
		}
	}
	g := &gen{res: res, ix: ix, opts: opts, ds: Plan(res, ix)}
	resolvePaths(g.ds, opts.OutputDir)
	applyBuildRequires(g.ds, ix, withLocalBuildRequires(g.ds, opts.BuildRequires))
	if err := problems(g.ds); err != nil {
		return nil, err
	}
	g.overrides = renderOverrides(g.ds)
	return g, nil
}

// checkInterpreterMatch rejects output for another Python than the one the
// resolution chose wheels and evaluated markers for (python312 vs 3.13.3).
func checkInterpreterMatch(attr, resolvedPython string) error {
	m := cpythonAttrRE.FindStringSubmatch(attr)
	if m == nil || resolvedPython == "" {
		return nil
	}
	want := "3." + m[1]
	if resolvedPython != want && !strings.HasPrefix(resolvedPython, want+".") {
		return fmt.Errorf("the resolution is for Python %s but the output uses %s (Python %s): resolve for %s or choose the matching interpreter", resolvedPython, attr, want, want)
	}
	return nil
}

var cpythonAttrRE = regexp.MustCompile(`^python3(\d+)$`)

// problems joins the problems of all decisions into one error.
func problems(ds []Decision) error {
	var errs []error
	for _, d := range ds {
		if d.Problem != "" {
			errs = append(errs, errors.New(d.Problem))
		}
	}
	return errors.Join(errs...)
}

// header writes the comment block: what generated the file, from what, how
// to regenerate it, the req2nix-nixpkgs line ReadPin and the req2nix-lock
// lines ReadPins read back.
func (g *gen) header(p *printer, extra ...string) {
	p.line("# Generated by req2nix. Do not edit: regenerate instead.")
	if len(g.opts.Inputs) > 0 {
		p.line("# Inputs: " + commentText(strings.Join(g.opts.Inputs, ", ")))
	}
	if g.opts.Command != "" {
		p.line("# Regenerate: " + commentText(g.opts.Command))
	}
	if g.opts.IndexURL != "" {
		p.line("# Package index: " + commentText(g.opts.IndexURL))
	}
	p.line("# Python: " + g.opts.PythonAttr + pythonDetail(g.res))
	p.line("# nixpkgs: " + commentText(g.opts.Pin.label()))
	p.line("# nixpkgs index: " + commentText(g.ix.Source))
	p.line("# Packages: " + g.summary())
	for _, e := range extra {
		p.line("# " + e)
	}
	for _, w := range sortedCopy(g.res.Warnings) {
		p.line("# Warning: " + commentText(w))
	}
	p.line("#")
	p.line(pinLine(g.opts.Pin))
	for _, d := range g.ds {
		p.line(lockPrefix + lockEncode(d.Name) + "==" + lockEncode(d.Version))
	}
}

// lockPrefix starts the machine-readable pin lines of the header.
const lockPrefix = "# req2nix-lock: "

func pythonDetail(res *resolver.Resolution) string {
	s := ""
	if res.Python != "" {
		s += " " + lockEncode(res.Python)
	}
	if res.Platform != "" {
		s += " on " + lockEncode(res.Platform)
	}
	return s
}

// summary counts decisions per kind.
func (g *gen) summary() string {
	n := map[Kind]int{}
	for _, d := range g.ds {
		n[d.Kind]++
	}
	return fmt.Sprintf("%d (%d from nixpkgs as is, %d overridden, %d new)", len(g.ds), n[KindAsIs], n[KindOverride], n[KindNew])
}

// renderOverrides renders the packageOverrides function at indentation 0.
func renderOverrides(ds []Decision) string {
	var p printer
	var body []Decision
	for _, d := range ds {
		if d.Kind != KindAsIs {
			body = append(body, d)
		}
	}
	if len(body) == 0 {
		p.line("pyfinal: pyprev: { }")
		return p.String()
	}
	p.open("pyfinal: pyprev: {")
	for _, d := range body {
		for _, c := range decisionComments(d) {
			p.line("# " + c)
		}
		if d.Kind == KindOverride {
			writeOverride(&p, d)
		} else {
			writeNew(&p, d)
		}
	}
	p.close("}")
	return p.String()
}

// decisionComments explains an override or new package in the output.
func decisionComments(d Decision) []string {
	var cs []string
	nv := "an unknown version"
	if d.NixpkgsVersion != "" {
		nv = lockEncode(d.NixpkgsVersion)
	}
	switch {
	case d.Kind == KindOverride:
		cs = append(cs, fmt.Sprintf("%s %s: nixpkgs has %s", lockEncode(d.Name), lockEncode(d.Version), nv))
	case d.InNixpkgs:
		cs = append(cs, fmt.Sprintf("%s %s: replaces nixpkgs' %s (no sdist to override it with)", lockEncode(d.Name), lockEncode(d.Version), nv))
	}
	if d.BinaryWheel {
		cs = append(cs, "binary wheel "+lockEncode(d.Src.Filename)+": last resort, only runs on its platform")
	}
	for _, n := range d.Notes {
		cs = append(cs, commentText(n))
	}
	return cs
}

// writeOverride writes nixpkgs' expression re-called with the resolved
// version: the new src, dependencies regenerated from the resolution (the
// old propagatedBuildInputs are cleared so nothing outside the resolution
// leaks in), no patches (they were written for nixpkgs' version) and no
// checks (test dependencies are not part of the resolution).
func writeOverride(p *printer, d Decision) {
	p.open(nixAttr(d.Attr) + " = pyprev." + nixAttr(d.Attr) + ".overridePythonAttrs (old: {")
	p.bind("version", nixString(d.Version))
	writeSrc(p, d.Src)
	writeDeps(p, d)
	p.list("propagatedBuildInputs = ", nil, ";")
	p.list("patches = ", nil, ";")
	p.bind("doCheck", "false")
	p.close("});")
}

// writeNew writes a buildPythonPackage call.
func writeNew(p *printer, d Decision) {
	p.open(nixAttr(d.Attr) + " = pyfinal.buildPythonPackage {")
	p.bind("pname", nixString(d.Name))
	p.bind("version", nixString(d.Version))
	if d.Format == "wheel" {
		p.bind("format", nixString("wheel"))
	} else {
		p.bind("pyproject", "true")
	}
	writeSrc(p, d.Src)
	if d.Format != "wheel" {
		p.list("build-system = ", refs(d.Attr, d.BuildSystem), ";")
	}
	if d.BinaryWheel {
		p.list("nativeBuildInputs = ", []string{"pkgs.autoPatchelfHook"}, ";")
		p.list("buildInputs = ", []string{"pkgs.stdenv.cc.cc.lib"}, ";")
	}
	writeDeps(p, d)
	p.bind("doCheck", "false")
	p.list("pythonImportsCheck = ", nil, ";")
	p.close("};")
}

func writeDeps(p *printer, d Decision) {
	p.list("dependencies = ", refs(d.Attr, d.Deps), ";")
}

// refs turns attribute names into pyfinal.<attr> references; a package
// referring to its own attribute (setuptools built with setuptools) gets
// nixpkgs' one, pyprev.<attr>, to avoid infinite recursion.
func refs(self string, attrs []string) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		set := "pyfinal."
		if a == self {
			set = "pyprev."
		}
		out[i] = set + nixAttr(a)
	}
	return out
}

// writeSrc writes src = pkgs.fetchPypi { ... } or pkgs.fetchurl { ... }.
func writeSrc(p *printer, s *Source) {
	if writeDirectSrc(p, s) {
		return
	}
	if s.Fetcher == "fetchurl" {
		p.open("src = pkgs.fetchurl {")
		p.bind("url", nixString(s.URL))
	} else {
		p.open("src = pkgs.fetchPypi {")
		p.bind("pname", nixString(s.PName))
		p.bind("version", nixString(s.PVersion))
		if s.FileKind == "wheel" {
			p.bind("format", nixString("wheel"))
			p.bind("dist", nixString(s.Dist))
			p.bind("python", nixString(s.Python))
			p.bind("abi", nixString(s.ABI))
			p.bind("platform", nixString(s.Platform))
		} else if s.Extension != "tar.gz" {
			p.bind("extension", nixString(s.Extension))
		}
	}
	p.bind("hash", nixString(s.Hash))
	p.close("};")
}

// envItems lists every resolved package for withPackages, sorted by name.
func (g *gen) envItems() []string {
	items := make([]string, len(g.ds))
	for i, d := range g.ds {
		items[i] = "ps." + nixAttr(d.Attr)
	}
	return items
}

// writeLetBindings writes, inside a let, the overrides and the interpreter
// using them (self = python, so that withPackages and every package see the
// overridden set); shell.nix and flake.nix share it.
func (g *gen) writeLetBindings(p *printer) {
	p.block("packageOverrides = ", g.overrides, ";")
	p.open("python = pkgs." + g.opts.PythonAttr + ".override {")
	p.bind("self", "python")
	p.line("inherit packageOverrides;")
	p.close("};")
}

// writeMkShell writes the development shell holding the environment.
func (g *gen) writeMkShell(p *printer, prefix, suffix string) {
	p.open(prefix + "pkgs.mkShell {")
	p.open("packages = [")
	p.list("(python.withPackages (ps: ", g.envItems(), "))")
	p.close("];")
	p.close("}" + suffix)
}

// shell renders shell.nix. nixpkgs and pkgs are arguments with defaults so
// that a user (or a test) can substitute a local nixpkgs.
func (g *gen) shell() string {
	var p printer
	g.header(&p)
	p.open("{")
	g.writeNixpkgsArg(&p)
	p.open("pkgs ? import nixpkgs {")
	p.line("config = { };")
	p.line("overlays = [ ];")
	p.close("},")
	p.close("}:")
	p.open("let")
	g.writeLetBindings(&p)
	p.indent--
	p.line("in")
	g.writeMkShell(&p, "", "")
	return p.String()
}

// writeNixpkgsArg writes the nixpkgs formal: a hash-pinned fetchTarball, or
// the local checkout of Pin.Path.
func (g *gen) writeNixpkgsArg(p *printer) {
	pin := g.opts.Pin
	if pin.Path != "" {
		p.line("nixpkgs ? " + pathExpr(pin.Path) + ",")
		return
	}
	p.open("nixpkgs ? fetchTarball {")
	p.bind("url", nixString(pin.tarball()))
	p.bind("sha256", nixString(pin.SHA256))
	p.close("},")
}

// pathExpr is a Nix path expression for any file name: a path literal
// cannot hold every character, but /. + "..." can.
func pathExpr(path string) string {
	if filepath.IsAbs(path) {
		return "/. + " + nixString(path)
	}
	return "./. + " + nixString("/"+path)
}

// flakeSystems are the systems the flake can honestly offer: all four,
// unless a package is installed from a platform-specific wheel, which only
// runs on the platform it was resolved for (then why says so).
func (g *gen) flakeSystems() (systems []string, why string) {
	if !slices.Contains(flakeSystems, g.res.Platform) {
		return flakeSystems, ""
	}
	for _, d := range g.ds {
		if d.BinaryWheel {
			return []string{g.res.Platform}, "devShells only for " + g.res.Platform + ": " + commentText(d.Name) + " is installed from a wheel built for it"
		}
	}
	return flakeSystems, ""
}

// flake renders flake.nix: nixpkgs pinned to the same rev, devShells for
// flakeSystems built exactly like shell.nix.
func (g *gen) flake() string {
	var p printer
	systems, why := g.flakeSystems()
	extra := []string{"nixpkgs narHash: " + commentText(g.opts.Pin.SHA256)}
	if why != "" {
		extra = append(extra, why)
	}
	g.header(&p, extra...)
	p.open("{")
	p.bind("description", nixString("Python environment generated by req2nix"))
	p.line("")
	p.line("inputs.nixpkgs.url = " + nixString(g.flakeURL()) + ";")
	p.line("")
	p.open("outputs =")
	p.line("{ nixpkgs, ... }:")
	p.line("let")
	p.indent++
	p.list("systems = ", quoteAll(systems), ";")
	p.bind("forAllSystems", "nixpkgs.lib.genAttrs systems")
	p.indent--
	p.line("in")
	p.open("{")
	p.open("devShells = forAllSystems (")
	p.line("system:")
	p.open("let")
	p.bind("pkgs", "nixpkgs.legacyPackages.${system}")
	g.writeLetBindings(&p)
	p.indent--
	p.line("in")
	p.open("{")
	g.writeMkShell(&p, "default = ", ";")
	p.close("}")
	p.close(");")
	p.close("};")
	p.indent = 1
	p.close("}")
	return p.String()
}

// flakeURL is the flake reference of the pin.
func (g *gen) flakeURL() string { return g.opts.Pin.flakeRef() }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = nixString(s)
	}
	return out
}

// overlay renders overlay.nix: the packageOverrides function, taking pkgs
// for the fetchers.
func (g *gen) overlay() string {
	var p printer
	g.header(&p,
		"Usage: python = pkgs."+g.opts.PythonAttr+".override { self = python; packageOverrides = import ./overlay.nix { inherit pkgs; }; };",
		commentText("Environment: python.withPackages (ps: [ "+strings.Join(g.envItems(), " ")+" ])"))
	p.line("{ pkgs }:")
	p.block("", g.overrides, "")
	return p.String()
}
