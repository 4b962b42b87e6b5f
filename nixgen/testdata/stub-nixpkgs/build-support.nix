# The stub's build helpers for req2nix's recipes (nixgen/recipes.go):
# runCommand, writeText and buildFHSEnv, each a checked record with a store
# path of its own (nothing is built). buildFHSEnv takes the arguments of
# nixpkgs' build-fhsenv-bubblewrap (default.nix and buildFHSEnv.nix) and no
# others (nixpkgs passes unknown ones on silently), and exists on Linux
# only, as bubblewrap does.
{
  lib,
  pkgs,
  system,
}:
let
  storePath =
    name: data: "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" (builtins.toJSON data))}-${name}";
  checkName =
    fn: name:
    builtins.match "[A-Za-z0-9+._?=-]+" name != null && builtins.substring 0 1 name != "."
    || throw "stub ${fn}: invalid derivation name '${name}'";
in
{
  runCommand =
    name: env: buildCommand:
    assert checkName "runCommand" name;
    assert builtins.isAttrs env && builtins.isString buildCommand;
    env
    // {
      type = "derivation";
      inherit name buildCommand;
      outPath = storePath name [
        env
        buildCommand
      ];
    };
  writeText =
    name: text:
    assert checkName "writeText" name;
    assert builtins.isString text || throw "stub writeText ${name}: the text is not a string";
    {
      type = "derivation";
      inherit name text;
      outPath = storePath name text;
    };
  buildFHSEnv =
    {
      name ? null,
      pname ? null,
      version ? null,
      targetPkgs ? (pkgs: [ ]),
      multiPkgs ? (pkgs: [ ]),
      multiArch ? false,
      profile ? "",
      runScript ? "bash",
      extraInstallCommands ? "",
      extraBuildCommands ? "",
      extraOutputsToInstall ? [ ],
      extraBwrapArgs ? [ ],
      extraPreBwrapCmds ? "",
      includeClosures ? false,
      chdirToPwd ? true,
      dieWithParent ? true,
      privateTmp ? false,
      unshareUser ? false,
      unshareIpc ? false,
      unsharePid ? false,
      unshareNet ? false,
      unshareUts ? false,
      unshareCgroup ? false,
      nativeBuildInputs ? [ ],
      meta ? { },
      passthru ? { },
    }:
    let
      envName = if name != null then name else "${pname}-${version}";
      targets = targetPkgs pkgs;
    in
    assert
      builtins.elem system [
        "x86_64-linux"
        "aarch64-linux"
      ]
      || throw "stub buildFHSEnv ${envName}: bubblewrap FHS environments exist on Linux only, not on ${system}";
    assert checkName "buildFHSEnv" envName;
    assert builtins.isString profile && builtins.isString runScript;
    assert builtins.all builtins.isAttrs targets || throw "stub buildFHSEnv ${envName}: targetPkgs must return packages";
    rec {
      type = "derivation";
      name = envName;
      inherit profile runScript targets;
      outPath = storePath envName [
        profile
        runScript
        (map (t: t.outPath or t.name or "?") targets)
      ];
      # nixpkgs: passthru.env, the derivation nix-shell enters
      env = {
        type = "fhs-shell";
        name = "${envName}-shell-env";
        fhs = {
          inherit name profile targets;
        };
      };
    }
    // passthru;
}
