package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/req2nix/req2nix/internal/lazyre"
	"github.com/req2nix/req2nix/nixgen"
	"github.com/req2nix/req2nix/pypi/pep508"
)

// options is everything the command line and environment say.
type options struct {
	inputs []string

	output string
	format string
	check  bool

	python    string
	platforms stringList // --platform, repeatable; none means all four systems

	// Recipes (recipes.go).
	pythonHash      string     // --python-hash: the SRI sha256 of an exact release's tarball
	interpreter     string     // --interpreter ATTR
	optimizedPython bool       // --optimized-python
	fallback        string     // --fallback pip|fhs ("" = none; --pip implies pip)
	pipPkgs         stringList // --pip NAME
	app             bool       // --app

	nixpkgsRev    string
	nixpkgsSHA256 string
	nixpkgsIndex  string
	evalNixpkgs   bool // the default now; the flag is kept for old scripts
	noEvalNixpkgs bool

	indexURL       string
	extraIndexURLs stringList
	extraFromEnv   bool // extraIndexURLs came from PIP_EXTRA_INDEX_URL
	pre            bool
	extras         stringList
	allExtras      bool
	groups         stringList
	preferNixpkgs  bool
	upgrade        bool
	upgradePkgs    stringList
	excludeNewer   string // --exclude-newer as given; after settleExcludeNewer, the header's value

	offline  bool
	refresh  bool
	jobs     int
	cacheDir string

	quiet      bool
	verbose    bool
	noProgress bool
	version    bool
}

// stringList is a repeatable flag; each use may also carry a comma list.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// boolSetter sets a shared bool to a fixed value, for flag pairs such as
// --prefer-nixpkgs / --prefer-newest.
type boolSetter struct {
	target *bool
	value  bool
}

func (b boolSetter) String() string   { return "" }
func (b boolSetter) IsBoolFlag() bool { return true }
func (b boolSetter) Set(string) error { *b.target = b.value; return nil }

const usageHead = `req2nix turns a Python project's requirements into a pinned, hash-locked Nix environment.

Usage:
  req2nix [flags] [FILE|DIR ...]

FILE is a requirements file, a pyproject.toml, or a lock file (pylock.toml,
uv.lock, poetry.lock, Pipfile.lock: its versions are used, not resolved); a DIR
means its lock file, else its pyproject.toml (or requirements.txt). Without
FILE, the current directory.
The Nix goes to stdout (or -o FILE); progress and the summary go to stderr.

Examples:
  req2nix requirements.txt -o shell.nix         # write shell.nix (re-runs keep earlier versions)
  req2nix --check -o shell.nix requirements.txt # CI: exit 1 and show a diff when shell.nix is stale
  req2nix -P flask -o shell.nix requirements.txt  # upgrade flask, keep every other version
  req2nix --format flake --python 3.12 . > flake.nix
  req2nix --platform x86_64-linux -o shell.nix requirements.txt  # one system (default: all four)
  req2nix --exclude-newer 2023-06-30 -o shell.nix requirements.txt  # as it resolved that day
  req2nix uv.lock --group dev -o shell.nix      # the lock's versions for each system
  req2nix --python 3.13t --fallback pip -o shell.nix .  # free-threading; pip for what Nix cannot build
  req2nix --app -o shell.nix .                  # also default.nix, building the project itself
  req2nix --offline -i file:///srv/mirror requirements.txt

Flags:
`

const usageTail = `
Environment:
  PIP_INDEX_URL, PIP_EXTRA_INDEX_URL  default index URLs (as pip reads them)
  XDG_CACHE_HOME                      cache location (default ~/.cache/req2nix)
  NO_COLOR                            no colour on stderr
  NETRC                               credentials file (default ~/.netrc)

Exit status: 0 success; 1 resolution, network or --check failure; 2 usage or input error.
`

func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("req2nix", flag.ContinueOnError)
	// The flag package would print its own message and the whole usage on
	// any mistake; run prints one paragraph instead (see flagError), and
	// parseArgs prints the usage only for --help.
	fs.SetOutput(io.Discard)
	o.jobs = 16
	o.preferNixpkgs = true
	o.format = "shell"

	str := func(p *string, long, short, value, usage string) {
		fs.StringVar(p, long, value, usage)
		if short != "" {
			fs.StringVar(p, short, value, "short for --"+long)
		}
	}
	boolean := func(p *bool, long, short, usage string) {
		fs.BoolVar(p, long, false, usage)
		if short != "" {
			fs.BoolVar(p, short, false, "short for --"+long)
		}
	}
	list := func(p *stringList, long, short, usage string) {
		fs.Var(p, long, usage)
		if short != "" {
			fs.Var(p, short, "short for --"+long)
		}
	}

	str(&o.output, "output", "o", "", "write to `FILE` atomically (and keep the versions it pins) instead of stdout")
	str(&o.format, "format", "", "shell", "output `FORMAT`: shell, flake, overlay or json")
	boolean(&o.check, "check", "", "compare with the -o FILE instead of writing it; exit 1 with a diff when it is out of date")
	str(&o.python, "python", "", "", "target Python `VERSION`: 3.13 (the pin's, from the binary cache), 3.13.2 (that exact release, built from source), 3.13t (free-threading); default: .python-version, else the pinned nixpkgs' python3 when it fits requires-python, else the newest that does")
	list(&o.platforms, "platform", "", "target `SYSTEM` (repeatable): x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin; default: all four, in one file")
	str(&o.pythonHash, "python-hash", "", "", "`SRI` sha256 of Python-<version>.tar.xz for an exact --python release req2nix's table lacks (else it is downloaded once and hashed)")
	str(&o.interpreter, "interpreter", "", "", "run the environment on this interpreter `ATTR` of the pin (python313FreeThreading), reusing the binary-cached pure packages of its minor version")
	boolean(&o.optimizedPython, "optimized-python", "", "build the interpreter with profile-guided optimization and LTO (every package is then built from source)")
	str(&o.fallback, "fallback", "", "", "leave what Nix cannot build to pip, run from the shell's hook: `pip` or fhs (pip in a buildFHSEnv on Linux, for manylinux wheels)")
	list(&o.pipPkgs, "pip", "", "also leave this package `NAME` to pip (repeatable; implies --fallback pip)")
	boolean(&o.app, "app", "", "also build the project itself with buildPythonApplication: default.nix beside -o (the flake: packages.default, apps.default)")
	str(&o.nixpkgsRev, "nixpkgs", "", "", "the `NIXPKGS` to build on: a channel (nixos-26.05, nixos-unstable: resolved now, written out pinned), a flake.lock (FILE or FILE#INPUT), a git revision with --nixpkgs-sha256, a local checkout, or 'default'; without it, the -o file's nixpkgs, else a flake.lock beside it or the input, else "+nixgen.DefaultPin().Name)
	str(&o.nixpkgsSHA256, "nixpkgs-sha256", "", "", "`HASH` of the --nixpkgs revision's tarball (the NAR sha256 fetchTarball checks; SRI or base32)")
	str(&o.nixpkgsIndex, "nixpkgs-index", "", "", "JSON `FILE` mapping nixpkgs python attributes to versions, instead of evaluating the pinned nixpkgs")
	boolean(&o.evalNixpkgs, "eval-nixpkgs", "", "evaluate the pinned nixpkgs for the versions it ships (the default when nix-instantiate is on PATH; once per pin, cached)")
	boolean(&o.noEvalNixpkgs, "no-eval-nixpkgs", "", "do not evaluate the pinned nixpkgs: only its attribute names are known, so every package it has is overridden")
	str(&o.indexURL, "index-url", "i", "", "package index `URL`: the root of a Simple API, as for pip (https://pypi.org/simple, https://download.pytorch.org/whl/cpu), or a file://DIR mirror; default $PIP_INDEX_URL or https://pypi.org/simple")
	list(&o.extraIndexURLs, "extra-index-url", "", "additional index `URL` (repeatable)")
	boolean(&o.pre, "pre", "", "allow pre-releases")
	list(&o.extras, "extra", "", "pyproject optional-dependencies `NAME` to include (repeatable; 'all' for every extra)")
	list(&o.groups, "group", "", "PEP 735 dependency group or Poetry group `NAME` to include (repeatable)")
	fs.Var(boolSetter{&o.preferNixpkgs, true}, "prefer-nixpkgs", "prefer the version nixpkgs ships when the constraints allow it (default)")
	fs.Var(boolSetter{&o.preferNixpkgs, false}, "prefer-newest", "prefer the newest version, even where nixpkgs has an older one that fits")
	str(&o.excludeNewer, "exclude-newer", "", "", "ignore files uploaded after `DATE` (2023-01-31, UTC, or an RFC 3339 time): resolve as on that day; recorded in the output, so re-runs keep it ('none' drops it)")
	boolean(&o.upgrade, "upgrade", "U", "ignore the versions pinned by the previous output")
	list(&o.upgradePkgs, "upgrade-package", "P", "upgrade only this `NAME` (repeatable)")
	boolean(&o.offline, "offline", "", "use only the cache; fail naming any document that is not cached")
	boolean(&o.refresh, "refresh", "", "revalidate every cached index document")
	fs.IntVar(&o.jobs, "jobs", o.jobs, "`N` parallel index requests")
	fs.IntVar(&o.jobs, "j", o.jobs, "short for --jobs")
	str(&o.cacheDir, "cache-dir", "", "", "cache `DIR` (default $XDG_CACHE_HOME/req2nix)")
	boolean(&o.quiet, "quiet", "q", "print nothing on stderr but errors")
	boolean(&o.verbose, "verbose", "v", "explain more: each decision, debug notes, error details")
	boolean(&o.noProgress, "no-progress", "", "no progress bar")
	boolean(&o.version, "version", "", "print the version and exit")

	fs.Usage = func() {}
	return fs
}

// printUsage is --help: what req2nix does, its flags and environment.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usageHead)
	printFlags(w, fs)
	fmt.Fprint(w, usageTail)
}

// flagValueError matches the flag package's complaint about a value.
var flagValueError = lazyre.New(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-(\S+): (.*)$`)

// flagError rewrites the flag package's messages in req2nix's words, naming
// each option the way --help spells it (-o, --output) and saying what to do.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		for _, file := range []string{"-" + name, "--" + name} {
			if isFile(file) {
				return usageErrorf("unknown option %s; to read the file %s, put -- before it: req2nix -- %s", file, file, file)
			}
		}
		if near := nearFlag(fs, name); near != "" {
			return usageErrorf("unknown option %s; did you mean %s?", dashed(name), dashed(near))
		}
		return usageErrorf("unknown option %s", dashed(name))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usageErrorf("option %s needs a value: %s %s", dashed(name), dashed(name), argName(fs, name))
	}
	if m := flagValueError.R().FindStringSubmatch(msg); m != nil {
		return usageErrorf("option %s=%q: %s", dashed(m[2]), m[1], valueWanted(fs.Lookup(m[2])))
	}
	return usageErrorf("%s", msg)
}

// nearFlag is the long flag the unknown name probably meant: one is the
// other with something added (--extras, --upgrade-packages, --index). Of
// several, the one sharing the most with name wins, then the shortest.
func nearFlag(fs *flag.FlagSet, name string) string {
	near, shared := "", 0
	fs.VisitAll(func(f *flag.Flag) {
		related := strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name)
		n := min(len(f.Name), len(name))
		if related && len(f.Name) > 1 && len(name) > 2 && (n > shared || n == shared && len(f.Name) < len(near)) {
			near, shared = f.Name, n
		}
	})
	return near
}

// argName is the placeholder --help shows for a flag's value (FILE, URL),
// looked up on the long form for a short one.
func argName(fs *flag.FlagSet, name string) string {
	f := fs.Lookup(name)
	if long, ok := strings.CutPrefix(f.Usage, "short for --"); ok {
		f = fs.Lookup(long)
	}
	arg, _ := flag.UnquoteUsage(f)
	return arg
}

// valueWanted says what kind of value a flag takes.
func valueWanted(f *flag.Flag) string {
	if f == nil {
		return "not a valid value"
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "give true or false, or leave the value out"
	}
	if _, ok := f.Value.(flag.Getter).Get().(int); ok {
		return "give a whole number"
	}
	return "not a valid value"
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// dashed spells a flag name as --help does: -o, --output.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// printFlags lists the flags GNU style: "-o, --output FILE", the short form
// beside its long one, defaults that say something.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	shorts := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if long, ok := strings.CutPrefix(f.Usage, "short for --"); ok {
			shorts[long] = f.Name
		}
	})
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, "short for --") {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			arg = ""
		}
		names := "    --" + f.Name
		if short := shorts[f.Name]; short != "" {
			names = "-" + short + ", --" + f.Name
		}
		if arg != "" {
			names += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-30s %s\n", names, usage)
	})
}

// errHelp means --help was asked for: usage is printed, exit 0.
var errHelp = flag.ErrHelp

// parseArgs parses flags anywhere among the positional arguments, GNU style
// ("req2nix requirements.txt -o shell.nix"); "--" ends the flags.
// --help prints the usage to stdout (so that it pages and greps).
func parseArgs(args []string, env func(string) string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := newFlagSet(o)
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil, err
		} else if err != nil {
			return nil, flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			o.inputs = append(o.inputs, rest...)
			break
		}
		o.inputs = append(o.inputs, rest[0])
		args = rest[1:]
	}
	applyEnv(o, env)
	return o, o.validate()
}

// applyEnv fills what the environment says. PIP_INDEX_URL is applied later,
// after the requirements files' own --index-url (flag > file > environment).
func applyEnv(o *options, env func(string) string) {
	if len(o.extraIndexURLs) == 0 {
		// pip reads PIP_EXTRA_INDEX_URL as a whitespace-separated list.
		o.extraIndexURLs = strings.Fields(env("PIP_EXTRA_INDEX_URL"))
		o.extraFromEnv = len(o.extraIndexURLs) > 0
	}
	if o.cacheDir == "" && env("XDG_CACHE_HOME") != "" {
		o.cacheDir = env("XDG_CACHE_HOME") + "/req2nix"
	}
}

func (o *options) validate() error {
	switch o.format {
	case "shell", "flake", "overlay", "json":
	default:
		return usageErrorf("--format %q: choose shell, flake, overlay or json", o.format)
	}
	if o.check && o.output == "" {
		return usageErrorf("--check needs -o FILE: the file to compare with")
	}
	if err := checkPlatforms(o); err != nil {
		return err
	}
	if o.jobs < 1 {
		return usageErrorf("--jobs must be at least 1")
	}
	if o.offline && o.refresh {
		return usageErrorf("--offline and --refresh contradict each other")
	}
	for _, name := range o.upgradePkgs {
		if !pep508.ValidName(name) {
			return usageErrorf("-P %s: give a package name only; a version to upgrade to belongs in the requirements (such as %s)", name, name)
		}
	}
	if o.excludeNewer != "" && o.excludeNewer != excludeNewerNone {
		if _, _, err := parseExcludeNewer(o.excludeNewer); err != nil {
			return usageErrorf("--exclude-newer %s", err)
		}
	}
	if o.evalNixpkgs && o.nixpkgsIndex != "" {
		return usageErrorf("--eval-nixpkgs and --nixpkgs-index contradict each other: the versions nixpkgs ships come from one of them")
	}
	if o.evalNixpkgs && o.noEvalNixpkgs {
		return usageErrorf("--eval-nixpkgs and --no-eval-nixpkgs contradict each other")
	}
	if err := o.validateRecipes(); err != nil {
		return err
	}
	for i, e := range o.extras {
		if e == "all" {
			o.allExtras = true
			o.extras = append(o.extras[:i:i], o.extras[i+1:]...)
			break
		}
	}
	return nil
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func isUsageError(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
