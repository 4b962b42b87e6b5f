# A CPython attribute of the stub: override { self; packageOverrides; } with
# nixpkgs' semantics (passthrufun.nix): the package set is the fixpoint of
# the base set extended by packageOverrides, and withPackages uses `self`'s
# set, which is the original interpreter unless `self` is passed — so output
# that forgets `self = python` gets nixpkgs' versions, as with real nixpkgs.
{
  lib,
  fetchPypi,
  pythonAttr,
  pythonVersion,
  packageSet,
}:
let
  make =
    {
      self ? null,
      packageOverrides ? (pyfinal: pyprev: { }),
    }@args:
    let
      interpreter = {
        type = "python-interpreter";
        inherit pythonAttr;
        version = pythonVersion;
        pkgs = lib.fix (
          lib.extends packageOverrides (
            pyfinal:
            packageSet {
              inherit fetchPypi pyfinal;
              buildPythonPackage = import ./build-python-package.nix { python = effective; };
            }
          )
        );
        override = newArgs: make (args // newArgs);
        withPackages = f: import ./python-env.nix { python = effective; packages = f effective.pkgs; };
      };
      effective = if self == null then original else self;
    in
    interpreter;
  original = make { };
in
original
