// Package nixgen turns a resolver.Resolution into Nix: shell.nix, flake.nix,
// overlay.nix (the packageOverrides function alone) or a JSON report. It owns
// the nixpkgs index (which PyPI projects nixpkgs' Python package set already
// has, and at which version) and every rule of the emitted Nix.
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
// user's JSON file), EvalIndex (nix-instantiate over a nixpkgs, cached) and
// EmbeddedIndex (names only, for DefaultPin). Index.Source says which.
//
// # Decisions
//
// Plan gives each package a Kind:
//
//   - as-is: nixpkgs ships exactly the resolved version; ps.<attr> is used
//     and nothing is rebuilt (binary-cache hit) unless a dependency is
//     overridden. Its dependencies are nixpkgs' own, taken from the
//     overridden set (so resolved versions apply); where nixpkgs adds one
//     the resolution lacks (an optional extra it enables), the environment
//     holds that too.
//   - override: nixpkgs has the project at another or an unknown version:
//     pyprev.<attr>.overridePythonAttrs re-calls nixpkgs' expression with
//     version, the sdist as src, dependencies regenerated from the
//     resolution (pyfinal.<dep>; the old propagatedBuildInputs are cleared so
//     nothing outside the resolution enters the environment), doCheck =
//     false (test dependencies are not resolved) and patches = [ ]. Patch
//     policy: nixpkgs' patches are written against nixpkgs' version and
//     rarely apply to another, so they are all dropped; postPatch and
//     build-system are kept (build-system is usually right; a project that
//     changed backend between versions needs a hand-written override, and
//     Rust-backed packages need a new cargoDeps hash).
//   - new: buildPythonPackage — from a pure-Python wheel when one exists
//     (format = "wheel": no build system needed), else from the sdist
//     (pyproject = true; build-system from Options.BuildRequires when the
//     caller read the sdist's [build-system] requires, else [
//     pyfinal.setuptools ], the PEP 517 fallback backend), else, as a last
//     resort, from a binary wheel patched by autoPatchelfHook (it then only
//     runs on the wheel's platform, so flake.nix then offers that system
//     alone). A project nixpkgs has but which offers only wheels
//     replaces nixpkgs' attribute this way. A new project whose normalised
//     name is already an attribute of something else gets the attribute
//     "<name>-pypi".
//
// setuptools, pip and wheel are the exception: nixpkgs' own are used
// whatever version was resolved (with a note), because nixpkgs builds nearly
// every package with them, so an override would rebuild the whole set and
// break their bootstrap.
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
// Nix path relative to Options.OutputDir ("./pkg", or ./. + "/name" when a
// path literal cannot spell it), which Nix hashes by content; a git commit
// is builtins.fetchGit { url; rev; allRefs = true; } (allRefs: the commit
// need not be on the default branch) with sourceRoot for a subdirectory.
// A directory's [build-system] requires come from its pyproject.toml.
//
// # Output
//
// shell.nix takes nixpkgs (a fetchTarball of Pin with its sha256, or a
// local path) and pkgs as arguments with defaults, so a local nixpkgs can
// be substituted; it builds python = pkgs.pythonXY.override { self =
// python; packageOverrides; } (self, or withPackages would ignore the
// overrides) and pkgs.mkShell with python.withPackages listing every
// resolved package. flake.nix pins the same rev and defines devShells for
// four systems; overlay.nix is { pkgs }: followed by the packageOverrides
// function. The function's text is rendered once and placed, re-indented
// only, in all three. Output is sorted and deterministic, formatted in
// nixfmt's RFC 166 style, and starts with a comment naming the inputs, the
// regenerate command and one "# req2nix-lock: name==version" line per
// package, which ReadPins reads back (as it reads the JSON report, see
// Report and SchemaVersion).
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
// Everything from an index is untrusted: it only ever appears inside
// escaped Nix string literals ("\\", "\"", "${" escaped), attribute names
// are quoted unless they are plain identifiers and not keywords, values in
// comments are %-encoded, and values Nix cannot hold (NUL, invalid UTF-8)
// are refused.
package nixgen
