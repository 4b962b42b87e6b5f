# Summarises a stub python environment for the Go test: every package of the
# closure with its version, source fetch, format, checks, patches, source
# hooks, import check, dependencies and build-system (by pname; forcing
# them proves they exist).
env:
assert env.type == "python-env" || throw "inspect: not a python environment";
{
  python = env.python.pythonAttr;
  packages = map (p: {
    inherit (p)
      pname
      version
      format
      doCheck
      ;
    # A local path is reported as "path:<absolute path>" (not copied).
    url = if builtins.isPath p.src then "path:" + toString p.src else p.src.url;
    hash = if builtins.isPath p.src then "" else p.src.hash;
    sourceRoot = p.sourceRoot or null;
    patches = builtins.length p.patches;
    dependencies = map (d: d.pname) p.dependencies;
    build-system = map (d: d.pname) p.build-system;
    nativeBuildInputs = map (d: d.name) p.nativeBuildInputs;
    inherit (p) sourceHooks pythonImportsCheck;
  }) env.packages;
}
