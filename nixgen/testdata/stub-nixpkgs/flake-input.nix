# The stub as a flake input: what flake.nix's outputs use of nixpkgs.
{
  pythonPackages ? null,
}:
let
  lib = import ./lib.nix;
in
{
  inherit lib;
  # A flake input is also a source tree: `import nixpkgs { inherit system;
  # overlays; }` (how a flake applies an overlay) imports ./default.nix.
  outPath = ./.;
  legacyPackages = lib.genAttrs [
    "aarch64-darwin"
    "aarch64-linux"
    "x86_64-darwin"
    "x86_64-linux"
  ] (system: import ./. { inherit system pythonPackages; });
}
