package nixgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// Pin is the nixpkgs the output is built against.
type Pin struct {
	Rev    string // git commit of NixOS/nixpkgs
	SHA256 string // NAR hash of the unpacked tarball (fetchTarball's sha256), SRI or base32
	URL    string // tarball URL; derived from Rev when empty
	Path   string // a local nixpkgs checkout used instead of fetchTarball, when set
	Name   string // channel or release branch, e.g. "nixos-26.05", used to know its interpreters
}

// DefaultPin returns the embedded default: nixos-26.05 at
// 7c8764b7c7b09b34f632464276218ef9090eaa11 (2026-10-08, channel release
// nixos-26.05.11576), the newest stable release: 26.05 is supported until
// the end of 2026. Its python3 is python313 (nixpkgs moves python3 to a
// newer CPython only after a .05 release branches off; the mid-2026
// master already had python314). Evaluating it takes Nix >= 2.18.
//
// Source of the rev and narHash: shared/nixpkgs/pins.json, id
// nixos-26.05-7c8764b7 (its "recommended" pin), where the same rev and
// narHash appear in the flake.lock files of ekmett/hide @ ea30815 and
// ekmett/thc @ 0c8934c and, as base32, in an independent fetchTarball pin.
// A github flake.lock narHash is the NAR hash of the unpacked tarball,
// which is what fetchTarball's sha256 takes (edolstra/flake-compat passes
// it the same way).
func DefaultPin() Pin {
	const rev = "7c8764b7c7b09b34f632464276218ef9090eaa11"
	return Pin{
		Rev:    rev,
		SHA256: "sha256-MWhktfFtFE8Jl7bf9Pkp7TR5MSdYCjCswSo0Gkb4ywc=",
		URL:    tarballURL(rev),
		Name:   "nixos-26.05",
	}
}

func tarballURL(rev string) string {
	return "https://github.com/NixOS/nixpkgs/archive/" + rev + ".tar.gz"
}

// tarball returns the pin's tarball URL.
func (p Pin) tarball() string {
	if p.URL != "" {
		return p.URL
	}
	return tarballURL(p.Rev)
}

// validate checks that the pin can be written out: a path, or a rev/URL
// with its hash (every fetch in the output is hash-pinned).
func (p Pin) validate() error {
	if p.Path != "" {
		return checkNixValue("nixpkgs path", p.Path)
	}
	if p.Rev == "" && p.URL == "" {
		return fmt.Errorf("nixpkgs pin has neither a rev nor a path: give --nixpkgs REV --nixpkgs-sha256 HASH or a local nixpkgs")
	}
	if p.SHA256 == "" {
		return fmt.Errorf("nixpkgs pin %s has no sha256: give --nixpkgs-sha256 (the narHash of the tarball, e.g. from nix-prefetch-url --unpack)", p.Rev+p.URL)
	}
	for _, s := range []string{p.Rev, p.SHA256, p.URL, p.Name} {
		if err := checkNixValue("nixpkgs pin value", s); err != nil {
			return err
		}
	}
	return nil
}

// Label names the pin for people: "nixos-26.05 7c8764b7…", a revision, a
// path or a URL.
func (p Pin) Label() string { return p.label() }

func (p Pin) label() string {
	switch {
	case p.Path != "":
		return p.Path
	case p.Name != "" && p.Rev != "":
		return p.Name + " " + p.Rev
	case p.Rev != "":
		return p.Rev
	case p.Name != "":
		return p.Name + " " + p.URL
	}
	return p.URL
}

// release is what req2nix knows of one nixpkgs release branch.
type release struct {
	interpreters []interpreter
	minNix       string // lib/minver.nix: the oldest Nix that evaluates it
	endOfLife    string // when its support ended; "" while supported
}

// releases, from shared/nixpkgs (python-interpreters.json, pins.json) and
// nixpkgs' own history:
//   - 25.05: interpreters/python/default.nix at the branch-off (tangled
//     mirror 25.11-pre; python314 was an alpha then), python3 = python312;
//     lib/minver.nix 2.3.17; supported until 2025-12-31.
//   - 25.11: its Nov-2025 default.nix, python3 = python313; minver 2.18;
//     supported until 2026-06-30.
//   - 26.05: python310 dropped before the release (nixpkgs 77ca0804
//     "python310: drop"); python313 and python314 at the patch releases
//     the staging-26.05 backports NixOS/nixpkgs#531684 (2026-06) and
//     #549701 (2026-08) brought (3.13.15, 3.14.7), python311/312 as in the
//     mid-2026 snapshot shared/nixpkgs/src-2026 (3.11.15, 3.12.13),
//     python315 a pre-release; python3 = python313 (see DefaultPin).
//   - unstable (nixos-unstable, nixpkgs-unstable, master): python3 =
//     python314 since mid-2026 (src-2026's all-packages.nix); patch
//     versions are approximate, as the channel moves.
//
// Each release also has pythonXYFreeThreading for every XY >= 13 it has
// (all-packages.nix: pythonXY.override { enableGIL = false; … }), which
// ChooseInterpreter derives rather than lists.
//
// python27 is left out: req2nix targets Python 3. A patch version only
// matters for requires-python clauses and markers naming patch releases;
// an evaluated index knows the exact one (Index.PythonVersion).
var releases = map[string]release{
	"25.05": {
		interpreters: []interpreter{
			{"python310", "3.10.17", false, false},
			{"python311", "3.11.12", false, false},
			{"python312", "3.12.10", false, true},
			{"python313", "3.13.3", false, false},
			{"python314", "3.14.0", true, false},
		},
		minNix: "2.3.17", endOfLife: "2025-12-31",
	},
	"25.11": {
		interpreters: []interpreter{
			{"python310", "3.10.19", false, false},
			{"python311", "3.11.14", false, false},
			{"python312", "3.12.12", false, false},
			{"python313", "3.13.9", false, true},
			{"python314", "3.14.0", false, false},
			{"python315", "3.15.0", true, false},
		},
		minNix: "2.18", endOfLife: "2026-06-30",
	},
	"26.05": {
		interpreters: []interpreter{
			{"python311", "3.11.15", false, false},
			{"python312", "3.12.13", false, false},
			{"python313", "3.13.15", false, true},
			{"python314", "3.14.7", false, false},
			{"python315", "3.15.0", true, false},
		},
		minNix: "2.18",
	},
	"unstable": {
		interpreters: []interpreter{
			{"python311", "3.11.15", false, false},
			{"python312", "3.12.13", false, false},
			{"python313", "3.13.15", false, false},
			{"python314", "3.14.7", false, true},
			{"python315", "3.15.0", false, false},
		},
		minNix: "2.18",
	},
}

// fallbackInterpreters is used for pins of unknown release: the CPythons
// that 25.05, 25.11 and 26.05 all have, with patch versions unknown (".0"
// is assumed, which only matters for requires-python clauses naming patch
// releases).
var fallbackInterpreters = []interpreter{
	{"python311", "3.11.0", false, false},
	{"python312", "3.12.0", false, false},
	{"python313", "3.13.0", false, false},
}

var releaseRE = lazyre.New(`(\d\d\.\d\d)`)

// releaseOf finds the release of a pin from Pin.Name ("nixos-26.05",
// "26.05", "nixpkgs-26.05-darwin", "nixos-unstable") or, for a local
// checkout, its .version file (which holds e.g. "26.05").
func releaseOf(p Pin) (release, bool) {
	name := p.Name
	if name == "" && p.Path != "" {
		if v, err := os.ReadFile(filepath.Join(p.Path, ".version")); err == nil {
			name = string(v)
		}
	}
	if m := releaseRE.R().FindString(name); m != "" {
		r, ok := releases[m]
		return r, ok
	}
	if strings.Contains(name, "unstable") || name == "master" {
		return releases["unstable"], true
	}
	return release{}, false
}

// pinInterpreters returns the interpreter table of a pin's release.
func pinInterpreters(p Pin) []interpreter {
	if r, ok := releaseOf(p); ok {
		return r.interpreters
	}
	return fallbackInterpreters
}

// EndOfLife returns the date support of the pin's release ended, or "".
func EndOfLife(p Pin) string {
	r, _ := releaseOf(p)
	return r.endOfLife
}

// pinPrefix starts the machine-readable nixpkgs line of an output's header
// (beside the req2nix-lock lines), which ReadPin reads back so that a
// re-run keeps the nixpkgs of the previous output.
const pinPrefix = "# req2nix-nixpkgs: "

// pinLine is the header line recording p: key=value pairs, values
// %-encoded as URL paths are (so no value can end the comment or add a
// pair; url.PathUnescape reverses it).
func pinLine(p Pin) string {
	var parts []string
	for _, kv := range [][2]string{{"name", p.Name}, {"rev", p.Rev}, {"sha256", p.SHA256}, {"url", p.URL}, {"path", p.Path}} {
		if kv[1] != "" && (kv[0] != "url" || kv[1] != tarballURL(p.Rev)) {
			parts = append(parts, kv[0]+"="+(&url.URL{Path: kv[1]}).EscapedPath())
		}
	}
	return pinPrefix + strings.Join(parts, " ")
}

// ReadPin returns the nixpkgs pin of a previous output: the req2nix-nixpkgs
// header line of shell.nix, flake.nix and overlay.nix; for files written
// before that line existed, the "# nixpkgs:" line with the fetchTarball
// sha256 (shell.nix) or the narHash comment (flake.nix); or the nixpkgs of
// a JSON report. ok is false when the output records no usable pin.
func ReadPin(data []byte) (pin Pin, ok bool, err error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var r struct {
			Nixpkgs ReportNixpkgs `json:"nixpkgs"`
		}
		if err := json.Unmarshal(trimmed, &r); err != nil {
			return Pin{}, false, fmt.Errorf("previous req2nix output: not a JSON report: %w", err)
		}
		n := r.Nixpkgs
		pin = Pin{Rev: n.Rev, SHA256: n.SHA256, URL: n.URL, Path: n.Path, Name: n.Name}
	} else if pin, err = readPinLines(data); err != nil {
		return Pin{}, false, err
	}
	if pin.Path == "" && pin.SHA256 == "" {
		return Pin{}, false, nil
	}
	if pin.Rev != "" && pin.URL == "" {
		pin.URL = tarballURL(pin.Rev)
	}
	return pin, true, pin.validate()
}

var (
	legacyPinRE = lazyre.New(`^# nixpkgs: (?:(\S+) )?([0-9a-f]{40})$`)
	legacySHARE = lazyre.New(`^\s*sha256 = "([^"\\]+)";$|^# nixpkgs narHash: (\S+)$`)
)

// readPinLines reads the pin from the header comment (and, for old
// shell.nix files, the fetchTarball below it).
func readPinLines(data []byte) (Pin, error) {
	var legacy Pin
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	inHeader := true
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		inHeader = inHeader && strings.HasPrefix(line, "#")
		if rest, ok := strings.CutPrefix(line, pinPrefix); ok && inHeader {
			pin, err := parsePinLine(rest)
			if err != nil {
				return Pin{}, fmt.Errorf("previous req2nix output, line %d %q: %w", n, line, err)
			}
			return pin, nil
		}
		if m := legacyPinRE.R().FindStringSubmatch(line); m != nil && inHeader {
			legacy.Name, legacy.Rev = m[1], m[2]
		}
		if m := legacySHARE.R().FindStringSubmatch(line); m != nil && legacy.Rev != "" && legacy.SHA256 == "" {
			legacy.SHA256 = m[1] + m[2]
		}
	}
	if err := sc.Err(); err != nil {
		return Pin{}, fmt.Errorf("previous req2nix output: %w", err)
	}
	return legacy, nil
}

// parsePinLine reads the key=value pairs of a req2nix-nixpkgs line.
func parsePinLine(rest string) (Pin, error) {
	var p Pin
	fields := map[string]*string{"name": &p.Name, "rev": &p.Rev, "sha256": &p.SHA256, "url": &p.URL, "path": &p.Path}
	for _, part := range strings.Fields(rest) {
		key, enc, ok := strings.Cut(part, "=")
		to := fields[key]
		if !ok || to == nil {
			return Pin{}, fmt.Errorf("expected name=, rev=, sha256=, url= or path=, not %q", part)
		}
		v, err := url.PathUnescape(enc)
		if err != nil {
			return Pin{}, fmt.Errorf("bad %%-escape in %s", key)
		}
		*to = v
	}
	return p, nil
}

var githubArchiveRE = lazyre.New(`^https://github\.com/([^/]+)/([^/]+)/archive/([0-9a-f]{40})\.tar\.gz$`)

// flakeRef is the flake input URL of the pin, for flake.nix.
func (p Pin) flakeRef() string {
	switch {
	case p.Path != "":
		abs, err := filepath.Abs(p.Path)
		if err != nil {
			abs = p.Path
		}
		return "path:" + abs
	case p.Rev != "" && (p.URL == "" || p.URL == tarballURL(p.Rev)):
		return "github:NixOS/nixpkgs/" + p.Rev
	}
	if m := githubArchiveRE.R().FindStringSubmatch(p.URL); m != nil {
		return "github:" + m[1] + "/" + m[2] + "/" + m[3]
	}
	return p.URL
}
