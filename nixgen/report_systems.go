package nixgen

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/resolver"
)

// ReportFailure is a system the output has no environment for.
type ReportFailure struct {
	System string `json:"system"`
	Error  string `json:"error"` // why, on one line (the resolver's explanation)
}

// ReportDifference is a package not at one version on every resolved
// system (resolver.Difference).
type ReportDifference struct {
	Name     string            `json:"name"`
	Versions map[string]string `json:"versions"` // resolved system -> version; "" where it is not installed
	Reasons  []ReportReason    `json:"reasons,omitempty"`
	Summary  string            `json:"summary"` // the whole difference on one line, as the summary prints it
}

// ReportReason says why a system does not have a version another has.
type ReportReason struct {
	System  string `json:"system"`
	Version string `json:"version,omitempty"` // the other systems' version; absent when the package is not installed on system at all
	Kind    string `json:"kind"`              // "marker", "dependency", "files", "conflict", "agreement" or "lock"
	Detail  string `json:"detail"`
}

// reportSystems fills what a report says per system: the systems, the
// failures, the packages (each with the systems it holds for, when not
// all) and the differences.
func (m *MultiPlan) reportSystems(r *Report) {
	r.Systems = m.Systems
	if len(m.Systems) == 1 {
		r.Platform = m.Systems[0]
	}
	for _, s := range m.Systems {
		if why, ok := m.Failed[s]; ok {
			r.Failed = append(r.Failed, ReportFailure{System: s, Error: why})
		}
	}
	r.Packages = m.reportPackages()
	for _, d := range m.Differences {
		rd := ReportDifference{Name: d.Name, Versions: d.Versions, Summary: oneLine(d.String())}
		for _, reason := range d.Reasons {
			rd.Reasons = append(rd.Reasons, ReportReason{System: reason.System, Version: reason.Version, Kind: string(reason.Kind), Detail: oneLine(reason.Detail)})
		}
		r.Differences = append(r.Differences, rd)
	}
}

// reportPackages lists each package once per way it is provided: the
// systems whose entries are equal but for their files (the best wheel
// differs between systems even where it is not used) share one entry,
// listing the files of all of them.
func (m *MultiPlan) reportPackages() []ReportPackage {
	out := []ReportPackage{}
	at := map[string]int{}
	for _, s := range m.Resolved {
		for _, d := range m.Plans[s].Packages {
			rp := reportPackage(d, m.Swap != nil)
			files := rp.Files
			rp.Files = nil
			key, _ := json.Marshal(rp)
			i, seen := at[string(key)]
			if !seen {
				i = len(out)
				at[string(key)] = i
				out = append(out, rp)
			}
			out[i].Systems = append(out[i].Systems, s)
			out[i].Files = mergeFiles(out[i].Files, files)
		}
	}
	for i := range out {
		if len(out[i].Systems) == len(m.Resolved) {
			out[i].Systems = nil
		}
	}
	order := map[string]int{}
	for i, s := range m.Resolved {
		order[s] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return firstSystem(out[i], order) < firstSystem(out[j], order)
	})
	return out
}

func firstSystem(p ReportPackage, order map[string]int) int {
	if len(p.Systems) == 0 {
		return -1
	}
	return order[p.Systems[0]]
}

// mergeFiles adds the files of b that a lacks, sdists first, then by name.
func mergeFiles(a, b []ReportFile) []ReportFile {
	for _, f := range b {
		if !slices.Contains(a, f) {
			a = append(a, f)
		}
	}
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Kind != a[j].Kind {
			return a[i].Kind == "sdist"
		}
		return a[i].Filename < a[j].Filename
	})
	return a
}

// Pins are the versions a previous run chose: All holds on every system,
// BySystem on one system only (system -> name -> version), as
// resolver.MultiResolution.Pins splits them (Options.Pinned and
// SystemsOptions.PinnedBySystem take them back).
type Pins struct {
	All      map[string]string
	BySystem map[string]map[string]string
}

// ReadSystemPins returns the versions a previous run chose on every
// system and on each, from any output format: the "# req2nix-lock:" and
// "# req2nix-lock SYSTEM:" lines of shell.nix, flake.nix and overlay.nix,
// or the packages (and their systems) of a JSON report of schema 1.x.
func ReadSystemPins(data []byte) (Pins, error) {
	if isJSONReport(data) {
		return readJSONPins(data)
	}
	return readLockLines(data)
}

// add records version as name's pin on system ("" = every system).
func (p *Pins) add(system, name, version string) error {
	if system == "" {
		return addPin(p.All, name, version)
	}
	if !slices.Contains(resolver.AllSystems(), system) {
		return errUnknownSystem(system)
	}
	if p.BySystem[system] == nil {
		p.BySystem[system] = map[string]string{}
	}
	return addPin(p.BySystem[system], name, version)
}

func newPins() Pins {
	return Pins{All: map[string]string{}, BySystem: map[string]map[string]string{}}
}

type errUnknownSystem string

func (e errUnknownSystem) Error() string {
	return "unknown system " + string(e) + " (expected one of " + strings.Join(resolver.AllSystems(), ", ") + ")"
}
