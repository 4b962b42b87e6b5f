# A stub nixpkgs for req2nix's tests: just the interfaces req2nix's output
# uses (fetchurl, fetchPypi, fetchgit, mkShell, autoPatchelfHook,
# stdenv.cc.cc.lib, pythonXY with override/pkgs/withPackages), written to
# fail where nixpkgs would. Nothing is built: fetches and derivations are plain attribute sets
# the tests inspect.
{
  config ? { },
  overlays ? [ ],
  system ? "x86_64-linux",
  # A list of { attr, pname, version, dependencies } replacing the stub's
  # own package set (see listed-packages.nix); null for python-packages.nix.
  pythonPackages ? null,
}:
assert config == { } || config == { allowAliases = false; } || throw "stub: unexpected config";
assert overlays == [ ] || throw "stub: overlays are not supported";
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
  python =
    pythonAttr: pythonVersion:
    import ./python.nix {
      inherit
        lib
        fetchPypi
        pythonAttr
        pythonVersion
        ;
      packageSet =
        if pythonPackages == null then
          import ./python-packages.nix
        else
          import ./listed-packages.nix pythonPackages;
    };
in
{
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
  mkShell =
    {
      packages ? [ ],
    }:
    {
      type = "shell";
      inherit packages system;
    };
  python312 = python "python312" "3.12.10";
  python313 = python "python313" "3.13.3";
}
