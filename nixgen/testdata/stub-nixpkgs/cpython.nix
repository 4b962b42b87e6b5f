# The stub's CPython, standing in for nixpkgs'
# pkgs/development/interpreters/python/cpython/default.nix: the arguments
# req2nix's recipes pass (checked as that expression checks them), the
# version-derived names (version, libPrefix, executable, sitePackages, the
# "t" ABI of enableGIL = false), the source fetch, and the build-side
# splice: pythonOnBuildForHost = pkgsBuildHost.${pythonAttr}.override
# (inputs' // { self }), where inputs' keeps only the int, bool, string,
# path and null arguments (and packageOverrides) — so an interpreter built
# under another interpreter's pythonAttr gets a build-side Python of the
# other version (passthrufun.nix refuses it). callPackage makes it
# overridable.
{
  lib,
  fetchurl,
  pkgsBuildHost,
  hash,
  passthruFun,
  self,
  sourceVersion,
  enableGIL ? true,
  enableLTO ? true,
  enableOptimizations ? false,
  packageOverrides ? (self: super: { }),
  pythonAttr ? "python${sourceVersion.major}${sourceVersion.minor}",
  reproducibleBuild ? false,
}@inputs:
let
  versionParts = [
    "major"
    "minor"
    "patch"
    "suffix"
  ];
  what = "stub cpython (${pythonAttr})";
in
assert
  builtins.isAttrs sourceVersion
  && builtins.attrNames sourceVersion == versionParts
  && builtins.all builtins.isString (builtins.attrValues sourceVersion)
  || throw "${what}: sourceVersion must be { major; minor; patch; suffix; } strings, as nixpkgs' interpreters/python/default.nix writes it";
assert
  builtins.match "sha256-[A-Za-z0-9+/]{43}=" hash != null
  || throw "${what}: hash ${hash} is not an SRI sha256 of the .tar.xz";
assert builtins.isBool enableGIL && builtins.isBool enableOptimizations && builtins.isBool enableLTO;
# cpython/default.nix's own assertion
assert reproducibleBuild -> !enableOptimizations || throw "Deterministic builds are not achieved when optimizations are enabled.";
let
  inherit (sourceVersion)
    major
    minor
    patch
    suffix
    ;
  version = "${major}.${minor}.${patch}${suffix}";
  pythonVersion = "${major}.${minor}";
  abiFlags = if enableGIL then "" else "t";
  libPrefix = "python${pythonVersion}${abiFlags}";
  inputs' = lib.filterAttrs (
    n: v:
    builtins.elem (builtins.typeOf v) [
      "int"
      "bool"
      "string"
      "path"
      "null"
    ]
    || n == "packageOverrides"
  ) inputs;
  override =
    attr:
    let
      python = attr.override (inputs' // { self = python; });
    in
    python;
  passthru = passthruFun {
    inherit
      libPrefix
      packageOverrides
      pythonAttr
      pythonVersion
      self
      sourceVersion
      ;
    executable = "python${pythonVersion}${abiFlags}";
    hasDistutilsCxxPatch = false;
    implementation = "cpython";
    pythonABITags = [
      "abi3"
      "none"
      "cp${major}${minor}${abiFlags}"
    ];
    pythonOnBuildForBuild = override pkgsBuildHost.${pythonAttr};
    pythonOnBuildForHost = override pkgsBuildHost.${pythonAttr};
    pythonOnBuildForTarget = override pkgsBuildHost.${pythonAttr};
    pythonOnHostForHost = override pkgsBuildHost.${pythonAttr};
    pythonOnTargetForTarget = { };
    sitePackages = "lib/${libPrefix}/site-packages";
  };
in
passthru
// {
  type = "derivation";
  pname = "python3";
  name = "python3-${version}";
  inherit
    version
    enableGIL
    enableLTO
    enableOptimizations
    ;
  outPath = "/nix/store/${
    builtins.substring 0 32 (
      builtins.hashString "sha256" (
        builtins.toJSON {
          inherit
            pythonAttr
            version
            hash
            enableGIL
            enableOptimizations
            ;
        }
      )
    )
  }-python3-${version}";
  src = fetchurl {
    inherit hash;
    url = "https://www.python.org/ftp/python/${major}.${minor}.${patch}/Python-${version}.tar.xz";
  };
}
