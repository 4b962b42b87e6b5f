# A nixpkgs-shaped directory for req2nix's walker (walker.nix) and its
# end-to-end tests: a python312/python313 package set whose packages carry
# what the walker reads — pname and version; run-time dependencies the
# modern way (dependencies) and the legacy way (propagatedBuildInputs,
# with the interpreter and a non-Python input mixed in); build-system; and
# meta.platforms, meta.badPlatforms and meta.broken that depend on the
# system nixpkgs is imported for. Versions match fixtures/index.
{
  config ? { },
  overlays ? [ ],
  system ? "x86_64-linux",
}:
assert config == { allowAliases = false; } || throw "walk stub: unexpected config";
assert overlays == [ ] || throw "walk stub: overlays are not supported";
let
  python =
    attr: version:
    let
      interpreter = {
        type = "python-interpreter";
        pythonAttr = attr;
        inherit version;
        pkgs = import ./python-packages.nix {
          inherit system;
          python = interpreter;
          ps = interpreter.pkgs;
        };
      };
    in
    interpreter;
in
{
  lib = { };
  python312 = python "python312" "3.12.11";
  python313 = python "python313" "3.13.5";
}
