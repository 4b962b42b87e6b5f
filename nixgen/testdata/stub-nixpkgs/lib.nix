# The few nixpkgs lib functions the stub and flake.nix use, with nixpkgs'
# semantics (lib/fixed-points.nix, lib/attrsets.nix).
rec {
  fix =
    f:
    let
      x = f x;
    in
    x;
  extends =
    f: rattrs: self:
    let
      super = rattrs self;
    in
    super // f self super;
  genAttrs =
    names: f:
    builtins.listToAttrs (
      map (n: {
        name = n;
        value = f n;
      }) names
    );
}
