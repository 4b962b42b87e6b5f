# Summarises a stub python environment for the Go test: every package of the
# closure with its version, source fetch, format, checks, patches,
# dependencies and build-system (by pname; forcing them proves they exist).
env:
assert env.type == "python-env" || throw "inspect: not a python environment";
{
  python = env.python;
  packages = map (p: {
    inherit (p)
      pname
      version
      format
      doCheck
      ;
    url = p.src.url;
    hash = p.src.hash;
    patches = builtins.length p.patches;
    dependencies = map (d: d.pname) p.dependencies;
    build-system = map (d: d.pname) p.build-system;
    nativeBuildInputs = map (d: d.name) p.nativeBuildInputs;
  }) env.packages;
}
