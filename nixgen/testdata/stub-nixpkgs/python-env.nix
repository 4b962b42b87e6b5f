# python.withPackages of the stub: the closure of the listed packages over
# their dependencies, failing like pythonCatchConflictsHook when one project
# appears at two versions and like validatePythonMatches when a package was
# built for another interpreter.
{ python, packages }:
let
  key = p: p.pname;
  closure = builtins.genericClosure {
    startSet = map (p: {
      key = key p;
      pkg = p;
    }) packages;
    operator =
      item:
      map (d: {
        key = key d;
        pkg = d;
      }) item.pkg.dependencies;
  };
  # genericClosure keeps the first package per pname; a second one at
  # another version is a conflict.
  all = builtins.concatMap (item: [ item.pkg ] ++ item.pkg.dependencies) closure ++ packages;
  versionOf = builtins.listToAttrs (
    map (item: {
      name = key item.pkg;
      value = item.pkg.version;
    }) closure
  );
  check =
    p:
    if versionOf.${key p} != p.version then
      throw "conflict: ${key p} at ${versionOf.${key p}} and ${p.version}"
    else if p.pythonModule != python.pythonAttr then
      throw "${key p} was built for ${p.pythonModule}, not ${python.pythonAttr}"
    else
      true;
in
assert builtins.all check all;
rec {
  type = "python-env";
  # as wrapper.nix's passthru: the interpreter, and the wrapped executable
  inherit python;
  name = "${python.name}-env";
  packages = map (item: item.pkg) closure;
  outPath = "/nix/store/${
    builtins.substring 0 32 (builtins.hashString "sha256" (builtins.toJSON (map (p: p.outPath) packages)))
  }-${name}";
  interpreter = "${outPath}/bin/${python.executable}";
}
