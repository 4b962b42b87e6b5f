# The stub's passthrufun.nix: a two-stage function like nixpkgs'
# pkgs/development/interpreters/python/passthrufun.nix. Stage 2 takes
# exactly the real one's arguments (a missing or unknown one fails as
# there). It returns the interpreter's passthru: the package set .pkgs (the
# fixpoint of the stub's package set extended by packageOverrides, built for
# `self` — so output that forgets `self = python` gets the original set, as
# with nixpkgs), withPackages and buildEnv over `self`, and the
# python-packages-base.nix helpers the recipes use (toPythonModule,
# requiredPythonModules, buildPythonApplication).
#
# Checks beyond nixpkgs' evaluation (failures nixpkgs only shows when
# building): the build-side splice must be this very interpreter version
# (nixpkgs would fetch another version's tarball with this one's hash and
# build every package's hooks with it), and requiredPythonModules refuses a
# module of another interpreter (nixpkgs silently drops it).
{
  lib,
  fetchPypi,
  packageSet,
  runCommand,
}:
{
  executable,
  hasDistutilsCxxPatch,
  implementation,
  libPrefix,
  packageOverrides,
  pythonOnBuildForBuild,
  pythonOnBuildForHost,
  pythonOnBuildForTarget,
  pythonOnHostForHost,
  pythonOnTargetForTarget,
  pythonVersion,
  self,
  sitePackages,
  sourceVersion,
  pythonABITags ? [ "none" ],
  pythonAttr ? null,
}:
let
  version = with sourceVersion; "${major}.${minor}.${patch}${suffix}";
  buildSide = pythonOnBuildForHost.version;
  spliceChecked =
    buildSide == version
    || throw "stub passthrufun (${pythonAttr} ${version}): its build-side interpreter pkgsBuildHost.${pythonAttr} is Python ${buildSide}: nixpkgs would fetch Python ${buildSide} with the hash of ${version} and build every package's hooks with it. Define the interpreter in an overlay under its own attribute and pythonAttr.";
  buildPythonPackage = import ./build-python-package.nix { python = self; };
  hasPythonModule = drv: (drv.pythonModule or null) == self.pythonAttr;
  requiredPythonModules =
    drvs:
    let
      closure = builtins.genericClosure {
        startSet = map (d: {
          key = d.outPath;
          drv = d;
        }) drvs;
        operator =
          item:
          map (d: {
            key = d.outPath;
            drv = d;
          }) (item.drv.dependencies or [ ]);
      };
      check =
        d:
        hasPythonModule d
        || throw "stub requiredPythonModules: ${d.name or d.pname or "?"} is a module of ${d.pythonModule or "no interpreter"}, not of ${self.pythonAttr} (nixpkgs would silently drop it from the environment)";
    in
    assert builtins.all (item: check item.drv) closure;
    [ self ] ++ map (item: item.drv) closure;
  helpers = {
    inherit buildPythonPackage requiredPythonModules;
    # an application provides no module (python-packages-base.nix:
    # toPythonModule = x: x)
    buildPythonApplication = args: removeAttrs (buildPythonPackage args) [ "pythonModule" ];
    toPythonModule =
      drv:
      drv
      // {
        pythonModule = self.pythonAttr;
        pname = drv.pname or drv.name;
        version = drv.version or "";
        dependencies = [ ];
      };
  };
  pkgs = lib.fix (
    lib.extends packageOverrides (
      pyfinal:
      helpers
      // packageSet {
        inherit fetchPypi pyfinal buildPythonPackage;
      }
    )
  );
  buildEnv = lib.makeOverridable (
    {
      extraLibs ? [ ],
      ignoreCollisions ? false,
      makeWrapperArgs ? [ ],
      permitUserSite ? false,
      postBuild ? "",
    }:
    import ./python-env.nix {
      python = self;
      packages = extraLibs;
    }
  ) { };
in
{
  inherit
    executable
    implementation
    libPrefix
    pythonABITags
    pythonAttr
    pythonOnBuildForBuild
    pythonOnBuildForHost
    pythonOnBuildForTarget
    pythonOnHostForHost
    pythonOnTargetForTarget
    pythonVersion
    sitePackages
    sourceVersion
    buildEnv
    ;
  interpreter = "${self}/bin/${executable}";
  pkgs = assert spliceChecked; pkgs;
  withPackages = f: buildEnv.override { extraLibs = f self.pkgs; };
}
