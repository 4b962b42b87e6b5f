# The walk stub's package set (see default.nix).
{
  system,
  python,
  ps,
}:
let
  isDarwin = system == "x86_64-darwin" || system == "aarch64-darwin";
  mk =
    {
      pname,
      version,
      dependencies ? [ ],
      propagatedBuildInputs ? [ ],
      build-system ? null,
      meta ? { },
    }:
    {
      inherit
        pname
        version
        dependencies
        meta
        ;
      pythonModule = python;
      # As buildPythonPackage: dependencies propagate, and so does Python.
      propagatedBuildInputs = propagatedBuildInputs ++ dependencies ++ [ python ];
      overridePythonAttrs = f: mk { inherit pname version; };
    }
    // (if build-system == null then { } else { inherit build-system; });
  zlib = {
    type = "derivation";
    name = "zlib-1.3";
  };
in
{
  setuptools = mk {
    pname = "setuptools";
    version = "80.9.0";
  };
  flit-core = mk {
    pname = "flit-core";
    version = "3.10.1";
  };
  hatchling = mk {
    pname = "hatchling";
    version = "1.27.0";
  };
  # Modern style: dependencies and build-system.
  flask = mk {
    pname = "flask";
    version = "3.0.3";
    build-system = [ ps.flit-core ];
    dependencies = [
      ps.werkzeug
      ps.jinja2
      ps.itsdangerous
      ps.click
      ps.blinker
    ];
  };
  werkzeug = mk {
    pname = "werkzeug";
    version = "3.0.3";
    build-system = [ ps.flit-core ];
    dependencies = [ ps.markupsafe ];
  };
  jinja2 = mk {
    pname = "jinja2";
    version = "3.1.4";
    build-system = [ ps.flit-core ];
    dependencies = [ ps.markupsafe ];
  };
  # pname spelled otherwise than the attribute.
  markupsafe = mk {
    pname = "MarkupSafe";
    version = "2.1.5";
    build-system = [ ps.setuptools ];
    propagatedBuildInputs = [ zlib ];
  };
  itsdangerous = mk {
    pname = "itsdangerous";
    version = "2.2.0";
    build-system = [ ps.flit-core ];
  };
  click = mk {
    pname = "click";
    version = "8.1.7";
    build-system = [ ps.flit-core ];
  };
  blinker = mk {
    pname = "blinker";
    version = "1.8.2";
    build-system = [ ps.flit-core ];
  };
  # Legacy style: propagatedBuildInputs, no build-system attribute.
  requests = mk {
    pname = "requests";
    version = "2.32.3";
    propagatedBuildInputs = [
      ps.certifi
      ps.charset-normalizer
      ps.idna
      ps.urllib3
    ];
  };
  certifi = mk {
    pname = "certifi";
    version = "2024.7.4";
    build-system = [ ps.setuptools ];
  };
  charset-normalizer = mk {
    pname = "charset-normalizer";
    version = "3.3.2";
    build-system = [ ps.setuptools ];
  };
  idna = mk {
    pname = "idna";
    version = "3.7";
    build-system = [ ps.flit-core ];
  };
  urllib3 = mk {
    pname = "urllib3";
    version = "2.2.2";
    build-system = [ ps.hatchling ];
  };
  # Linux only.
  pysocks = mk {
    pname = "pysocks";
    version = "1.7.1";
    meta.platforms = [
      "x86_64-linux"
      "aarch64-linux"
    ];
  };
  # Broken on Darwin.
  colorama = mk {
    pname = "colorama";
    version = "0.4.6";
    meta.broken = isDarwin;
  };
  # Bad on aarch64-linux.
  typing-extensions = mk {
    pname = "typing_extensions";
    version = "4.12.2";
    meta.badPlatforms = [ "aarch64-linux" ];
  };
  # Only on Apple silicon: not usable for an x86_64-linux environment.
  tinyhtml = mk {
    pname = "tinyhtml";
    version = "1.2.0";
    meta.platforms = [ "aarch64-darwin" ];
  };
  # Broken everywhere: not a usable package.
  cowsay = mk {
    pname = "cowsay";
    version = "6.1";
    meta.broken = true;
  };
  # Two versions under one pname; a dependency on the newer one.
  text-unidecode = mk {
    pname = "text-unidecode";
    version = "1.2";
  };
  text-unidecode_1_3 = mk {
    pname = "text-unidecode";
    version = "1.3";
  };
  slugify-lite = mk {
    pname = "slugify-lite";
    version = "0.3.0";
    dependencies = [ ps.text-unidecode_1_3 ];
  };
  removed-pkg = throw "removed-pkg has been removed";
  pytestCheckHook = {
    type = "hook";
  };
  buildPythonPackage = mk;
}
