package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/nixgen"
)

// nixpkgsChoice is the nixpkgs a run builds against, and why.
type nixpkgsChoice struct {
	pin    nixgen.Pin
	origin string   // for the summary: where the pin came from
	source string   // a resolved channel's unpacked tarball, evaluated instead of fetching it again
	tmp    string   // a temporary directory to remove at the end
	notes  []string // warnings about the choice
}

func (c *nixpkgsChoice) close() {
	if c != nil && c.tmp != "" {
		os.RemoveAll(c.tmp)
	}
}

// choosePin decides the nixpkgs: --nixpkgs when given; else the pin of the
// previous output (-o), so that a re-run never moves nixpkgs by itself;
// else the nixpkgs input of a flake.lock beside the output or in the
// input's directory, so that the project's flake and the environment share
// one nixpkgs; else the embedded default.
func choosePin(ctx context.Context, o *options, env func(string) string, ui *ui) (*nixpkgsChoice, error) {
	if o.nixpkgsSHA256 != "" && (o.nixpkgsRev == "" || isDir(o.nixpkgsRev) || isFile(flakeLockPath(o.nixpkgsRev)) || nixgen.IsChannel(o.nixpkgsRev)) {
		return nil, errors.New("--nixpkgs-sha256 goes with --nixpkgs REV (a git revision) only: a channel, a flake.lock and a local checkout carry their own hash")
	}
	var c *nixpkgsChoice
	var err error
	if o.nixpkgsRev != "" {
		c, err = explicitPin(ctx, o, env, ui)
	} else {
		c, err = implicitPin(o)
	}
	if err != nil {
		return nil, err
	}
	if eol := nixgen.EndOfLife(c.pin); eol != "" {
		c.notes = append(c.notes, fmt.Sprintf("nixpkgs %s is end of life since %s (no more security fixes): move on with --nixpkgs %s", c.pin.Name, eol, nixgen.DefaultPin().Name))
	}
	return c, nil
}

// explicitPin reads --nixpkgs: "default", a local checkout, a flake.lock
// (FILE or FILE#INPUT), a channel name, or a git revision with its hash.
func explicitPin(ctx context.Context, o *options, env func(string) string, ui *ui) (*nixpkgsChoice, error) {
	arg := o.nixpkgsRev
	lockFile, input := flakeLockPath(arg), ""
	if _, in, ok := strings.Cut(arg, "#"); ok {
		input = in
	}
	switch {
	case arg == "default":
		return &nixpkgsChoice{pin: nixgen.DefaultPin(), origin: "the embedded default, from --nixpkgs"}, nil
	case isDir(arg) && !isFile(filepath.Join(arg, "default.nix")):
		return nil, fmt.Errorf("--nixpkgs %s: the directory has no default.nix, so it is not a nixpkgs checkout", arg)
	case isDir(arg):
		return &nixpkgsChoice{pin: nixgen.Pin{Path: arg}, origin: "from --nixpkgs"}, nil
	case isFile(lockFile):
		return flakeLockPin(lockFile, input, "--nixpkgs")
	case nixgen.IsChannel(arg):
		return channelPin(ctx, o, arg, env, ui)
	case looksLikePath(arg):
		return nil, fmt.Errorf("--nixpkgs %s: no such directory or flake.lock; give the path of a local nixpkgs checkout or of a flake.lock, a channel such as %s, or a git revision", arg, nixgen.DefaultPin().Name)
	case !gitRevRE.R().MatchString(arg):
		return nil, fmt.Errorf("--nixpkgs %q is neither a channel (such as %s) nor a git revision (such as %s)", arg, nixgen.DefaultPin().Name, nixgen.DefaultPin().Rev)
	case o.nixpkgsSHA256 == "":
		return nil, fmt.Errorf("--nixpkgs %s needs --nixpkgs-sha256 (the NAR hash fetchTarball checks; `nix-prefetch-url --unpack https://github.com/NixOS/nixpkgs/archive/%s.tar.gz` prints it), or name a channel such as %s, which req2nix resolves and hashes itself", arg, arg, nixgen.DefaultPin().Name)
	case !isSHA256(o.nixpkgsSHA256):
		return nil, fmt.Errorf("--nixpkgs-sha256 %q is not a sha256: give it in SRI form (sha256-<44 base64 characters>), Nix base32 (52 characters) or hex (64 characters)", o.nixpkgsSHA256)
	}
	return &nixpkgsChoice{pin: nixgen.Pin{
		Rev:    arg,
		SHA256: o.nixpkgsSHA256,
		URL:    "https://github.com/NixOS/nixpkgs/archive/" + arg + ".tar.gz",
	}, origin: "from --nixpkgs"}, nil
}

// flakeLockPath is the file part of a --nixpkgs FILE#INPUT.
func flakeLockPath(arg string) string {
	file, _, _ := strings.Cut(arg, "#")
	return file
}

// flakeLockPin reads the nixpkgs input of a flake.lock.
func flakeLockPin(path, input, how string) (*nixpkgsChoice, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", how, path, pathErrorCause(err))
	}
	lock, err := nixgen.PinFromFlakeLock(data, input)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", how, path, err)
	}
	c := &nixpkgsChoice{pin: lock.Pin, origin: fmt.Sprintf("from %s, node %s", path, lock.Node)}
	if lock.Note != "" {
		c.notes = append(c.notes, path+": "+lock.Note)
	}
	return c, nil
}

// channelPin resolves a channel to its current revision and hash.
func channelPin(ctx context.Context, o *options, channel string, env func(string) string, ui *ui) (*nixpkgsChoice, error) {
	r, err := nixgen.ResolveChannel(ctx, channel, nixgen.ChannelOptions{
		CacheDir:    cacheDir(o),
		Offline:     o.offline,
		Refresh:     o.refresh,
		ChannelsURL: env("REQ2NIX_NIXPKGS_CHANNELS_URL"),
		ArchiveURL:  env("REQ2NIX_NIXPKGS_ARCHIVE_URL"),
		Progress:    ui.progressLine,
	})
	if err != nil {
		return nil, err
	}
	return &nixpkgsChoice{pin: r.Pin, source: r.Source, tmp: r.Dir,
		origin: fmt.Sprintf("channel %s as of %s", channel, r.At.UTC().Format("2006-01-02 15:04 UTC"))}, nil
}

// implicitPin is the pin without --nixpkgs.
func implicitPin(o *options) (*nixpkgsChoice, error) {
	if c, err := previousPin(o); c != nil || err != nil {
		return c, err
	}
	var notes []string
	for _, lock := range flakeLockCandidates(o) {
		c, err := flakeLockPin(lock, "", "nixpkgs from")
		if err == nil {
			return c, nil
		}
		notes = append(notes, err.Error()+"; not used")
	}
	return &nixpkgsChoice{pin: nixgen.DefaultPin(), origin: "the embedded default", notes: notes}, nil
}

// previousPin is the nixpkgs of the -o file, when it records one.
func previousPin(o *options) (*nixpkgsChoice, error) {
	if o.output == "" {
		return nil, nil
	}
	data, err := os.ReadFile(o.output)
	if err != nil || !strings.Contains(string(data), "req2nix") {
		return nil, nil // previousPins judges a missing or foreign file
	}
	pin, ok, err := nixgen.ReadPin(data)
	if err != nil {
		return nil, &inputError{fmt.Errorf("%s: %w (give --nixpkgs to choose the nixpkgs)", o.output, err)}
	}
	if !ok {
		return nil, nil
	}
	if pin.Path != "" && !isFile(filepath.Join(pin.Path, "default.nix")) {
		return nil, &inputError{fmt.Errorf("%s is built on the local nixpkgs %s, which is gone: give --nixpkgs (a checkout, a channel such as %s, or default)", o.output, pin.Path, nixgen.DefaultPin().Name)}
	}
	return &nixpkgsChoice{pin: pin, origin: "kept from " + o.output}, nil
}

// flakeLockCandidates are the flake.lock files that may pin nixpkgs: beside
// the output, then in the inputs' directories.
func flakeLockCandidates(o *options) []string {
	var dirs []string
	if o.output != "" {
		dirs = append(dirs, filepath.Dir(o.output))
	}
	for _, in := range o.inputs {
		if isDir(in) {
			dirs = append(dirs, in)
		} else {
			dirs = append(dirs, filepath.Dir(in))
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		p := filepath.Join(d, "flake.lock")
		abs, err := filepath.Abs(p)
		if err == nil && !seen[abs] && isFile(p) {
			seen[abs] = true
			out = append(out, p)
		}
	}
	return out
}

// loadNixpkgsIndex learns what the pinned nixpkgs ships: from the user's
// JSON file, else by evaluating the pin (cached; see nixgen.EvalIndex),
// else, when that is impossible or --no-eval-nixpkgs says so, from the
// embedded attribute names. The note, when not "", is the one warning that
// says why the versions are unknown and what to do.
func loadNixpkgsIndex(ctx context.Context, o *options, c *nixpkgsChoice, pythonAttr string, ui *ui) (*nixgen.Index, string, error) {
	if o.nixpkgsIndex != "" {
		ix, err := nixgen.LoadIndexFile(o.nixpkgsIndex, pythonAttr)
		if err != nil {
			return nil, "", &inputError{err}
		}
		return ix, "", nil
	}
	note := ""
	if !o.noEvalNixpkgs {
		ix, err := nixgen.EvalIndex(ctx, c.pin, pythonAttr, nixgen.EvalOptions{
			CacheDir: cacheDir(o),
			Offline:  o.offline,
			Retry:    o.refresh,
			Source:   c.source,
			Progress: ui.progressLine,
		})
		var nerr *nixgen.NotEvaluatedError
		switch {
		case err == nil:
			return ix, "", nil
		case !errors.As(err, &nerr):
			return nil, "", err
		}
		if nerr.Detail != "" {
			ui.logger.Debug("evaluating the pinned nixpkgs failed", "nix", nerr.Detail)
		}
		note = fallbackNote(nerr)
	}
	ix, err := nixgen.EmbeddedIndex(pythonAttr)
	return ix, note, err
}

// fallbackNote is the warning for a pin that could not be evaluated.
func fallbackNote(e *nixgen.NotEvaluatedError) string {
	when := ""
	if !e.Since.IsZero() {
		when = " (remembered from an attempt at " + e.Since.UTC().Format("15:04 UTC") + ")"
	}
	return "nixpkgs' package versions are unknown: " + e.Reason + when +
		"; using the embedded attribute names, so every package nixpkgs has is overridden (" + e.Fix + ")"
}

// exactPython is the interpreter version to resolve for: the one the
// evaluated nixpkgs reports, when it is the same minor version as the
// table's guess (patch releases move on within a release branch).
func exactPython(guess, evaluated string) string {
	if evaluated == "" {
		return guess
	}
	minor := func(v string) string {
		parts := strings.SplitN(v, ".", 3)
		return strings.Join(parts[:min(2, len(parts))], ".")
	}
	if minor(guess) == minor(evaluated) {
		return evaluated
	}
	return guess
}

// pinSummary says which nixpkgs, why, and where its versions came from.
func pinSummary(c *nixpkgsChoice, ix *nixgen.Index) string {
	label := c.pin.Label()
	if c.pin.Rev != "" && len(c.pin.Rev) == 40 {
		label = strings.Replace(label, c.pin.Rev, c.pin.Rev[:12], 1)
	}
	versions := "versions from " + ix.Source
	switch {
	case ix.Source == nixgen.EmbeddedSource:
		versions = "versions unknown (embedded attribute names)"
	case strings.HasPrefix(ix.Source, "evaluated nixpkgs "):
		versions = fmt.Sprintf("versions read from it (%d packages)", ix.Len())
	}
	return fmt.Sprintf("nixpkgs %s (%s); %s", label, c.origin, versions)
}

// gitRevRE is what a git revision, tag or branch name can look like in a
// GitHub archive URL.
var gitRevRE = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// looksLikePath tells a --nixpkgs meant as a local checkout from a revision.
func looksLikePath(s string) bool {
	return strings.ContainsRune(s, filepath.Separator) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") || strings.HasSuffix(s, ".lock")
}

// isSHA256 accepts a sha256 in the forms Nix reads: SRI, Nix base32, hex.
func isSHA256(h string) bool {
	if b64, ok := strings.CutPrefix(h, "sha256-"); ok {
		raw, err := base64.StdEncoding.DecodeString(b64)
		return err == nil && len(raw) == sha256.Size
	}
	h = strings.TrimPrefix(h, "sha256:")
	return nix32RE.R().MatchString(h) || hex64RE.R().MatchString(h)
}

var (
	nix32RE = lazyre.New(`^[0-9abcdfghijklmnpqrsvwxyz]{52}$`)
	hex64RE = lazyre.New(`^[0-9a-fA-F]{64}$`)
)
