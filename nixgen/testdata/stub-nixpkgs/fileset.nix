# The stub's lib.fileset: unions, maybeMissing and toSource with the
# checks of nixpkgs' lib/fileset (paths, not strings; existing paths; every
# file under the root), with nixpkgs' messages. toSource returns a source
# whose outPath is a store path (not copied) and which lists its paths, for
# the tests.
let
  isFileset = v: builtins.isAttrs v && (v._type or null) == "fileset";
  describe = v: if builtins.isString v then "a string" else "a ${builtins.typeOf v}";
  element =
    fn: i: v:
    if isFileset v then
      v.paths
    else if !(builtins.isPath v) then
      throw "lib.fileset.${fn}: Element ${toString i} (${toString v}) is ${describe v}, but it should be a file set or a path instead."
    else if !(builtins.pathExists v) then
      throw "lib.fileset.${fn}: Element ${toString i} (${toString v}) is a path that does not exist. To create a file set from a path that may not exist, use `lib.fileset.maybeMissing`."
    else
      [ v ];
  under = root: p: p == root || builtins.substring 0 (builtins.stringLength "${toString root}/") (toString p) == "${toString root}/";
in
{
  unions =
    list:
    assert builtins.isList list || throw "lib.fileset.unions: Argument is ${describe list}, but it should be a list instead.";
    {
      _type = "fileset";
      paths = builtins.concatLists (builtins.genList (i: element "unions" i (builtins.elemAt list i)) (builtins.length list));
    };
  maybeMissing =
    p:
    assert builtins.isPath p || throw "lib.fileset.maybeMissing: Argument (${toString p}) is ${describe p}, but it should be a path instead.";
    {
      _type = "fileset";
      paths = if builtins.pathExists p then [ p ] else [ ];
    };
  toSource =
    { root, fileset }:
    let
      paths = if isFileset fileset then fileset.paths else element "toSource" 0 fileset;
      outside = builtins.filter (p: !under root p) paths;
    in
    assert
      builtins.isPath root
      || throw "lib.fileset.toSource: `root` (${toString root}) is ${describe root}, but it should be a path instead.";
    assert
      builtins.pathExists root && (builtins.readDir (dirOf root)).${baseNameOf root} or null == "directory"
      || throw "lib.fileset.toSource: `root` (${toString root}) is not a directory that exists.";
    assert
      outside == [ ]
      || throw "lib.fileset.toSource: `fileset` could contain files in ${toString (builtins.head outside)}, which is not under the `root` (${toString root}). Potential solutions: Set `root` to a directory that contains all files of `fileset`.";
    {
      _type = "fileset-source";
      inherit root;
      paths = map toString paths;
      outPath = "/nix/store/${
        builtins.substring 0 32 (builtins.hashString "sha256" (builtins.toJSON (map toString paths)))
      }-source";
    };
}
