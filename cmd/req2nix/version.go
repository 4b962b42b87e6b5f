package main

import "runtime/debug"

// buildVersion is set by the release build:
// -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion = ""

// version is the release version, else the module version `go install`
// recorded, else "devel" with the VCS revision when known.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel " + s.Value[:12]
		}
	}
	return "devel"
}
