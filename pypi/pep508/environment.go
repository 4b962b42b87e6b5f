package pep508

import (
	"fmt"
	"slices"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// latestPatch is the newest CPython patch release of each supported minor
// version. It is the one place to update when CPython ships a release.
var latestPatch = map[string]string{
	"3.8":  "3.8.20",
	"3.9":  "3.9.25",
	"3.10": "3.10.19",
	"3.11": "3.11.14",
	"3.12": "3.12.12",
	"3.13": "3.13.9",
	"3.14": "3.14.0",
}

// LatestPatch returns the newest known CPython release of a minor version:
// LatestPatch("3.12") is "3.12.12", true. Unknown minors return "", false.
func LatestPatch(minor string) (string, bool) {
	v, ok := latestPatch[minor]
	return v, ok
}

// KnownPythons lists the minor versions LatestPatch knows, oldest first.
func KnownPythons() []string {
	minors := make([]string, 0, len(latestPatch))
	for m := range latestPatch {
		minors = append(minors, m)
	}
	slices.SortFunc(minors, cmpMinor)
	return minors
}

// cmpMinor orders "3.9" before "3.10".
func cmpMinor(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// platformFacts are the marker variables that depend on the Nix system.
type platformFacts struct {
	sysPlatform, platformSystem, machine string
}

// platforms maps Nix system names to what CPython reports there.
var platforms = map[string]platformFacts{
	"x86_64-linux":   {"linux", "Linux", "x86_64"},
	"aarch64-linux":  {"linux", "Linux", "aarch64"},
	"x86_64-darwin":  {"darwin", "Darwin", "x86_64"},
	"aarch64-darwin": {"darwin", "Darwin", "arm64"},
}

// SystemMarker is the marker that holds on a Nix system only
// (sys_platform and platform_machine): `sys_platform == "darwin" and
// platform_machine == "arm64"`. It is "" for an unknown system.
func SystemMarker(system string) string {
	f, ok := platforms[system]
	if !ok {
		return ""
	}
	return `sys_platform == "` + f.sysPlatform + `" and platform_machine == "` + f.machine + `"`
}

// KnownPlatforms lists the Nix systems TargetEnvironment accepts, sorted.
func KnownPlatforms() []string {
	names := make([]string, 0, len(platforms))
	for p := range platforms {
		names = append(names, p)
	}
	slices.Sort(names)
	return names
}

// fullPythonVersion matches a CPython release: major.minor.micro with an
// optional pre-release tag, as python_full_version reports it.
var fullPythonVersion = lazyre.New(`^([0-9]+\.[0-9]+)\.[0-9]+((a|b|rc)[0-9]+)?$`)

// TargetEnvironment builds the marker environment of a target interpreter:
// python is "3.12" or "3.12.4" (a bare minor version gets the newest patch
// release known, see LatestPatch), platform one of x86_64-linux,
// aarch64-linux, x86_64-darwin, aarch64-darwin. CPython is assumed.
// platform_release and platform_version (the kernel's release and build
// strings) cannot be known for a machine that is not the host and are "".
// "extra" is left unset, which evaluates as no extra.
func TargetEnvironment(python, platform string) (Environment, error) {
	full, minor, err := resolvePython(python)
	if err != nil {
		return nil, err
	}
	facts, ok := platforms[platform]
	if !ok {
		return nil, fmt.Errorf("unknown target platform %q: use one of %s",
			platform, strings.Join(KnownPlatforms(), ", "))
	}
	return Environment{
		"python_version":                 minor,
		"python_full_version":            full,
		"implementation_name":            "cpython",
		"implementation_version":         full,
		"platform_python_implementation": "CPython",
		"os_name":                        "posix",
		"sys_platform":                   facts.sysPlatform,
		"platform_system":                facts.platformSystem,
		"platform_machine":               facts.machine,
		"platform_release":               "",
		"platform_version":               "",
	}, nil
}

// resolvePython turns "3.12" or "3.12.4" into the full and minor versions.
func resolvePython(python string) (full, minor string, err error) {
	if full, ok := latestPatch[python]; ok {
		return full, python, nil
	}
	if m := fullPythonVersion.R().FindStringSubmatch(python); m != nil {
		return python, m[1], nil
	}
	return "", "", fmt.Errorf("invalid target Python %q: use a minor version (%s) or a full version such as 3.12.4",
		python, strings.Join(KnownPythons(), ", "))
}
