# Lists the Python packages of one nixpkgs package set for req2nix's index.
# Called as: nix-instantiate --eval --strict --json walker.nix
#   --arg nixpkgs <path or fetchTarball expression> --argstr pythonAttr python312
# Every attribute is probed under builtins.tryEval, so attributes that throw
# (removed packages, unsupported interpreters) are skipped rather than
# aborting the walk; broken packages and attributes that are not
# overridable Python packages are listed under other_attrs.
{ nixpkgs, pythonAttr }:
let
  pkgs = import nixpkgs {
    # Aliases are deprecated names that may throw; nixpkgs never uses them.
    config = {
      allowAliases = false;
    };
    overlays = [ ];
  };
  python = pkgs.${pythonAttr};
  ps = python.pkgs;
  usable =
    v:
    builtins.isAttrs v
    && v ? pname
    && v ? version
    && v ? overridePythonAttrs
    && builtins.isString v.pname
    && builtins.isString v.version
    && !(v.meta.broken or false);
  probe =
    attr:
    let
      r = builtins.tryEval (
        let
          v = ps.${attr};
        in
        if usable v then
          builtins.deepSeq [
            v.pname
            v.version
          ] { inherit attr; inherit (v) pname version; }
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
  source = "evaluated nixpkgs";
  python_attr = pythonAttr;
  python_version = python.version;
  packages = map (p: p.entry) (builtins.filter (p: p.entry != null) probed);
  other_attrs = map (p: p.attr) (builtins.filter (p: p.entry == null) probed);
}
