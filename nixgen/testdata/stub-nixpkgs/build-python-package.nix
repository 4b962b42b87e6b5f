# buildPythonPackage of the stub, checking its arguments as nixpkgs'
# mk-python-derivation.nix does (a format is required, pyproject and format
# exclude each other) and recording what the tests inspect.
# overridePythonAttrs re-calls it with the original arguments updated.
{ python }:
let
  build =
    args:
    let
      pyproject = args.pyproject or null;
      format = args.format or null;
      name = "${args.pname}-${args.version}";
      drvName = "${python.libPrefix}-${name}";
      dependencies = (args.dependencies or [ ]) ++ (args.propagatedBuildInputs or [ ]);
    in
    assert builtins.isString args.pname && builtins.isString args.version;
    assert args ? src || throw "${name}: no src";
    assert pyproject != null -> format == null || throw "${name}: both pyproject and format";
    assert
      pyproject != null || format != null
      || throw "${name} does not configure a `format`. To build with setuptools as before, set `pyproject = true` and `build-system = [ setuptools ]`.";
    assert format == null || builtins.elem format [ "setuptools" "wheel" "pyproject" "other" ] || throw "${name}: bad format";
    # The build unpacks src into a directory named like its store path;
    # sourceRoot must lie inside it.
    assert
      (args.sourceRoot or null) == null
      || builtins.substring 0 (builtins.stringLength (args.src.name or "") + 1) args.sourceRoot == (args.src.name or "") + "/"
      || throw "${name}: sourceRoot ${args.sourceRoot} is not inside src (${args.src.name or "unnamed"})";
    {
      type = "python-package";
      inherit (args) pname version src;
      # A store path of its own (the recipes interpolate packages into
      # scripts, and derivations compare by outPath).
      name = drvName;
      outPath = "/nix/store/${
        builtins.substring 0 32 (
          builtins.hashString "sha256" (
            builtins.toJSON {
              name = drvName;
              python = python.pythonAttr;
              src = if builtins.isPath args.src then toString args.src else args.src.url or args.src.outPath;
              dependencies = map (d: d.outPath) dependencies;
            }
          )
        )
      }-${drvName}";
      sourceRoot = args.sourceRoot or null;
      format = if pyproject == true then "pyproject" else format;
      pythonModule = python.pythonAttr;
      inherit dependencies;
      build-system = args.build-system or [ ];
      nativeBuildInputs = args.nativeBuildInputs or [ ];
      patches = args.patches or [ ];
      # The source-tree hooks a recipe may carry (written for its version).
      sourceHooks = builtins.filter (h: args ? ${h}) [
        "prePatch"
        "postPatch"
        "preConfigure"
        "preBuild"
        "postBuild"
        "postInstall"
      ];
      pythonImportsCheck = args.pythonImportsCheck or null;
      doCheck = args.doCheck or true;
      meta = args.meta or { };
      overridePythonAttrs =
        f: build (args // (if builtins.isFunction f then f args else f));
    };
in
build
