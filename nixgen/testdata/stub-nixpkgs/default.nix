# A stub nixpkgs for req2nix's tests: just the interfaces req2nix's output
# uses (fetchurl, fetchPypi, fetchgit, mkShell, autoPatchelfHook,
# stdenv.cc.cc.lib, pythonXY with override/pkgs/withPackages; for the recipes of
# nixgen/recipes.go: nixpkgs overlays, the interpreters as nixpkgs'
# cpython expression makes them, runCommand, writeText, buildFHSEnv,
# lib.fileset), written to fail where nixpkgs would. Nothing is built:
# fetches and derivations are plain attribute sets the tests inspect.
{
  config ? { },
  overlays ? [ ],
  system ? "x86_64-linux",
  # A list of { attr, pname, version, dependencies } replacing the stub's
  # own package set (see listed-packages.nix); null for python-packages.nix.
  pythonPackages ? null,
}:
assert config == { } || config == { allowAliases = false; } || throw "stub: unexpected config";
assert builtins.all builtins.isFunction overlays || throw "stub: an overlay is not a function";
let
  lib = import ./lib.nix;
  isSRI = h: builtins.match "sha256-[A-Za-z0-9+/]{43}=" h != null;
  fetchurl =
    {
      url,
      hash ? "",
      sha256 ? "",
    }:
    assert isSRI hash || throw "stub fetchurl ${url}: hash ${hash} is not an SRI sha256";
    assert sha256 == "" || throw "stub fetchurl ${url}: give hash, not sha256";
    {
      type = "fetched";
      inherit url hash;
    };
  fetchPypi = import ./fetchpypi.nix { inherit fetchurl; };
  fetchgit = import ./fetchgit.nix;
  packageSet =
    if pythonPackages == null then import ./python-packages.nix else import ./listed-packages.nix pythonPackages;
  # callPackage: the function's arguments from the package set, overridable.
  callPackageWith =
    final: fn: args:
    let
      f = if builtins.isFunction fn then fn else import fn;
    in
    lib.makeOverridable f (builtins.intersectAttrs (builtins.functionArgs f) final // args);
  # The CPythons of the nixos-25.05 table (nixgen/python.go), defined as
  # interpreters/python/default.nix and all-packages.nix define them.
  cpython =
    final: attr: major: minor: patch: hash:
    final.callPackage ./cpython.nix {
      inherit hash;
      self = final.${attr};
      passthruFun = import ./passthrufun.nix {
        inherit lib fetchPypi packageSet;
        inherit (final) runCommand;
      };
      sourceVersion = {
        inherit major minor patch;
        suffix = "";
      };
    };
  base = final: {
    inherit
      lib
      fetchurl
      fetchPypi
      fetchgit
      system
      ;
    autoPatchelfHook = {
      type = "hook";
      name = "autoPatchelfHook";
    };
    stdenv.cc.cc.lib = {
      type = "library";
      name = "libstdc++";
    };
    stdenv.hostPlatform = {
      inherit system;
      isLinux = builtins.elem system [
        "x86_64-linux"
        "aarch64-linux"
      ];
      isDarwin = builtins.elem system [
        "x86_64-darwin"
        "aarch64-darwin"
      ];
    };
    mkShell =
      {
        packages ? [ ],
        shellHook ? "",
      }:
      assert builtins.isString shellHook;
      {
        type = "shell";
        inherit packages shellHook system;
      };
    # ---- for req2nix's recipes (nixgen/recipes.go) ----
    callPackage = callPackageWith final;
    pkgsBuildHost = final; # a native build: the build-side set is this one
    inherit (import ./build-support.nix { inherit lib system; pkgs = final; }) runCommand writeText buildFHSEnv;
    zlib = {
      type = "library";
      name = "zlib";
      outPath = "/nix/store/00000000000000000000000000000000-zlib";
    };
    python311 = cpython final "python311" "3" "11" "12" "sha256-hJ2oevTfE3cQwXluJ2qVX3qFyflxCBBnyPVl0Vw1Kgk=";
    python312 = cpython final "python312" "3" "12" "10" "sha256-B6tpdHRZXgbwZkdBfTx/qX3tB6/Bp+RFTFY5kZtG6uo=";
    python313 = cpython final "python313" "3" "13" "3" "sha256-QPhovL3rgUmjFJWAu5v9QHszIc1I8L5jGvlVrJLA4EE=";
    python313FreeThreading = final.python313.override {
      enableGIL = false;
      pythonAttr = "python313FreeThreading";
      self = final.python313FreeThreading;
    };
  };
in
lib.fix (builtins.foldl' (acc: overlay: lib.extends overlay acc) base overlays)
