# The stub's Python package set, shaped like nixpkgs' python-packages.nix:
# packages with pnames (sometimes not the attribute name), versions and
# dependencies; a legacy-style expression; a versioned pair
# (django_4/django_5 with django = django_4); an alias (Babel); and
# attributes the index must skip: a broken package, a throwing (removed)
# attribute, null, helpers.
{
  buildPythonPackage,
  fetchPypi,
  pyfinal,
}@args:
let
  fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  package = attr: pname: version: dependencies: {
    inherit
      attr
      pname
      version
      dependencies
      ;
  };
  simple = import ./listed-packages.nix [
    (package "blinker" "blinker" "1.9.0" [ ])
    (package "click" "click" "7.1.1" [ ])
    (package "itsdangerous" "itsdangerous" "2.2.0" [ ])
    (package "jinja2" "jinja2" "2.11.2" [ "markupsafe" ])
    (package "markupsafe" "MarkupSafe" "1.1.1" [ ])
    (package "werkzeug" "werkzeug" "3.1.3" [ "markupsafe" ])
    (package "certifi" "certifi" "2025.1.31" [ ])
    (package "idna" "idna" "3.10" [ ])
    (package "urllib3" "urllib3" "2.3.0" [ ])
    (package "requests" "requests" "2.32.3" [
      "certifi"
      "idna"
      "urllib3"
    ])
    (package "six" "six" "1.17.0" [ ])
    (package "pip" "pip" "25.0.1" [ ])
    (package "babel" "babel" "2.17.0" [ ])
    (package "pyjwt" "PyJWT" "2.10.1" [ ])
    (package "django_4" "django" "4.2.20" [ ])
    (package "django_5" "django" "5.1.7" [ ])
    (package "broken-pkg" "broken-pkg" "1.0" [ ])
  ] args;
in
simple
// {
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
  Babel = pyfinal.babel;
  django = pyfinal.django_4;
  broken-pkg = simple.broken-pkg // {
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
