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

  # ---- for req2nix's recipes (nixgen/recipes.go) ----
  filterAttrs =
    pred: set:
    builtins.listToAttrs (
      builtins.concatMap (
        name:
        if pred name set.${name} then
          [
            {
              inherit name;
              value = set.${name};
            }
          ]
        else
          [ ]
      ) (builtins.attrNames set)
    );
  # lib/customisation.nix: result.override re-calls f with the arguments
  # updated (a set, or a function of the old arguments).
  makeOverridable =
    f: origArgs:
    f origArgs
    // {
      override =
        newArgs: makeOverridable f (origArgs // (if builtins.isFunction newArgs then newArgs origArgs else newArgs));
    };
  # lib/strings.nix
  escapeShellArg =
    arg:
    let
      string = toString arg;
    in
    if builtins.match "[[:alnum:],._+:@%/-]+" string == null then
      "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] string}'"
    else
      string;
  escapeShellArgs = args: builtins.concatStringsSep " " (map escapeShellArg args);
  # lib/meta.nix, stricter: nixpkgs only warns without meta.mainProgram.
  getExe =
    drv:
    "${drv}/bin/${
      drv.meta.mainProgram or (throw "stub lib.getExe: ${drv.name or "?"} has no meta.mainProgram")
    }";
  fileset = import ./fileset.nix;
}
