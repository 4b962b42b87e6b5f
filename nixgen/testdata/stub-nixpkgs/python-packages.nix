# The stub's Python package set, shaped like nixpkgs' python-packages.nix:
# packages with pnames (sometimes not the attribute name), versions and
# dependencies; a versioned pair (django_4/django_5 with django = django_4);
# an alias (Babel); and attributes the index must skip: a broken package,
# a throwing (removed) attribute, null, helpers.
{
  buildPythonPackage,
  fetchPypi,
  pyfinal,
}:
let
  fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  mk =
    pname: version: dependencies:
    buildPythonPackage {
      inherit pname version dependencies;
      pyproject = true;
      src = fetchPypi {
        inherit pname version;
        hash = fakeHash;
      };
      build-system = [ pyfinal.setuptools ];
    };
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
  blinker = mk "blinker" "1.9.0" [ ];
  click = mk "click" "7.1.1" [ ];
  # Legacy style, as many nixpkgs expressions still are: format and
  # propagatedBuildInputs instead of pyproject and dependencies.
  flask = buildPythonPackage {
    pname = "flask";
    version = "3.1.0";
    format = "setuptools";
    src = fetchPypi {
      pname = "flask";
      version = "3.1.0";
      hash = fakeHash;
    };
    propagatedBuildInputs = [
      pyfinal.blinker
      pyfinal.click
      pyfinal.itsdangerous
      pyfinal.jinja2
      pyfinal.werkzeug
    ];
    patches = [ "fix-tests.patch" ];
  };
  itsdangerous = mk "itsdangerous" "2.2.0" [ ];
  jinja2 = mk "jinja2" "2.11.2" [ pyfinal.markupsafe ];
  markupsafe = mk "MarkupSafe" "1.1.1" [ ];
  werkzeug = mk "werkzeug" "3.1.3" [ pyfinal.markupsafe ];
  certifi = mk "certifi" "2025.1.31" [ ];
  idna = mk "idna" "3.10" [ ];
  urllib3 = mk "urllib3" "2.3.0" [ ];
  requests = mk "requests" "2.32.3" [
    pyfinal.certifi
    pyfinal.idna
    pyfinal.urllib3
  ];
  six = mk "six" "1.17.0" [ ];
  babel = mk "babel" "2.17.0" [ ];
  Babel = pyfinal.babel;
  pyjwt = mk "PyJWT" "2.10.1" [ ];
  django = pyfinal.django_4;
  django_4 = mk "django" "4.2.20" [ ];
  django_5 = mk "django" "5.1.7" [ ];
  broken-pkg = (mk "broken-pkg" "1.0" [ ]) // {
    meta.broken = true;
  };
  removed-pkg = throw "removed-pkg has been removed from nixpkgs";
  typing = null;
  bootstrap = {
    setuptools = pyfinal.setuptools;
  };
  pytest7CheckHook = {
    type = "hook";
  };
}
