package nixgen

// Writing the recipes into the outputs (emit.go calls these at a few
// points): the interpreter overlay in pkgs' overlays, the environment as a
// pythonEnv binding with the swap's, the pip fallback's and the FHS
// environment's bindings, the shell's hook, the flake's checks, packages
// and apps, default.nix for the application, and overlay.nix as a nixpkgs
// overlay when the interpreter is req2nix's own. A plan without recipes is
// written exactly as before.

import (
	"errors"
	"net/url"
	"slices"
	"strings"
)

// FormatApp is default.nix: the project built as an application
// (Plan.App), next to the shell.nix of the same plan.
const FormatApp = "app"

// fhsLibraries are the libraries of the FHS environment: what manylinux
// wheels link beyond glibc (libstdc++, libgcc_s, zlib; PEP 600's policy).
var fhsLibraries = []string{"stdenv.cc.cc.lib", "zlib"}

// usesRecipes reports whether the environment needs more than
// python.withPackages in a mkShell.
func (g *gen) usesRecipes() bool {
	p := g.m
	return p.Interpreter != nil || p.Swap != nil || p.Check != nil || p.Fallback != "" || p.App != nil && g.opts.Format != FormatShell
}

// checkRecipes validates what the recipes will render, so that Render
// fails before writing anything.
func (g *gen) checkRecipes() error {
	p := g.m
	var errs []error
	if p.Interpreter != nil {
		_, err := InterpreterOverlay(*p.Interpreter)
		errs = append(errs, err)
	}
	if p.Swap != nil {
		_, err := p.Swap.Bindings()
		errs = append(errs, err)
	}
	if p.Fallback != "" {
		_, err := g.pipFallback().Bindings()
		errs = append(errs, err)
	}
	if p.App != nil {
		_, err := p.App.Expr()
		errs = append(errs, err)
	}
	switch {
	case g.opts.Format == FormatOverlay && (p.Fallback != "" || p.App != nil):
		errs = append(errs, errors.New("overlay.nix holds the package set only: pip's fallback and the application need --format shell or flake"))
	case g.opts.Format == FormatApp && p.App == nil:
		errs = append(errs, errors.New("default.nix builds the project as an application: the plan has none (--app)"))
	}
	return errors.Join(errs...)
}

// writeOverlays writes pkgs' overlays: the interpreter req2nix defines, or
// none.
func (g *gen) writeOverlays(p *printer) {
	if g.m.Interpreter == nil {
		p.line("overlays = [ ];")
		return
	}
	overlay, _ := InterpreterOverlay(*g.m.Interpreter) // checked by checkRecipes
	p.open("overlays = [")
	p.block("(", overlay, ")")
	p.close("];")
}

// flakePkgs writes the flake's pkgs binding: nixpkgs' legacyPackages, or
// nixpkgs imported with the interpreter overlay.
func (g *gen) writeFlakePkgs(p *printer) {
	if g.m.Interpreter == nil {
		p.bind("pkgs", "nixpkgs.legacyPackages.${system}")
		return
	}
	p.open("pkgs = import nixpkgs {")
	p.line("inherit system;")
	p.line("config = { };")
	g.writeOverlays(p)
	p.close("};")
}

// writeRecipeBindings writes, after python, the bindings the recipes
// need: the swap's, pythonEnv, the pip requirements and the FHS
// environment for a shell; the application for default.nix and a flake.
func (g *gen) writeRecipeBindings(p *printer) {
	if !g.usesRecipes() {
		return
	}
	if g.opts.Format != FormatApp {
		if g.m.Swap != nil {
			swap, _ := g.m.Swap.Bindings()
			if swap != "" {
				p.block("", swap, "")
			}
		}
		g.writeEnv(p, recipeEnv+" = ", recipePython, ";", g.recipeEnvExtra())
		if g.m.Fallback != "" {
			pip, _ := g.pipFallback().Bindings()
			p.block("", pip, "")
		}
		if g.m.Fallback == FallbackFHS {
			p.indentedString(hookBinding+" = ", g.hookLines(), ";")
			fhs, _ := FHSEnv{Name: "python-env", Libraries: fhsLibraries, Profile: hookBinding}.Bindings()
			p.block("", fhs, "")
		}
	}
	if g.m.App != nil && g.opts.Format != FormatShell {
		app, _ := g.m.App.Expr()
		p.block(AppBinding+" = ", app, ";")
	}
}

// recipeEnvExtra are pythonEnv's items besides the environment's
// packages: the swap's module of reused packages, and pip when pip
// installs some.
func (g *gen) recipeEnvExtra() []string {
	var items []string
	if g.m.Swap != nil {
		items = g.m.Swap.moduleItems()
	}
	if g.m.Fallback != "" && !g.hasPip() {
		items = append(items, "ps.pip")
	}
	return items
}

// hasPip reports whether every system's environment holds pip as a
// package of its own.
func (g *gen) hasPip() bool {
	for _, s := range g.m.Resolved {
		if !slices.ContainsFunc(g.m.Plans[s].Packages, func(d Decision) bool { return d.Attr == "pip" && d.Kind != KindPip }) {
			return false
		}
	}
	return true
}

// pipFallback is what pip installs.
func (g *gen) pipFallback() PipFallback {
	return PipFallback{IndexURL: g.m.PipIndexURL, Flake: g.opts.Format == FormatFlake, Requirements: g.m.pipRequirements()}
}

// pipIndexURL is the index pip installs from: the resolution's, when it
// is a Simple API root over http(s) ("" for PyPI, pip's default, and for
// what pip cannot read: a file:// mirror or a JSON API root), without
// credentials (pip finds them in ~/.netrc or its keyring).
func pipIndexURL(raw string) string {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "pypi.org" || strings.HasSuffix(u.Path, "/pypi") {
		return ""
	}
	u.User = nil
	return u.String()
}

// hookLines are the shell's hook: the interpreter check, then pip.
func (g *gen) hookLines() []string {
	var lines []string
	if g.m.Check != nil {
		lines = append(lines, InterpreterCheckHook(*g.m.Check)...)
	}
	if g.m.Fallback != "" {
		lines = append(lines, g.pipFallback().HookLines()...)
	}
	return lines
}

// writeRecipeShell writes the development shell of a plan with recipes:
// pythonEnv and the hook, entered through the FHS environment on Linux
// when the fallback is fhs (buildFHSEnv exists there only).
func (g *gen) writeRecipeShell(p *printer, prefix, suffix string) {
	if g.m.Fallback != FallbackFHS {
		g.writeHookShell(p, prefix, suffix)
		return
	}
	if prefix != "" {
		p.open(strings.TrimSuffix(prefix, " "))
	}
	p.open("if " + recipePkgs + ".stdenv.hostPlatform.isLinux then")
	p.line(FHSShell)
	p.indent--
	p.open("else")
	g.writeHookShell(p, "", suffix)
	p.indent--
	if prefix != "" {
		p.indent--
	}
}

func (g *gen) writeHookShell(p *printer, prefix, suffix string) {
	p.open(prefix + recipePkgs + ".mkShell {")
	p.list("packages = ", []string{recipeEnv}, ";")
	switch hook := g.hookLines(); {
	case g.m.Fallback == FallbackFHS:
		p.line("inherit " + hookBinding + "; # the FHS environment's profile")
	case len(hook) > 0:
		p.indentedString("shellHook = ", hook, ";")
	}
	p.close("}" + suffix)
}

// flakeOutputsBinding is the flake's binding of every system's outputs
// (perSystem is what differs between systems, inside each).
const flakeOutputsBinding = "outputsFor"

// flakeHasOutputs reports whether the flake has more than devShells: the
// interpreter check, the application.
func (g *gen) flakeHasOutputs() bool {
	return g.m.Check != nil && InterpreterCheckCode(*g.m.Check) != "" || g.m.App != nil
}

// writeFlakePerSystem writes the flake's perSystem binding: every
// system's bindings once, and what its outputs take from them.
func (g *gen) writeFlakePerSystem(p *printer) {
	p.open(flakeOutputsBinding + " = forAllSystems (")
	p.line("system:")
	p.open("let")
	g.writeFlakePkgs(p)
	g.writeLetBindings(p, false)
	p.indent--
	p.line("in")
	p.open("{")
	g.writeMkShell(p, "shell = ", ";")
	if g.m.Check != nil {
		if check := InterpreterCheckDerivation(*g.m.Check); check != "" {
			p.block("check = ", check, ";")
		}
	}
	if g.m.App != nil {
		p.line("inherit " + AppBinding + ";")
		if g.m.App.MainProgram != "" {
			p.bind("program", AppProgram)
		}
	}
	p.close("}")
	p.close(");")
}

// writeFlakeOutputs writes the flake's outputs from perSystem.
func (g *gen) writeFlakeOutputs(p *printer) {
	p.line("devShells = forAllSystems (system: { default = " + flakeOutputsBinding + ".${system}.shell; });")
	if g.m.Check != nil && InterpreterCheckCode(*g.m.Check) != "" {
		p.line("checks = forAllSystems (system: { python-version = " + flakeOutputsBinding + ".${system}.check; });")
	}
	if g.m.App == nil {
		return
	}
	p.line("packages = forAllSystems (system: { default = " + flakeOutputsBinding + ".${system}." + AppBinding + "; });")
	if g.m.App.MainProgram == "" {
		return
	}
	p.open("apps = forAllSystems (system: {")
	p.open("default = {")
	p.bind("type", nixString("app"))
	p.bind("program", flakeOutputsBinding+".${system}.program")
	p.close("};")
	p.close("});")
}

// app renders default.nix: the project built with the plan's
// interpreter and package set.
func (g *gen) app() string {
	var p printer
	g.header(&p, "Build: nix-build (this file builds the project itself; shell.nix is its development shell)")
	g.writeArgs(&p)
	p.open("let")
	g.writeLetBindings(&p, true)
	p.indent--
	p.line("in")
	g.writeGuard(&p)
	p.line(AppBinding)
	return p.String()
}

// writeArgs writes the file's arguments: nixpkgs and pkgs (with the
// interpreter overlay), as shell.nix has them.
func (g *gen) writeArgs(p *printer) {
	p.open("{")
	g.writeNixpkgsArg(p)
	p.open("pkgs ? import nixpkgs {")
	p.line("config = { };")
	g.writeOverlays(p)
	p.close("},")
	p.close("}:")
}

// nixpkgsOverlay renders overlay.nix for an interpreter req2nix defines:
// a nixpkgs overlay defining it with the package overrides (pip and the
// application need a shell).
func (g *gen) nixpkgsOverlay() string {
	var p printer
	attr := g.m.Interpreter.Attr()
	g.header(&p,
		"Usage: pkgs = import nixpkgs { overlays = [ (import ./overlay.nix) ]; }; then pkgs."+attr+".withPackages (ps: [ … ])",
		commentText("Environment: "+g.envComment(attr)))
	p.line("final: prev:")
	p.open("let")
	p.bind(recipePkgs, "final")
	if g.needsSystem(true) {
		// prev's: final's stdenv would need this overlay's attribute names.
		p.line("inherit (prev.stdenv.hostPlatform) system;")
		g.writeSystemBindings(&p, true)
	}
	if g.m.partial() && !g.m.differs() {
		// Guarded where it is used: the overlay's attribute names must
		// not depend on the system.
		p.line("packageOverrides =")
		p.indent++
		g.writeGuard(&p)
		p.block("", g.overrides, ";")
		p.indent--
	} else {
		placeFunction(&p, "packageOverrides", g.overrides)
	}
	p.indent--
	p.line("in")
	p.open("{")
	_ = writeInterpreterOverride(&p, *g.m.Interpreter, "inherit packageOverrides;") // checked by checkRecipes
	p.close("}")
	return p.String()
}

// overlayUsage is overlay.nix's usage line for the plan's interpreter; a
// swapped one loses the reuse of the binary-cached packages there.
func (g *gen) overlayUsage() []string {
	lines := []string{"Usage: python = pkgs." + g.m.PythonAttr + ".override { self = python; packageOverrides = import ./overlay.nix { inherit pkgs; }; };"}
	if g.m.Swap != nil {
		lines = append(lines, "Every package is then built for "+g.m.PythonAttr+": reusing "+g.m.Swap.Cached+"'s binary-cached pure packages needs --format shell or flake.")
	}
	return lines
}
