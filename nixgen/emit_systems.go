package nixgen

import (
	"slices"
	"strings"

	"github.com/req2nix/req2nix/pypi/tags"
)

// How one file serves several systems. What every resolved system shares
// is written once: the packageOverrides entries and the environment's
// attributes. What differs is in one attribute set keyed by system,
//
//	perSystem = {
//	  x86_64-linux = {
//	    overrides = pyfinal: pyprev: { ... };  # merged over the shared ones
//	    packages = ps: [ ps.inotify-simple ];  # added to the shared ones
//	  };
//	  x86_64-darwin = throw "req2nix: no environment for x86_64-darwin: ...";
//	};
//	here = perSystem.${system} or (throw "req2nix resolved ... not for ${system} ...");
//
// where system is pkgs.stdenv.hostPlatform.system in shell.nix and
// overlay.nix and the flake's own argument in flake.nix (whose systems are
// the resolved ones, so it needs neither the throws nor the fallback). A
// file covering fewer than the four systems (--platform, or a system that
// failed) in which nothing differs has no perSystem but a guard,
//
//	supported = { x86_64-linux = true; x86_64-darwin = throw "..."; };
//	...
//	in
//	assert supported.${system} or (throw "...");
//
// so that evaluating it elsewhere stops with a message saying why instead
// of building another system's resolution. A file covering all four alike
// has neither.

// systemLockPrefix starts a lock line that holds on one system only:
// "# req2nix-lock x86_64-darwin: numpy==1.26.4". Readers older than
// multi-system output see an unknown comment line and skip it.
const systemLockPrefix = "# req2nix-lock "

// lockLinePrefix is the lock line prefix for a system ("" = every system).
func lockLinePrefix(system string) string {
	if system == "" {
		return lockPrefix
	}
	return systemLockPrefix + system + ": "
}

// systemsHeader writes the header's package counts (per group of systems
// when they differ) and why a system has no environment.
func (g *gen) systemsHeader(p *printer) {
	groups := groupSystems(g.m.Resolved, func(s string) string { return summary(g.m.Plans[s], g.opts.Format) })
	for _, grp := range groups {
		label := "# Packages: "
		if len(groups) > 1 {
			label = "# Packages on " + strings.Join(grp.systems, ", ") + ": "
		}
		p.line(label + grp.value)
	}
	for _, s := range g.m.Systems {
		if why, ok := g.m.Failed[s]; ok {
			p.line("# No environment for " + s + ": " + commentText(why))
		}
	}
}

// systemGroup is systems sharing one value, in the order given.
type systemGroup struct {
	value   string
	systems []string
}

// groupSystems groups systems by value, in the order of first appearance.
func groupSystems(systems []string, value func(string) string) []systemGroup {
	var out []systemGroup
	at := map[string]int{}
	for _, s := range systems {
		v := value(s)
		i, ok := at[v]
		if !ok {
			i = len(out)
			at[v] = i
			out = append(out, systemGroup{value: v})
		}
		out[i].systems = append(out[i].systems, s)
	}
	return out
}

// overridesFunction renders the packageOverrides function at indentation
// 0: the shared entries, merged with the system's own when anything
// differs between systems.
func (m *MultiPlan) overridesFunction() string {
	if !m.differs() {
		return renderOverrides(m.Shared)
	}
	shared := renderOverrideSet(m.Shared)
	if shared == "{ }\n" {
		return "here.overrides\n"
	}
	return "pyfinal: pyprev:\n" + shared + "// here.overrides pyfinal pyprev\n"
}

// placeFunction binds name to a function rendered at indentation 0, in
// nixfmt's layout: on the same line when its head is, else indented below.
func placeFunction(p *printer, name, text string) {
	if strings.HasPrefix(text, "pyfinal: pyprev:\n") {
		p.line(name + " =")
		p.indent++
		p.block("", text, ";")
		p.indent--
		return
	}
	p.block(name+" = ", text, ";")
}

// writeSystemBindings writes, inside a let, what the output needs to be
// right on each system: perSystem and here when something differs
// between systems, else the supported guard when the output does not
// cover all four. guarded is false for the flake, which offers the
// resolved systems only.
func (g *gen) writeSystemBindings(p *printer, guarded bool) {
	m := g.m
	switch {
	case m.differs():
		p.line("# What differs between systems (the header's lock lines give each system's versions).")
		p.open("perSystem = {")
		for _, s := range m.Systems {
			if why, failed := m.Failed[s]; failed {
				if guarded {
					p.line(nixAttr(s) + " = " + failedThrow(s, why) + ";")
				}
				continue
			}
			p.open(nixAttr(s) + " = {")
			p.block("overrides = ", renderOverrides(m.BySystem[s]), ";")
			p.list("packages = ps: ", psItems(m.EnvBySystem[s]), ";")
			if m.Swap != nil {
				p.list("reused = ps: ", psItems(m.ReusedBySystem[s]), ";")
			}
			p.close("};")
		}
		p.close("};")
		if guarded {
			p.line("here = perSystem.${system} or (" + g.elsewhereThrow() + ");")
		} else {
			p.line("here = perSystem.${system};")
		}
	case guarded && m.partial():
		p.line("# The systems req2nix resolved this environment for; any other stops with why.")
		p.open("supported = {")
		for _, s := range m.Systems {
			if why, failed := m.Failed[s]; failed {
				p.line(nixAttr(s) + " = " + failedThrow(s, why) + ";")
			} else {
				p.bind(s, "true")
			}
		}
		p.close("};")
	}
}

// needsSystem reports whether the system bindings refer to system.
func (g *gen) needsSystem(guarded bool) bool {
	return g.m.differs() || guarded && g.m.partial()
}

// writeGuard writes the assertion that stops on a system the output has
// no environment for (the supported guard; perSystem's here does it
// itself).
func (g *gen) writeGuard(p *printer) {
	if g.m.partial() && !g.m.differs() {
		p.line("assert supported.${system} or (" + g.elsewhereThrow() + ");")
	}
}

// failedThrow is the throw of a system that failed to resolve.
func failedThrow(system, why string) string {
	return "throw " + nixString("req2nix: no environment for "+system+": "+why)
}

// elsewhereThrow is the throw for a system the output was not resolved
// for: which it was resolved for, and how to add the one evaluating it.
func (g *gen) elsewhereThrow() string {
	const placeholder = "@SYSTEM@"
	fix := ": add --platform " + placeholder + " to the Regenerate command in the header"
	if !g.m.partial() {
		fix = " (req2nix resolves for these four only)"
	}
	msg := nixString("req2nix: resolved for " + strings.Join(g.m.Systems, ", ") + ", not for " + placeholder + fix)
	return "throw " + strings.ReplaceAll(msg, placeholder, "${system}")
}

// writeWithPackages writes the environment in mkShell's packages.
func (g *gen) writeWithPackages(p *printer) {
	g.writeEnv(p, "(", "python", ")", nil)
}

// writeEnv writes prefix + python.withPackages (...) + suffix: the shared
// attributes and extra items, and the system's own when anything differs
// between systems.
func (g *gen) writeEnv(p *printer, prefix, python, suffix string, extra []string) {
	head := prefix + python + ".withPackages "
	shared := append(psItems(g.m.SharedEnv), extra...)
	switch {
	case !g.m.differs():
		p.list(head+"(ps: ", shared, ")"+suffix)
	case len(shared) == 0:
		p.line(head + "here.packages" + suffix)
	default:
		p.open(head + "(")
		p.line("ps:")
		p.list("", shared, "")
		p.line("++ here.packages ps")
		p.close(")" + suffix)
	}
}

// psItems turns attributes into ps.<attr> references.
func psItems(attrs []string) []string {
	items := make([]string, len(attrs))
	for i, a := range attrs {
		items[i] = "ps." + nixAttr(a)
	}
	return items
}

// envComment describes the environment for overlay.nix's header: the
// shared attributes, then each system's own (under an interpreter swap,
// the reused packages too: the overlay builds them all).
func (g *gen) envComment(python string) string {
	shared, bySystem := g.m.SharedEnv, g.m.EnvBySystem
	if g.m.Swap != nil {
		shared = slices.Sorted(slices.Values(append(slices.Clone(shared), g.m.Swap.Reused...)))
		bySystem = map[string][]string{}
		for _, s := range g.m.Resolved {
			bySystem[s] = slices.Sorted(slices.Values(append(slices.Clone(g.m.EnvBySystem[s]), g.m.ReusedBySystem[s]...)))
		}
	}
	s := python + ".withPackages (ps: [ " + strings.Join(psItems(shared), " ") + " ])"
	for _, sys := range g.m.Resolved {
		if extra := bySystem[sys]; len(extra) > 0 {
			s += "; on " + sys + " also " + strings.Join(psItems(extra), " ")
		}
	}
	return s
}

// linuxWheel reports whether a wheel is built for Linux (an ELF binary).
func linuxWheel(filename string) bool {
	w, err := tags.ParseWheel(filename)
	if err != nil {
		return false
	}
	for _, plat := range w.Platform {
		if strings.Contains(plat, "linux") {
			return true
		}
	}
	return false
}
