# nixpkgs' pkgs/build-support/fetchpypi/default.nix, URL logic verbatim:
# the argument set is closed per format, "setuptools" means an sdist from
# mirror://pypi, "wheel" a wheel URL built from its tags.
{ fetchurl }:
let
  computeUrl =
    {
      format ? "setuptools",
      ...
    }@attrs:
    let
      computeWheelUrl =
        {
          pname,
          version,
          dist ? "py2.py3",
          python ? "py2.py3",
          abi ? "none",
          platform ? "any",
        }:
        "https://files.pythonhosted.org/packages/${dist}/${builtins.substring 0 1 pname}/${pname}/${pname}-${version}-${python}-${abi}-${platform}.whl";
      computeSourceUrl =
        {
          pname,
          version,
          extension ? "tar.gz",
        }:
        "mirror://pypi/${builtins.substring 0 1 pname}/${pname}/${pname}-${version}.${extension}";
      compute =
        if format == "wheel" then
          computeWheelUrl
        else if format == "setuptools" then
          computeSourceUrl
        else
          throw "Unsupported format ${format}";
    in
    compute (builtins.removeAttrs attrs [ "format" ]);
in
{
  format ? "setuptools",
  sha256 ? "",
  hash ? "",
  pname,
  version,
  ...
}@attrs:
fetchurl {
  url = computeUrl (builtins.removeAttrs attrs [
    "sha256"
    "hash"
  ]);
  inherit sha256 hash;
}
