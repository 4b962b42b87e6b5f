# Lists the Python packages of one nixpkgs package set for req2nix's index.
# Called as: nix-instantiate --eval --strict --json walker.nix
#   --arg nixpkgs <path or fetchTarball expression> --argstr pythonAttr python313
#   --arg systems '[ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]'
# The set is read on the first system; every attribute is probed under
# builtins.tryEval, so attributes that throw (removed packages,
# unsupported interpreters) are skipped rather than aborting the walk.
# Per package it reports pname and version; the Python packages it
# propagates at run time (dependencies / propagatedBuildInputs) and its
# build-system, each as [ pname version ] pairs that req2nix maps back to
# attributes; and the systems it is available on (meta.platforms,
# meta.badPlatforms, meta.broken, evaluated with nixpkgs imported for each
# system, as a build there would). Attributes that are not overridable
# Python packages are listed under other_attrs.
{
  nixpkgs,
  pythonAttr,
  systems,
}:
let
  importFor =
    system:
    import nixpkgs {
      inherit system;
      # Aliases are deprecated names that may throw; nixpkgs never uses them.
      config = {
        allowAliases = false;
      };
      overlays = [ ];
    };
  primarySystem = builtins.head systems;
  pkgs = importFor primarySystem;
  lib = pkgs.lib or { };
  python = pkgs.${pythonAttr};
  ps = python.pkgs;
  setOn = builtins.listToAttrs (
    map (system: {
      name = system;
      value = if system == primarySystem then ps else (importFor system).${pythonAttr}.pkgs;
    }) systems
  );
  # nixpkgs' own platform matching (meta.platforms may hold patterns such as
  # { kernel.name = "linux"; }); a nixpkgs without it is matched by name.
  elaborate = lib.systems.elaborate or (system: { inherit system; });
  platformMatch =
    lib.meta.platformMatch or (platform: elem: builtins.isString elem && elem == platform.system);
  platformOf = builtins.listToAttrs (
    map (system: {
      name = system;
      value = elaborate system;
    }) systems
  );
  availableOn =
    system: v:
    let
      platform = platformOf.${system};
      meta = v.meta or { };
    in
    !(meta.broken or false)
    && (!(meta ? platforms) || builtins.any (platformMatch platform) meta.platforms)
    && !(builtins.any (platformMatch platform) (meta.badPlatforms or [ ]));
  isPackage =
    v:
    builtins.isAttrs v
    && v ? pname
    && v ? version
    && v ? overridePythonAttrs
    && builtins.isString v.pname
    && builtins.isString v.version;
  # A Python module of a package set: what buildPythonPackage propagates
  # (the interpreter and non-Python inputs are skipped).
  isModule =
    d:
    builtins.isAttrs d
    && d ? pythonModule
    && !(builtins.isBool d.pythonModule)
    && d ? pname
    && d ? version;
  refs =
    ds:
    map (d: [
      d.pname
      d.version
    ]) (builtins.filter isModule ds);
  # x fully evaluated, or null when it throws.
  try =
    x:
    let
      r = builtins.tryEval (builtins.deepSeq x x);
    in
    if r.success then r.value else null;
  usableOn =
    attr: system:
    let
      r = builtins.tryEval (
        let
          v = setOn.${system}.${attr};
        in
        isPackage v && availableOn system v
      );
    in
    r.success && r.value;
  describe =
    attr: v:
    {
      inherit attr;
      inherit (v) pname version;
      # buildPythonPackage propagates dependencies and the legacy
      # propagatedBuildInputs together.
      dependencies = try (refs (v.propagatedBuildInputs or v.dependencies or [ ]));
      build_system = if v ? build-system then try (refs v.build-system) else null;
      platforms = builtins.filter (usableOn attr) systems;
    };
  probe =
    attr:
    let
      r = builtins.tryEval (
        let
          v = ps.${attr};
        in
        if isPackage v then
          builtins.deepSeq [
            v.pname
            v.version
          ] (describe attr v)
        else
          null
      );
    in
    if r.success then r.value else null;
  names = builtins.attrNames ps;
  probed = map (attr: {
    inherit attr;
    entry = probe attr;
  }) names;
in
{
  python_attr = pythonAttr;
  python_version = python.version;
  packages = map (p: p.entry) (builtins.filter (p: p.entry != null) probed);
  other_attrs = map (p: p.attr) (builtins.filter (p: p.entry == null) probed);
}
