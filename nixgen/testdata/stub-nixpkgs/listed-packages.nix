# A stub package set built from a list of { attr, pname, version,
# dependencies and optionally build-system (attribute names; setuptools
# by default) } plus setuptools: for evaluating output made against another
# index (the fixture projects' goldens).
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
    buildPythonPackage (
      {
        inherit (p) pname version;
        pyproject = true;
        src = fetchPypi {
          inherit (p) pname version;
          hash = fakeHash;
        };
        build-system = map (a: pyfinal.${a}) (p.build-system or [ "setuptools" ]);
        dependencies = map (a: pyfinal.${a}) p.dependencies;
      }
      // builtins.intersectAttrs { postPatch = null; } p
    );
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
