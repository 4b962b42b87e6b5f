# A stub package set built from a list of { attr, pname, version,
# dependencies (attribute names) } plus setuptools: for evaluating output
# made against another index (the fixture projects' goldens).
list:
{
  buildPythonPackage,
  fetchPypi,
  pyfinal,
}:
let
  fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  mk =
    p:
    buildPythonPackage {
      inherit (p) pname version;
      pyproject = true;
      src = fetchPypi {
        inherit (p) pname version;
        hash = fakeHash;
      };
      build-system = [ pyfinal.setuptools ];
      dependencies = map (a: pyfinal.${a}) p.dependencies;
    };
  listed = builtins.listToAttrs (
    map (p: {
      name = p.attr;
      value = mk p;
    }) list
  );
in
{
  inherit buildPythonPackage;
  setuptools = buildPythonPackage {
    pname = "setuptools";
    version = "80.9.0";
    pyproject = true;
    src = fetchPypi {
      pname = "setuptools";
      version = "80.9.0";
      hash = fakeHash;
    };
  };
}
// listed
