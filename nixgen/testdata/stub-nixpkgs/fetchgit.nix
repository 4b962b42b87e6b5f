# pkgs.fetchgit of the stub. Its argument set is closed, as nixpkgs'
# pkgs/build-support/fetchgit/default.nix is ("No ellipsis."): an argument
# it does not take fails. What req2nix writes is checked further: a full
# commit, an SRI hash (hash, not sha256), fetchSubmodules = false (the hash
# is of the checkout without submodules). The result records what the tests
# inspect; its name is the store path's, as in nixpkgs (urlToName, shortened
# here), which sourceRoot must start with.
{
  url,
  tag ? null,
  rev ? null,
  name ? null,
  hash ? "",
  sha256 ? "",
  leaveDotGit ? null,
  outputHash ? null,
  outputHashAlgo ? null,
  fetchSubmodules ? true,
  deepClone ? false,
  branchName ? null,
  sparseCheckout ? null,
  nonConeMode ? null,
  nativeBuildInputs ? [ ],
  preFetch ? "",
  postFetch ? "",
  preferLocalBuild ? true,
  fetchLFS ? false,
  netrcPhase ? null,
  netrcImpureEnvVars ? [ ],
  passthru ? { },
  meta ? { },
  allowedRequisites ? null,
  fetchTags ? false,
  rootDir ? "",
  gitConfigFile ? null,
  derivationArgs ? { },
}:
let
  isSRI = h: builtins.match "sha256-[A-Za-z0-9+/]{43}=" h != null;
in
assert builtins.isString url || throw "stub fetchgit: url is not a string";
assert rev != null && builtins.match "[0-9a-f]{40}" rev != null || throw "stub fetchgit ${url}: rev ${toString rev} is not a full commit";
assert isSRI hash || throw "stub fetchgit ${url}: hash ${hash} is not an SRI sha256";
assert sha256 == "" || throw "stub fetchgit ${url}: give hash, not sha256";
assert !fetchSubmodules || throw "stub fetchgit ${url}: req2nix hashes the checkout without submodules";
{
  type = "fetched";
  url = "git+" + url + "@" + rev;
  inherit hash;
  name = if name == null then "git-" + builtins.substring 0 7 rev else name;
}
