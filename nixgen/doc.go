// Package nixgen turns a resolver.Resolution into Nix: shell.nix, flake.nix,
// overlay.nix (the packageOverrides function alone) or a JSON report. It owns
// the nixpkgs index (which PyPI projects nixpkgs' Python package set already
// has, at which version, with which dependencies), the plan (every decision
// about the output) and every rule of the emitted Nix.
//
// # The index
//
// An Index maps PEP 503-normalised names to attributes of one package set
// (pkgs.python312.pkgs, ...), matched on the derivation's normalised pname.
// When several attributes share a pname (django, django_4, django_5; an
// alias and its target) the canonical one is the attribute spelled as the
// normalised name, then one that normalises to it, then the shortest, then
// the first in byte order; an attribute shipping exactly the resolved
// version is preferred over the canonical one. Sources: LoadIndexFile (a
// user's JSON file), EvalIndex (nix-instantiate and walker.nix over the
// pinned nixpkgs: pnames, versions, run-time dependencies and build-system
// by attribute, availability on the four systems; cached per pin and
// interpreter in the text format of indexcache.go, which loads ~9,000
// attributes in milliseconds; failures remembered for FailureTTL) and
// EmbeddedIndex (attribute names only, the fallback). Index.Source says
// which; ForPlatform hides packages not available on the target system.
//
// # The pin
//
// Pin is the nixpkgs the output builds on: DefaultPin (nixos-26.05), a
// channel resolved by ResolveChannel (its revision, and the NAR hash of its
// tarball computed here, nar.go), the nixpkgs input of a flake.lock
// (PinFromFlakeLock), a revision with its hash, or a local checkout. Every
// output records it in a "# req2nix-nixpkgs:" header line that ReadPin
// reads back, so a re-run keeps it. What is known of each release (its
// interpreters and python3, the oldest Nix that evaluates it, the end of
// its support) is in pin.go.
//
// # The plan
//
// MakePlan is the one step that decides: given the resolution, the index
// and Facts (what must be read from distribution files: an sdist's
// [build-system] requires, a wheel's top-level modules — the caller's
// index client downloads and remembers them; nixgen does no network), it
// returns a Plan, plain data, which Plan.Render writes as shell.nix,
// flake.nix, overlay.nix or the JSON report without deciding anything.
//
// Each package gets a Kind:
//
//   - as-is: nixpkgs ships exactly the resolved version; ps.<attr> is used.
//     Its dependencies are nixpkgs' own, taken from the overridden set (so
//     resolved versions apply); where nixpkgs' list adds a package the
//     resolution lacks, or another version of one it has, Decision.Adds
//     says so (the summary and the report show it).
//   - override: nixpkgs has the project at another or an unknown version
//     and the package is compiled (no pure-Python wheel): nixpkgs' recipe
//     knows its native dependencies, so pyprev.<attr>.overridePythonAttrs
//     re-calls it with version, the sdist as src, the build system of that
//     version's sdist (its [build-system] requires mapped to attributes —
//     setuptools without a pyproject.toml, as pip does —, written with
//     pyproject = true and format = null so that legacy-format recipes take
//     it; nixpkgs' own is kept, with a note, when the sdist cannot be
//     read), dependencies regenerated from the resolution (pyfinal.<dep>;
//     the old propagatedBuildInputs are cleared so nothing outside the
//     resolution enters the environment), doCheck = false (test
//     dependencies are not resolved) and patches = [ ] (written against
//     nixpkgs' version, they rarely apply to another). postPatch and other
//     hooks are kept: a version whose source they no longer fit needs a
//     hand-written override, and Rust-backed packages a new cargoDeps hash.
//   - new: buildPythonPackage. From a pure-Python wheel (py3-none-any,
//     py2.py3-none-any) whenever one exists, also for a project nixpkgs has
//     at another version: the fresh derivation replaces nixpkgs' attribute,
//     so nothing of nixpkgs' source-tree recipe (patches, postPatch,
//     substitutions, written for nixpkgs' version) can break the build, and
//     a wheel needs no build system. Else from the sdist (pyproject = true,
//     build-system from its [build-system] requires, setuptools when there
//     are none or they cannot be read), else, as a last resort, from a
//     binary wheel (patched by autoPatchelfHook when it is a Linux one; each
//     system gets its own wheel). A new
//     project whose normalised name is already an attribute of something
//     else gets the attribute "<name>-pypi". pythonImportsCheck lists the
//     top-level modules of the wheel (its top_level.txt, or its files),
//     without test directories and private modules; it is left out when
//     they are unknown, never written empty.
//
// setuptools, pip and wheel are the exception: nixpkgs' own are always
// used, because nixpkgs builds nearly every package with them, so an
// override would rebuild the whole set and break their bootstrap.
// FixedVersions gives their versions to the resolver (resolver.Fixed), so
// the resolution, the lock lines and the environment agree; a requirement
// nixpkgs' version does not meet is a resolution failure naming nixpkgs.
//
// Binary cache: an as-is package comes from the binary cache only when
// nothing in its nixpkgs dependency closure — run-time dependencies and
// build systems, followed through nixpkgs packages outside the resolution
// too — is overridden or built new; otherwise its inputs changed and Nix
// rebuilds it (Decision.Cache, RebuiltBecause). That needs the index's
// dependency edges (Entry.Dependencies, BuildSystem); without them the
// as-is packages are CacheUnknown, an upper bound of the hits.
//
// Edges of dependency cycles are dropped (Nix cannot build mutually
// dependent derivations); every resolved package is listed in
// withPackages anyway, so the environment still holds all of them.
//
// # Fetching
//
// Every src is hash-pinned (SRI sha256 from the index's hex digest).
// pkgs.fetchPypi is used for an sdist when it fetches the very same file:
// fetchPypi asks for mirror://pypi/<c>/<pname>/<pname>-<version>.<ext>,
// i.e. https://files.pythonhosted.org/packages/source/..., which PyPI
// (pypa/conveyor) redirects to the file of project <pname> with exactly
// that filename. So the file must come from files.pythonhosted.org (the
// hashed storage path the JSON API gives, or the source path), and pname,
// version and extension are taken from the filename as written (Jinja2,
// scikit_learn), in plain ASCII, with pname normalising to the project.
// Wheels use fetchPypi only when their URL is already fetchPypi's
// /packages/<dist>/<c>/<pname>/<file> (the <dist> segment is PyPI's
// python_version, which a hashed URL does not reveal). Everything else —
// other hosts, file:// mirrors, odd filenames — uses pkgs.fetchurl with
// the index's exact URL.
//
// Direct references (resolver.Package.DirectURL, see direct.go) are never
// nixpkgs' package as is: an https archive is fetched like an index file
// with the sha256 the resolver pinned; a local directory or archive is a
// Nix path relative to PlanOptions.OutputDir ("./pkg", or ./. + "/name"
// when a path literal cannot spell it), which Nix hashes by content; a git
// commit the resolver checked out (resolver.Package.Source with a
// TreeHash) is pkgs.fetchgit { url; rev; hash; fetchSubmodules = false; }
// — a fixed-output fetch pinned by the checkout's NAR hash — and one known
// by its commit alone is builtins.fetchGit { url; rev; allRefs = true; }
// (allRefs: the commit need not be on the default branch), either with
// sourceRoot for a subdirectory. A source tree's [build-system] requires
// come from its pyproject.toml.
//
// # Output
//
// shell.nix takes nixpkgs (a fetchTarball of Pin with its sha256, or a
// local path) and pkgs as arguments with defaults, so a local nixpkgs can
// be substituted; it builds python = pkgs.pythonXY.override { self =
// python; packageOverrides; } (self, or withPackages would ignore the
// overrides) and pkgs.mkShell with python.withPackages listing every
// resolved package. flake.nix pins the same rev and defines devShells for
// the systems that resolved; overlay.nix is { pkgs }: followed by the
// packageOverrides function.
//
// # Several systems
//
// A plan is for one system. MergePlans merges the plans of the systems of
// a resolver.MultiResolution into a MultiPlan: what every system writes the
// same way is written once, what differs goes into perSystem, keyed by
// pkgs.stdenv.hostPlatform.system (the flake's system argument), and a
// system without an environment throws there naming why (emit_systems.go
// shows the layout). Plan.Render is the one-system case. A package nixpkgs
// does not support on a system (Index.ForPlatform) is built new there
// under nixpkgs' attribute. Lock lines of one system read
// "# req2nix-lock SYSTEM: name==version" (ReadSystemPins). The function's text is rendered once and placed, re-indented
// only, in all three. Output is sorted and deterministic, formatted in
// nixfmt's RFC 166 style, and starts with a comment naming the inputs, the
// regenerate command and one "# req2nix-lock: name==version" line per
// package, which ReadPins reads back (as it reads the JSON report, see
// Report and SchemaVersion); a direct reference's line goes on with
// url=, rev= and hash= (git) or sha256= (an archive), which
// ReadDirectPins reads back (lockpins.go).
//
// # Interpreters and recipes
//
// ParsePythonRequest reads --python and .python-version (pyenv's and uv's
// forms): a minor version is the pin's interpreter, an exact release is
// built from source with the hash of the embedded CPython release table
// (cpython_releases.json, generated from pyenv's definitions; see
// LookupCPython), "t" is the free-threading build. recipes*.go render the
// Nix around an environment from plain data: an exact release or the
// optimized build as a nixpkgs overlay (InterpreterOverlay), the check
// that the shell runs the interpreter asked for, a free-threading
// environment reusing the binary-cached pure packages (InterpreterSwap,
// SplitForSwap, CompiledCode), pip for what Nix cannot build
// (PipFallback, FHSEnv) and the project as an application (App).
//
// ChooseInterpreter turns the request (and --interpreter) into the
// target: which of the pin's package sets the index describes, which
// attribute the environment runs, the version to resolve for;
// InterpreterTarget.Interpreter then decides, once the pin's exact
// version is known, whether an interpreter is defined (an exact release
// the pin lacks, FetchCPythonRelease hashing one the table lacks; the
// optimized build) or swapped in. MakePlan records the recipes in the
// plan (recipes_plan.go): the KindPip packages and why (planPip), which
// packages a swapped interpreter rebuilds or reuses (planSwap, over
// nixpkgs' own edges), the application (planApp), and CacheInterpreter for
// as-is packages built for an interpreter the binary cache lacks. The
// renderers write them (recipes_emit.go): the overlay in pkgs' overlays, a
// pythonEnv binding, the shell's hook, the flake's checks, packages and
// apps, default.nix (FormatApp), and overlay.nix as a nixpkgs overlay for
// a defined interpreter. A plan without recipes renders as before.
//
// Everything from an index is untrusted: it only ever appears inside
// escaped Nix string literals ("\\", "\"", "${" escaped), attribute names
// are quoted unless they are plain identifiers and not keywords, values in
// comments are %-encoded, and values Nix cannot hold (NUL, invalid UTF-8)
// are refused.
package nixgen
