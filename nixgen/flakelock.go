package nixgen

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// flakeLock is the part of a flake.lock (version 5 to 7) req2nix reads.
type flakeLock struct {
	Nodes map[string]flakeNode `json:"nodes"`
	Root  string               `json:"root"`
}

type flakeNode struct {
	Inputs   map[string]json.RawMessage `json:"inputs"` // a node name, or a "follows" path of input names
	Locked   map[string]any             `json:"locked"`
	Original map[string]any             `json:"original"`
}

// FlakeLockPin is the nixpkgs input of a flake.lock.
type FlakeLockPin struct {
	Pin  Pin
	Node string // the lock node used
	Note string // when the lock has several nixpkgs nodes: which one was used and why
}

// PinFromFlakeLock reads the pin of a flake.lock's nixpkgs: the root input
// named input when given, else the root input "nixpkgs", else the only
// root input that is a nixpkgs. "follows" inputs are followed. The node
// must be locked to a GitHub repository (its rev and narHash), a tarball
// URL (its narHash) or a local path (a checkout); its original ref
// (nixos-26.05) names the release.
func PinFromFlakeLock(data []byte, input string) (FlakeLockPin, error) {
	var lock flakeLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return FlakeLockPin{}, fmt.Errorf("not a flake.lock: %s", jsonProblem(data, err))
	}
	if lock.Root == "" {
		lock.Root = "root"
	}
	root, ok := lock.Nodes[lock.Root]
	if !ok {
		return FlakeLockPin{}, fmt.Errorf("not a flake.lock: no root node %q", lock.Root)
	}
	all := lock.nixpkgsNodes()
	var name, why string
	switch {
	case input != "":
		name, why = input, "input "+input
	case root.Inputs["nixpkgs"] != nil:
		name, why = "nixpkgs", "the root input nixpkgs"
	default:
		candidates := lock.nixpkgsRootInputs()
		switch len(candidates) {
		case 0:
			return FlakeLockPin{}, fmt.Errorf("no nixpkgs input in this flake.lock")
		case 1:
			name, why = candidates[0], "its only nixpkgs input "+candidates[0]
		default:
			return FlakeLockPin{}, fmt.Errorf("several nixpkgs inputs (%s) and none is named nixpkgs: choose one with --nixpkgs flake.lock#%s", strings.Join(candidates, ", "), candidates[0])
		}
	}
	ref, ok := root.Inputs[name]
	if !ok {
		return FlakeLockPin{}, fmt.Errorf("the flake has no input %q (it has %s)", name, strings.Join(slices.Sorted(maps.Keys(root.Inputs)), ", "))
	}
	node, err := lock.resolve(ref, 0)
	if err != nil {
		return FlakeLockPin{}, fmt.Errorf("input %s: %w", name, err)
	}
	pin, err := lock.Nodes[node].pin()
	if err != nil {
		return FlakeLockPin{}, fmt.Errorf("input %s (node %s): %w", name, node, err)
	}
	out := FlakeLockPin{Pin: pin, Node: node}
	if len(all) > 1 {
		out.Note = fmt.Sprintf("it has %d nixpkgs nodes (%s); using %s, node %s", len(all), strings.Join(all, ", "), why, node)
	}
	return out, nil
}

// resolve turns an input reference (a node name, or a follows path from
// the root) into a node name.
func (l flakeLock) resolve(ref json.RawMessage, depth int) (string, error) {
	if depth > 32 {
		return "", fmt.Errorf("follows cycle")
	}
	var name string
	if json.Unmarshal(ref, &name) == nil {
		if _, ok := l.Nodes[name]; !ok {
			return "", fmt.Errorf("no node %q", name)
		}
		return name, nil
	}
	var path []string
	if err := json.Unmarshal(ref, &path); err != nil || len(path) == 0 {
		return "", fmt.Errorf("an input is neither a node name nor a follows path")
	}
	node := l.Root
	for _, step := range path {
		next, ok := l.Nodes[node].Inputs[step]
		if !ok {
			return "", fmt.Errorf("follows %q: node %s has no input %s", strings.Join(path, "/"), node, step)
		}
		var err error
		if node, err = l.resolve(next, depth+1); err != nil {
			return "", err
		}
	}
	return node, nil
}

// nixpkgsNodes lists the lock's nodes that are a nixpkgs, sorted.
func (l flakeLock) nixpkgsNodes() []string {
	var out []string
	for name, n := range l.Nodes {
		if n.isNixpkgs() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// nixpkgsRootInputs lists the root inputs whose node is a nixpkgs.
func (l flakeLock) nixpkgsRootInputs() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(l.Nodes[l.Root].Inputs)) {
		if node, err := l.resolve(l.Nodes[l.Root].Inputs[name], 0); err == nil && l.Nodes[node].isNixpkgs() {
			out = append(out, name)
		}
	}
	return out
}

func (n flakeNode) isNixpkgs() bool {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	return str(n.Locked, "repo") == "nixpkgs" || str(n.Original, "repo") == "nixpkgs" ||
		str(n.Original, "id") == "nixpkgs" || strings.Contains(str(n.Locked, "url"), "nixpkgs") || strings.Contains(str(n.Locked, "path"), "nixpkgs") ||
		strings.Contains(str(n.Locked, "url"), "nixos.org/channels") || strings.Contains(str(n.Locked, "url"), "channels.nixos.org")
}

var channelInURLRE = lazyre.New(`(?:nixos|nixpkgs)-(?:unstable|\d\d\.\d\d)(?:-small|-darwin)?`)

// pin turns a locked node into a pin.
func (n flakeNode) pin() (Pin, error) {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	narHash := str(n.Locked, "narHash")
	if str(n.Locked, "type") == "path" && filepath.IsAbs(str(n.Locked, "path")) {
		return Pin{Path: str(n.Locked, "path")}, nil
	}
	if !isSRI(narHash) {
		return Pin{}, fmt.Errorf("it is not locked to a sha256 narHash (run nix flake lock)")
	}
	switch typ := str(n.Locked, "type"); typ {
	case "github":
		owner, repo, rev := str(n.Locked, "owner"), str(n.Locked, "repo"), str(n.Locked, "rev")
		if !gitRevRE.R().MatchString(rev) || owner == "" || repo == "" {
			return Pin{}, fmt.Errorf("its github lock lacks owner, repo or a 40-hex rev")
		}
		url := "https://github.com/" + owner + "/" + repo + "/archive/" + rev + ".tar.gz"
		return Pin{Rev: rev, SHA256: narHash, URL: url, Name: str(n.Original, "ref")}, nil
	case "tarball", "file":
		url := str(n.Locked, "url")
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
			return Pin{}, fmt.Errorf("its tarball lock has no http(s) URL")
		}
		return Pin{SHA256: narHash, URL: url, Rev: str(n.Locked, "rev"), Name: channelInURLRE.R().FindString(str(n.Original, "url"))}, nil
	default:
		return Pin{}, fmt.Errorf("it is a %q input; req2nix can pin github, tarball and path inputs: give --nixpkgs REV --nixpkgs-sha256 HASH instead", typ)
	}
}
