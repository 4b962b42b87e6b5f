package reqfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/req2nix/req2nix/pypi/pep440"
	"github.com/req2nix/req2nix/pypi/pep508"
)

const (
	sha256a = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	sha256b = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"
	sha384a = "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"
)

// parseFileTests are ordered like pip's "Requirements File Format" and
// its tests/unit/test_req_file.py; each reads "requirements.txt" (or file)
// from a directory holding files.
var parseFileTests = []struct {
	name    string
	file    string // default "requirements.txt"
	files   map[string]string
	env     map[string]string
	want    []string
	wantErr string
}{
	// The example of pip's "Requirements File Format" page.
	{name: "pip documentation example", files: map[string]string{"requirements.txt": `# This is a comment, to show how #-prefixed lines are ignored.
# It is possible to specify requirements as plain names.
pytest
pytest-cov
beautifulsoup4

# The syntax supported here is the same as that of requirement specifiers.
docopt == 0.6.1
requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"
urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip

# It is possible to refer to other requirement files or constraints files.
-r other-requirements.txt
-c constraints.txt

# It is possible to refer to specific local distribution paths.
./downloads/numpy-1.9.2-cp34-none-win32.whl

# It is possible to refer to URLs.
http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl
`, "other-requirements.txt": "six", "constraints.txt": "idna<3"},
		want: []string{
			"req requirements.txt:3 pytest",
			"req requirements.txt:4 pytest-cov",
			"req requirements.txt:5 beautifulsoup4",
			"req requirements.txt:8 docopt==0.6.1",
			`req requirements.txt:9 requests[security]==2.8.*,>=2.8.1; python_version < "2.7"`,
			"req requirements.txt:10 urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip",
			"req other-requirements.txt:1 six",
			"req requirements.txt:17 numpy @ file://$DIR/downloads/numpy-1.9.2-cp34-none-win32.whl version=1.9.2",
			"req requirements.txt:20 wxPython-Phoenix @ http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl version=3.0.3.dev1820+49a8884",
			"con constraints.txt:1 idna<3",
			`warning requirements.txt:17: requirement "./downloads/numpy-1.9.2-cp34-none-win32.whl" looks like a filename, but the file does not exist`}},

	// Requirement lines (pip TestProcessLine).
	{name: "plain name", files: map[string]string{"requirements.txt": "SomeProject"},
		want: []string{"req requirements.txt:1 SomeProject"}},
	{name: "spaces in specifier", files: map[string]string{"requirements.txt": "SomeProject >= 2"},
		want: []string{"req requirements.txt:1 SomeProject>=2"}},
	{name: "line number of a later line", files: map[string]string{"requirements.txt": "\n\n# x\nfoo[bar,baz]==1.0 ; python_version < '3.10'"},
		want: []string{`req requirements.txt:4 foo[bar,baz]==1.0; python_version < "3.10"`}},
	{name: "pep 508 direct reference", files: map[string]string{"requirements.txt": "SomeProject @ https://url/SomeProject-py2-py3-none-any.whl"},
		want: []string{"req requirements.txt:1 SomeProject @ https://url/SomeProject-py2-py3-none-any.whl"}},
	{name: "empty marker is dropped", files: map[string]string{"requirements.txt": "foo==1 ;"},
		want: []string{"req requirements.txt:1 foo==1"}},
	{name: "only one requirement per line", files: map[string]string{"requirements.txt": "req1 req2"},
		wantErr: `requirements.txt:1:6: invalid requirement "req1 req2": Expected semicolon (after name with no version specifier) or end; check the syntax (PEP 508)`},
	{name: "= is not an operator", file: "path/requirements.txt", files: map[string]string{"path/requirements.txt": "\n\nmy-package=1.0"},
		wantErr: `path/requirements.txt:3:11: invalid requirement "my-package=1.0": Expected semicolon (after name with no version specifier) or end; = is not a valid operator: did you mean ==?`},
	{name: "~= with one release segment", files: map[string]string{"requirements.txt": "flask~=3"},
		wantErr: `requirements.txt:1:6: invalid requirement "flask~=3": Expected semicolon (after name with no version specifier) or end; ~= needs at least two release segments (e.g. ~=3.0)`},
	{name: "operator without a version", files: map[string]string{"requirements.txt": "flask== ; python_version > '3'"},
		wantErr: `requirements.txt:1:6: invalid requirement "flask== ; python_version > '3'": Expected semicolon (after name with no version specifier) or end; missing version after ==`},
	{name: "bad specifier", files: map[string]string{"requirements.txt": "foo>=1.0.x"},
		wantErr: `requirements.txt:1:9: invalid requirement "foo>=1.0.x": Expected comma (within version specifier), semicolon (after version specifier) or end; check the syntax (PEP 508)`},

	// Hashes (pip test_hash_options, test_parser_offending_line).
	{name: "several hashes", files: map[string]string{"requirements.txt": "SomeProject --hash=sha256:" + sha256a + " --hash=sha384:" + sha384a + " \\\n  --hash=sha256:" + strings.ToUpper(sha256b)},
		want: []string{"req requirements.txt:1 SomeProject hashes=sha256:" + sha256a + ",sha384:" + sha384a + ",sha256:" + sha256b}},
	{name: "weak or misspelt algorithm (pip's STRONG_HASHES, case-sensitive)", files: map[string]string{"requirements.txt": "foo --hash=SHA256:abcd"},
		wantErr: `requirements.txt:1: --hash "SHA256:abcd": allowed hash algorithms for --hash are sha256, sha384, sha512`},
	{name: "md5 is not allowed", files: map[string]string{"requirements.txt": "foo --hash=md5:d41d8cd98f00b204e9800998ecf8427e"},
		wantErr: `requirements.txt:1: --hash "md5:d41d8cd98f00b204e9800998ecf8427e": allowed hash algorithms for --hash are sha256, sha384, sha512`},
	{name: "hash without algorithm", files: map[string]string{"requirements.txt": "pkg==1.0.0 --hash=somehash"},
		wantErr: `requirements.txt:1: --hash "somehash" is not algorithm:digest; write --hash=sha256:<hex digest>`},
	// pip accepts any digest text (its own test vector is sha256:somehash);
	// one that can never match is kept, with a warning.
	{name: "hash not hex (pip's vector) is kept with a warning", files: map[string]string{"requirements.txt": "pkg==1.0.0 --hash=sha256:somehash"},
		want: []string{"req requirements.txt:1 pkg==1.0.0 hashes=sha256:somehash",
			"warning requirements.txt:1: --hash \"sha256:somehash\" is not a 64-digit hex sha256 digest and can never match a file; copy it from `pip hash` or the index"}},
	{name: "hash too short is kept with a warning", files: map[string]string{"requirements.txt": "pkg==1.0.0 --hash=sha256:ABCD"},
		want: []string{"req requirements.txt:1 pkg==1.0.0 hashes=sha256:ABCD",
			"warning requirements.txt:1: --hash \"sha256:ABCD\" is not a 64-digit hex sha256 digest and can never match a file; copy it from `pip hash` or the index"}},
	{name: "hash on an option line is ignored", files: map[string]string{"requirements.txt": "--hash=sha256:" + sha256a},
		want: []string{"warning requirements.txt:1: --hash without a requirement on its line is ignored (as by pip); put it on the requirement's line"}},

	// Per-requirement options with no effect, and file options on a requirement line.
	{name: "global options on a requirement line", files: map[string]string{"requirements.txt": `SomeProject --global-option="yo3" --global-option "yo4" --config-settings=k=v`},
		want: []string{"req requirements.txt:1 SomeProject",
			"warning requirements.txt:1: --global-option has no effect in req2nix",
			"warning requirements.txt:1: --global-option has no effect in req2nix",
			"warning requirements.txt:1: --config-settings has no effect in req2nix"}},
	{name: "config settings need KEY=VALUE", files: map[string]string{"requirements.txt": "foo -C novalue"},
		wantErr: `requirements.txt:1: --config-settings "novalue" is not KEY=VALUE; write --config-settings=KEY=VALUE`},
	{name: "file option on a requirement line is ignored", files: map[string]string{"requirements.txt": "foo --pre -i https://x"},
		want: []string{"req requirements.txt:1 foo",
			"warning requirements.txt:1: --pre is ignored on the line of a requirement (as by pip); put it on a line of its own",
			"warning requirements.txt:1: --pypi-url is ignored on the line of a requirement (as by pip); put it on a line of its own"}},
	{name: "install-option was removed from pip", files: map[string]string{"requirements.txt": "INITools==2.0 --install-option=--prefix=/opt"},
		wantErr: `requirements.txt:1: unknown option "--install-option"; remove it or use one of pip's requirements-file options`},

	// File options (pip test_set_finder_*, TestOptionVariants).
	{name: "index url variants", files: map[string]string{"requirements.txt": "-i url\n-i 'url'\n--index-url=url\n--index-url url\n--index-url='url'\n-iurl\n--index=url"},
		want: []string{"index url (requirements.txt:1)"}},
	{name: "two index urls: the last wins, as in pip (pip test_set_finder_index_url)", files: map[string]string{"requirements.txt": "-i https://a\n\n-i https://b"},
		want: []string{"index https://b (requirements.txt:3)",
			"warning requirements.txt:3: --index-url https://b replaces --index-url https://a from requirements.txt:1 (as pip, the last one is used); make the other an --extra-index-url if both are needed"}},
	{name: "file options", files: map[string]string{"requirements.txt": "--extra-index-url url1 \n--extra-index-url url2 \n--no-index\n--find-links=url\n-f url2\n--trusted-host=host1 --trusted-host=host2:8080\n--pre\n--require-hashes"},
		want: []string{"extra-index url1 url2", "find-links url url2", "trusted-host host1 host2:8080", "all-releases :all:", "no-index", "pre", "require-hashes"}},
	{name: "joined option lines", files: map[string]string{"requirements.txt": "--extra-index-url url1 \\\n--extra-index-url url2"},
		want: []string{"extra-index url1 url2"}},
	{name: "relative find-links that exists", files: map[string]string{"sub/requirements.txt": "--find-links rel_path\n--find-links missing", "sub/rel_path/": ""}, file: "sub/requirements.txt",
		want: []string{"find-links sub/rel_path missing"}},
	{name: "options without effect", files: map[string]string{"requirements.txt": "--prefer-binary\n--use-feature=fast-deps"},
		want: []string{"warning requirements.txt:1: --prefer-binary has no effect in req2nix", "warning requirements.txt:2: --use-feature has no effect in req2nix"}},
	{name: "a feature pip does not know", files: map[string]string{"requirements.txt": "foo\n--use-feature=2020-resolver"},
		wantErr: `requirements.txt:2: --use-feature "2020-resolver" is not a feature pip knows (fast-deps, build-constraint, inprocess-build-deps, truststore, no-binary-enable-wheel-cache); remove it or fix its spelling`},
	{name: "features are checked on requirement lines too", files: map[string]string{"requirements.txt": "foo --use-feature Fast-Deps"},
		wantErr: `requirements.txt:1: --use-feature "Fast-Deps" is not a feature pip knows (fast-deps, build-constraint, inprocess-build-deps, truststore, no-binary-enable-wheel-cache); remove it or fix its spelling`},
	{name: "features now always on", files: map[string]string{"requirements.txt": "--use-feature truststore --use-feature=no-binary-enable-wheel-cache"},
		want: []string{"warning requirements.txt:1: --use-feature has no effect in req2nix", "warning requirements.txt:1: --use-feature has no effect in req2nix"}},
	{name: "a line that is only a dash", files: map[string]string{"requirements.txt": "foo\n-\nbar"},
		wantErr: `requirements.txt:2: a line that is only "-" is neither a requirement nor an option; remove it`},
	{name: "a dash as a list marker", files: map[string]string{"requirements.txt": "- requests>=2 ; python_version > '3'"},
		wantErr: `requirements.txt:1: "-" on its own is no option, so pip ignores this whole line and "requests>=2 ; python_version > '3'" with it; remove the "-" (a list marker?) to require requests>=2 ; python_version > '3'`},
	{name: "a dash after the options", files: map[string]string{"requirements.txt": "--pre -"},
		want: []string{"all-releases :all:", "pre", `warning requirements.txt:1: "-" after the options is ignored (as by pip); put each requirement on a line of its own`}},
	{name: "unknown option", files: map[string]string{"requirements.txt": "--bogus"},
		wantErr: `requirements.txt:1: unknown option "--bogus"; remove it or use one of pip's requirements-file options`},
	{name: "unknown short option", files: map[string]string{"requirements.txt": "foo\n-x"},
		wantErr: `requirements.txt:2: unknown option "-x"; remove it or use one of pip's requirements-file options`},
	{name: "ambiguous abbreviation", files: map[string]string{"requirements.txt": "--pr"},
		wantErr: `requirements.txt:1: ambiguous option "--pr" (--pre, --prefer-binary); spell the option out`},
	{name: "missing value", files: map[string]string{"requirements.txt": "--index-url"},
		wantErr: "requirements.txt:1: option --pypi-url needs a value; write --pypi-url=<value>"},
	{name: "flag with a value", files: map[string]string{"requirements.txt": "--pre=yes"},
		wantErr: "requirements.txt:1: option --pre takes no value; write just --pre"},
	{name: "unclosed quote", files: map[string]string{"requirements.txt": "-i 'url"},
		wantErr: `requirements.txt:1: cannot split options "-i 'url": No closing quotation; close the quote or escape it with a backslash`},
	{name: "words after options", files: map[string]string{"requirements.txt": "--pre foo bar"},
		want: []string{"all-releases :all:", "pre", `warning requirements.txt:1: "foo bar" after the options is ignored (as by pip); put each requirement on a line of its own`}},
	{name: "double dash ends options", files: map[string]string{"requirements.txt": "--pre -- --no-index"},
		want: []string{"all-releases :all:", "pre", `warning requirements.txt:1: "--no-index" after the options is ignored (as by pip); put each requirement on a line of its own`}},

	// --no-binary / --only-binary (pip FormatControl.handle_mutual_excludes).
	{name: "no-binary and only-binary", files: map[string]string{"requirements.txt": "# Options\n--no-binary fred\n--only-binary wilma"},
		want: []string{"no-binary fred", "only-binary wilma"}},
	{name: "names normalised, mutual exclusion", files: map[string]string{"requirements.txt": "--no-binary Foo_Bar,baz\n--only-binary foo.bar"},
		want: []string{"no-binary baz", "only-binary foo-bar"}},
	{name: ":all: clears both", files: map[string]string{"requirements.txt": "--only-binary a\n--no-binary b,:all:,c"},
		want: []string{"no-binary :all:"}},
	{name: ":all: then :none:", files: map[string]string{"requirements.txt": "--no-binary :all:,:none:,c"},
		want: []string{"no-binary c"}},
	{name: ":none: empties", files: map[string]string{"requirements.txt": "--no-binary a\n--no-binary :none:"}},
	{name: "on a requirement line too", files: map[string]string{"requirements.txt": "foo --only-binary :all:"},
		want: []string{"req requirements.txt:1 foo", "only-binary :all:"}},
	{name: "value must not be an option", files: map[string]string{"requirements.txt": "--no-binary --pre"},
		wantErr: `requirements.txt:1: option --no-binary needs a value, not "--pre"; write --no-binary=<names>`},

	// --all-releases / --only-final (pip ReleaseControl, tests/unit/test_release_control.py).
	{name: "all-releases overrides only-final for a name", files: map[string]string{"requirements.txt": "--only-final=:all:\n--all-releases=fred"},
		want: []string{"all-releases fred", "only-final :all:"}},
	{name: "only-final overrides all-releases for a name", files: map[string]string{"requirements.txt": "--all-releases=:all:\n--only-final=Fred"},
		want: []string{"all-releases :all:", "only-final fred"}},
	{name: ":none: resets", files: map[string]string{"requirements.txt": "--all-releases=:all:\n--all-releases=:none:"}},
	{name: ":none: keeps the other side", files: map[string]string{"requirements.txt": "--all-releases=:all: --only-final=fred --all-releases=:none:"},
		want: []string{"only-final fred"}},
	{name: "comma-separated names", files: map[string]string{"requirements.txt": "--all-releases=pkg1,Pkg_2,pkg.3"},
		want: []string{"all-releases pkg1 pkg-2 pkg-3"}},
	{name: "a name moves between the lists", files: map[string]string{"requirements.txt": "--all-releases a,b\n--only-final b"},
		want: []string{"all-releases a", "only-final b"}},
	{name: "--pre adds :all: without clearing only-final", files: map[string]string{"requirements.txt": "--only-final foo\n--pre"},
		want: []string{"all-releases :all:", "only-final foo", "pre"}},
	{name: "release control on a requirement line too", files: map[string]string{"requirements.txt": "foo --only-final foo"},
		want: []string{"req requirements.txt:1 foo", "only-final foo"}},
	{name: "release control value must not be an option", files: map[string]string{"requirements.txt": "--all-releases --pre"},
		wantErr: `requirements.txt:1: option --all-releases needs a value, not "--pre"; write --all-releases=<names>`},
	{name: "only- is ambiguous", files: map[string]string{"requirements.txt": "--only- foo"},
		wantErr: `requirements.txt:1: ambiguous option "--only-" (--only-binary, --only-final); spell the option out`},
	{name: "all-releases abbreviated", files: map[string]string{"requirements.txt": "--all foo"},
		want: []string{"all-releases foo"}},

	// Includes (pip test_*_nested_*).
	{name: "relative nested requirements", file: "parent/req_file.txt", files: map[string]string{"parent/req_file.txt": "-r reqs.txt", "parent/reqs.txt": "hello"},
		want: []string{"req parent/reqs.txt:1 hello"}},
	{name: "nested constraints", file: "parent/req_file.txt", files: map[string]string{"parent/req_file.txt": "-c reqs.txt", "parent/reqs.txt": "hello"},
		want: []string{"con parent/reqs.txt:1 hello"}},
	// pip: -r inside a constraints file includes requirements, -c constraints.
	{name: "-r in a constraints file includes requirements (as pip)", files: map[string]string{"requirements.txt": "a\n--constraint c.txt\nb", "c.txt": "-r more.txt\n-c con.txt", "more.txt": "x<2", "con.txt": "y<3"},
		want: []string{"req requirements.txt:1 a", "req more.txt:1 x<2", "req requirements.txt:3 b", "con con.txt:1 y<3"}},
	{name: "absolute include", files: map[string]string{"requirements.txt": "-r $DIR/other/reqs.txt", "other/reqs.txt": "hello"},
		want: []string{"req $DIR/other/reqs.txt:1 hello"}},
	{name: "file URL include", files: map[string]string{"requirements.txt": "-r file://$DIR/other.txt", "other.txt": "hello"},
		want: []string{"req $DIR/other.txt:1 hello"}},
	{name: "remote include", files: map[string]string{"requirements.txt": "-r http://me.com/me/reqs.txt"},
		wantErr: "requirements.txt:1: remote requirements file http://me.com/me/reqs.txt is not supported; download it and include the local copy"},
	{name: "missing include", files: map[string]string{"requirements.txt": "-r nope.txt"},
		wantErr: "requirements.txt:1: nope.txt: cannot open: no such file or directory; check the path"},
	{name: "include cycle", files: map[string]string{"requirements.txt": "-r a/b.txt", "a/b.txt": "x\n-c ../requirements.txt"},
		wantErr: "a/b.txt:2: include cycle requirements.txt -> a/b.txt -> requirements.txt; remove one of these -r/-c lines"},
	{name: "self include", files: map[string]string{"requirements.txt": "-r ./requirements.txt"},
		wantErr: "requirements.txt:1: include cycle requirements.txt -> requirements.txt; remove one of these -r/-c lines"},
	{name: "longer cycle (pip test_recursive_requirements_file)", file: "0.txt", files: map[string]string{"0.txt": "-r 1.txt", "1.txt": "-r 2.txt", "2.txt": "-r 3.txt", "3.txt": "-r 0.txt"},
		wantErr: "3.txt:1: include cycle 0.txt -> 1.txt -> 2.txt -> 3.txt -> 0.txt; remove one of these -r/-c lines"},
	{name: "relative cycle through other directories", file: "root.txt", files: map[string]string{"root.txt": "-r level-1/level-1.txt", "level-1/level-1.txt": "-r level-2/level-2.txt", "level-1/level-2/level-2.txt": "--requirement ../../root.txt"},
		wantErr: "level-1/level-2/level-2.txt:1: include cycle root.txt -> level-1/level-1.txt -> level-1/level-2/level-2.txt -> root.txt; remove one of these -r/-c lines"},
	{name: "options in included files apply", files: map[string]string{"requirements.txt": "-c c.txt\na", "c.txt": "--pre\n--extra-index-url https://x\nb<2"},
		// (--pre is pip's --all-releases=:all:)
		want: []string{"req requirements.txt:2 a", "con c.txt:3 b<2", "extra-index https://x", "all-releases :all:", "pre"}},
	{name: "diamond includes are not cycles", files: map[string]string{"requirements.txt": "-r a.txt\n-r b.txt", "a.txt": "-r c.txt", "b.txt": "-r c.txt", "c.txt": "z"},
		want: []string{"req c.txt:1 z", "req c.txt:1 z"}},
	{name: "other options on an include line", files: map[string]string{"requirements.txt": "-r a.txt --pre -c b.txt", "a.txt": "z"},
		want: []string{"req a.txt:1 z",
			"warning requirements.txt:1: --pre is ignored on the line of --requirement (as by pip); put it on a line of its own",
			"warning requirements.txt:1: --constraint is ignored on the line of --requirement (as by pip); put it on a line of its own"}},
	{name: "constraints must not be editable", files: map[string]string{"requirements.txt": "-c c.txt", "c.txt": "-e git+https://url#egg=SomeProject"},
		wantErr: `c.txt:1: editable requirements are not allowed as constraints; move "SomeProject" to a requirements file`},
	{name: "constraints must not have extras", files: map[string]string{"requirements.txt": "-c c.txt", "c.txt": "foo[bar]<2"},
		wantErr: `c.txt:1: constraints cannot have extras; write "foo" without [bar]`},

	// Environment variables (pip test_expand_*_env_variables).
	{name: "expanded variables", env: map[string]string{"GITHUB_TOKEN": "notarealtoken", "DO_12_FACTOR": "awwyeah"},
		files: map[string]string{"requirements.txt": "https://${GITHUB_TOKEN}:x-oauth-basic@github.com/user/${DO_12_FACTOR}/archive/master.zip#egg=repo"},
		want:  []string{"req requirements.txt:1 repo @ https://notarealtoken:x-oauth-basic@github.com/user/awwyeah/archive/master.zip#egg=repo"}},
	{name: "missing variables stay", files: map[string]string{"requirements.txt": "https://${NON_EXISTENT_VARIABLE}:$WRONG_FORMAT@%WINDOWS_FORMAT%github.com/user/repo/archive/repo-1.0.zip"},
		want: []string{"req requirements.txt:1 repo @ https://${NON_EXISTENT_VARIABLE}:$WRONG_FORMAT@%WINDOWS_FORMAT%github.com/user/repo/archive/repo-1.0.zip version=1.0"}},

	// URLs and paths (pip test_req_file_parse_*, parse_req_from_line).
	{name: "comment after URL", files: map[string]string{"requirements.txt": "https://example.com/foo-1.0.tar.gz # Comment "},
		want: []string{"req requirements.txt:1 foo @ https://example.com/foo-1.0.tar.gz version=1.0"}},
	{name: "egg fragment names a URL", files: map[string]string{"requirements.txt": "https://example.com/foo.tar.gz#egg=wat"},
		want: []string{"req requirements.txt:1 wat @ https://example.com/foo.tar.gz#egg=wat"}},
	{name: "egg fragment with extras", files: map[string]string{"requirements.txt": "https://example.com/x.zip#egg=Wat[a,b]&subdirectory=sub"},
		want: []string{"req requirements.txt:1 Wat[a,b] @ https://example.com/x.zip#egg=Wat[a,b]&subdirectory=sub"}},
	{name: "invalid egg fragment", files: map[string]string{"requirements.txt": "https://example.com/x.zip#egg=wat==1"},
		wantErr: "requirements.txt:1: #egg=wat==1 is not a project name with optional [extras]; write #egg=<name> or use <name> @ <url>"},
	{name: "wheel URL", files: map[string]string{"requirements.txt": "https://host/foo_bar-1.0_1-1-py3-none-any.whl"},
		want: []string{"req requirements.txt:1 foo-bar @ https://host/foo_bar-1.0_1-1-py3-none-any.whl version=1.0.post1"}},
	{name: "invalid wheel filename", files: map[string]string{"requirements.txt": "https://host/foo.whl"},
		wantErr: "requirements.txt:1: foo.whl is not a valid wheel filename; rename the wheel to name-version-python-abi-platform.whl"},
	{name: "URL without a name: left to the resolver, which reads it", files: map[string]string{"requirements.txt": "https://host/archive/master.zip"},
		want: []string{"req requirements.txt:1  @ https://host/archive/master.zip"}},
	{name: "git URL without a name", files: map[string]string{"requirements.txt": "git+https://github.com/celery/kombu.git ; python_version >= '3.8'"},
		want: []string{`req requirements.txt:1  @ git+https://github.com/celery/kombu.git ; python_version >= "3.8"`}},
	{name: "marker after a URL needs '; '", files: map[string]string{"requirements.txt": "https://host/a-1.0.tar.gz; python_version < \"3.9\""},
		want: []string{`req requirements.txt:1 a @ https://host/a-1.0.tar.gz ; python_version < "3.9" version=1.0`}},
	{name: "VCS URL", files: map[string]string{"requirements.txt": "git+https://host/repo@v1.0#egg=name&subdirectory=pkg"},
		want: []string{"req requirements.txt:1 name @ git+https://host/repo@v1.0#egg=name&subdirectory=pkg"}},
	{name: "VCS URL without egg", files: map[string]string{"requirements.txt": "hg+https://host/repo@tip"},
		want: []string{"req requirements.txt:1  @ hg+https://host/repo@tip"}},
	{name: "local archive", files: map[string]string{"requirements.txt": "./pkgs/foo-1.0.tar.gz[x]", "pkgs/foo-1.0.tar.gz": ""},
		want: []string{"req requirements.txt:1 foo[x] @ file://$DIR/pkgs/foo-1.0.tar.gz version=1.0"}},
	{name: "missing local archive", files: map[string]string{"requirements.txt": "pkgs/foo-1.0.zip"},
		want: []string{"req requirements.txt:1 foo @ file://$DIR/pkgs/foo-1.0.zip version=1.0",
			`warning requirements.txt:1: requirement "pkgs/foo-1.0.zip" looks like a filename, but the file does not exist`}},
	{name: "name @ archive is PEP 508", files: map[string]string{"requirements.txt": "foo @ https://h/foo-1.0.tar.gz"},
		want: []string{"req requirements.txt:1 foo @ https://h/foo-1.0.tar.gz"}},
	{name: "local directory with pyproject", files: map[string]string{"requirements.txt": "./proj[x] ; sys_platform == 'linux'", "proj/pyproject.toml": "[project]\nname = \"My_Proj\"\n"},
		want: []string{`req requirements.txt:1 My_Proj[x] @ file://$DIR/proj ; sys_platform == "linux"`}},
	{name: "local directory not installable", files: map[string]string{"requirements.txt": "./empty", "empty/": ""},
		wantErr: `requirements.txt:1: directory "./empty" is not installable: it has neither setup.py nor pyproject.toml; point to the project's root directory`},
	{name: "local directory without a declared name", files: map[string]string{"requirements.txt": "./proj", "proj/setup.py": ""},
		wantErr: "requirements.txt:1: cannot tell the project name of directory $DIR/proj: neither pyproject.toml [project] name nor setup.cfg [metadata] name is set, and setup.py was read but no setup() call; set one of them, or write <name> @ <path>"},
	{name: "local directory named by setup.py's literal name", files: map[string]string{"requirements.txt": "-e ./proj[ci]", "proj/setup.py": "from setuptools import setup\nNAME = 'jax'\nsetup(name=NAME, version=get_version())\n"},
		want: []string{"req requirements.txt:1 jax[ci] @ file://$DIR/proj editable"}},
	{name: "local directory whose setup.py computes its name", files: map[string]string{"requirements.txt": "./proj", "proj/setup.py": "from setuptools import setup\nsetup(name=read_name(), version='1')\n"},
		wantErr: "requirements.txt:1: cannot tell the project name of directory $DIR/proj: neither pyproject.toml [project] name nor setup.cfg [metadata] name is set, and setup.py was read but its name = read_name() is computed; set one of them, or write <name> @ <path>"},

	{name: "invalid marker after a URL", files: map[string]string{"requirements.txt": "https://host/a-1.0.tar.gz; python_version <"},
		wantErr: `requirements.txt:1: invalid marker "python_version <": Expected a marker variable or quoted string; check the marker's syntax (PEP 508)`},
	{name: "invalid extras after a path", files: map[string]string{"requirements.txt": "./a-1.0.tar.gz[x y]", "a-1.0.tar.gz": ""},
		wantErr: `requirements.txt:1: invalid extras "[x y]": Expected comma between extra names; write [extra1,extra2]`},
	{name: "URL that is not a valid direct reference", files: map[string]string{"requirements.txt": "https://host/a b/x-1.0.zip"},
		wantErr: `requirements.txt:1: x @ https://host/a b/x-1.0.zip is not a valid direct reference: Expected semicolon (after URL and whitespace) or end; percent-encode spaces and special characters in the URL`},

	// Editables (pip test_yield_editable_*, parse_editable).
	{name: "editable VCS", files: map[string]string{"requirements.txt": "-e git+https://url#egg=SomeProject"},
		want: []string{"req requirements.txt:1 SomeProject @ git+https://url#egg=SomeProject editable"}},
	{name: "editable long option and = spelling", files: map[string]string{"requirements.txt": "--editable=svn+https://h/r#egg=p"},
		want: []string{"req requirements.txt:1 p @ svn+https://h/r#egg=p editable"}},
	{name: "editable bare VCS scheme", files: map[string]string{"requirements.txt": "-e git://h/r#egg=p"},
		want: []string{"req requirements.txt:1 p @ git+git://h/r#egg=p editable"}},
	{name: "editable directory named by setup.cfg", files: map[string]string{"requirements.txt": "-e .[dev]", "setup.py": "", "setup.cfg": "[options]\nname = no\n[metadata]\nname: cfg-name\n"},
		want: []string{"req requirements.txt:1 cfg-name[dev] @ file://$DIR editable"}},
	{name: "editable directory named by poetry", files: map[string]string{"requirements.txt": "-e sub", "sub/pyproject.toml": "[tool.poetry]\nname = \"poetic\"\n"},
		want: []string{"req requirements.txt:1 poetic @ file://$DIR/sub editable"}},
	{name: "editable that is neither", files: map[string]string{"requirements.txt": "-e nothing-here"},
		wantErr: "requirements.txt:1: -e nothing-here is neither a local project directory nor a VCS URL; give an existing directory or a git+, hg+, svn+ or bzr+ URL"},
	{name: "editable VCS without egg", files: map[string]string{"requirements.txt": "-e bzr+https://h/r"},
		want: []string{"req requirements.txt:1  @ bzr+https://h/r editable"}},
	{name: "options on an editable line", files: map[string]string{"requirements.txt": "-e git+https://h/r#egg=p -e git+https://h/q#egg=q --hash=sha256:" + sha256a},
		want: []string{"req requirements.txt:1 p @ git+https://h/r#egg=p editable",
			"warning requirements.txt:1: only the first -e of a line is used (as by pip); put each on a line of its own",
			"warning requirements.txt:1: --hash is ignored on the line of an editable requirement (as by pip); put it on a line of its own"}},

	// Encoding.
	{name: "BOM and CRLF", files: map[string]string{"requirements.txt": "\uFEFFfoo\r\nbar\r\n"},
		want: []string{"req requirements.txt:1 foo", "req requirements.txt:2 bar"}},
	{name: "invalid UTF-8", files: map[string]string{"requirements.txt": "foo\nbär\xff\n"},
		wantErr: "requirements.txt:2:4: invalid UTF-8 (byte 0xff at offset 8); save the file as UTF-8"},
	// what `pip freeze > requirements.txt` writes in Windows PowerShell 5
	{name: "UTF-16 little-endian with BOM", files: map[string]string{"requirements.txt": "\xff\xfe" + utf16LE("foo==1.0\r\nbar; platform_version == \"é€😀\"\r\n")},
		want: []string{"req requirements.txt:1 foo==1.0", `req requirements.txt:2 bar; platform_version == "é€😀"`}},
	{name: "UTF-16 big-endian with BOM", files: map[string]string{"requirements.txt": "\xfe\xff" + utf16BE("foo\n")},
		want: []string{"req requirements.txt:1 foo"}},
	{name: "UTF-32 little-endian with BOM", files: map[string]string{"requirements.txt": "\xff\xfe\x00\x00" + utf32("foo\nbar; platform_version == \"😀\"", false)},
		want: []string{"req requirements.txt:1 foo", `req requirements.txt:2 bar; platform_version == "😀"`}},
	{name: "UTF-32 big-endian with BOM", files: map[string]string{"requirements.txt": "\x00\x00\xfe\xff" + utf32("foo", true)},
		want: []string{"req requirements.txt:1 foo"}},
	{name: "UTF-16 cut in the middle of a character", files: map[string]string{"requirements.txt": "\xff\xfe" + utf16LE("foo\nbar") + "\x00"},
		wantErr: "requirements.txt:2:4: invalid UTF-16-LE (byte 0x00 at offset 16); save the file as UTF-8"},
	{name: "UTF-16 with an unpaired surrogate", files: map[string]string{"requirements.txt": "\xff\xfe" + utf16LE("foo") + "\x00\xd8a\x00"},
		wantErr: "requirements.txt:1:4: invalid UTF-16-LE (byte 0x00 at offset 8); save the file as UTF-8"},
	{name: "coding declaration of Latin-1", files: map[string]string{"requirements.txt": "# -*- coding: latin-1 -*-\nfoo # caf\xe9\nbar; platform_version == \"\xe9\"\n"},
		want: []string{"req requirements.txt:2 foo", `req requirements.txt:3 bar; platform_version == "é"`}},
	{name: "coding declaration on the second line", files: map[string]string{"requirements.txt": "#!x\n# vim: set fileencoding=ISO-8859-1 :\nbar; platform_version == \"\xe9\""},
		want: []string{`req requirements.txt:3 bar; platform_version == "é"`}},
	{name: "coding declaration of Windows-1252", files: map[string]string{"requirements.txt": "# coding=windows-1252\nbar; platform_version == \"\x80\x96\""},
		want: []string{`req requirements.txt:2 bar; platform_version == "€–"`}},
	{name: "byte Windows-1252 leaves undefined", files: map[string]string{"requirements.txt": "# coding: cp1252\nfoo\nbar # \x81"},
		wantErr: "requirements.txt:3:7: invalid Windows-1252 (as line 1 declares) (byte 0x81 at offset 27); save the file as UTF-8"},
	{name: "ASCII declared, another byte found", files: map[string]string{"requirements.txt": "# coding: ascii\nfoo # \xe9"},
		wantErr: "requirements.txt:2:7: invalid ASCII (as line 1 declares) (byte 0xe9 at offset 22); save the file as UTF-8"},
	{name: "UTF-8 coding declaration", files: map[string]string{"requirements.txt": "# coding=utf_8\nfoo # café"},
		want: []string{"req requirements.txt:2 foo"}},
	{name: "coding declaration on the third line is not one", files: map[string]string{"requirements.txt": "#\n#\n# coding: latin-1\nfoo # caf\xe9"},
		wantErr: "requirements.txt:4:10: invalid UTF-8 (byte 0xe9 at offset 31); save the file as UTF-8"},
	{name: "coding declaration after a requirement is not one", files: map[string]string{"requirements.txt": "foo # coding: latin-1\nbar # caf\xe9"},
		wantErr: "requirements.txt:2:10: invalid UTF-8 (byte 0xe9 at offset 31); save the file as UTF-8"},
	{name: "coding declaration of an encoding req2nix lacks", files: map[string]string{"requirements.txt": "# coding: shift_jis\nfoo"},
		wantErr: `requirements.txt:1: the file declares encoding "shift_jis", which req2nix cannot decode (it reads UTF-8, UTF-16 and UTF-32 with a byte order mark, ASCII, Latin-1 and Windows-1252); save the file as UTF-8`},
	{name: "file too large", files: map[string]string{"requirements.txt": strings.Repeat("# padding\n", maxFileSize/10+1)},
		wantErr: "requirements.txt: file is larger than 16 MiB; is this really a dependency file?"},
	{name: "missing file", files: map[string]string{},
		wantErr: "requirements.txt: cannot open: no such file or directory; check the path"},
}

func TestParseFile(t *testing.T) {
	for _, tt := range parseFileTests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			files := map[string]string{}
			dir := writeFiles(t, nil)
			for name, content := range tt.files {
				files[name] = strings.ReplaceAll(content, "$DIR", dir)
			}
			writeInto(t, dir, files)
			name := tt.file
			if name == "" {
				name = "requirements.txt"
			}
			f, err := ParseFile(name)
			checkResult(t, dir, f, err, tt.want, tt.wantErr)
		})
	}
}

// TestErrorFields checks the parts of an *Error and that it wraps pep508's
// syntax error.
func TestErrorFields(t *testing.T) {
	writeFiles(t, map[string]string{"requirements.txt": "ok\nfoo (>=1"})
	_, err := ParseFile("requirements.txt")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if e.Source != (Source{File: "requirements.txt", Line: 2}) || e.Col != 9 {
		t.Errorf("Source %v, Col %d; want requirements.txt:2, column 9", e.Source, e.Col)
	}
	var se *pep508.SyntaxError
	if !errors.As(err, &se) || se.Input != "foo (>=1" {
		t.Errorf("error %v does not wrap pep508's SyntaxError for the line", err)
	}
}

// TestPrereleasePolicy follows pip's test_allows_prereleases: a project
// named in either list wins over ":all:" in the other.
func TestPrereleasePolicy(t *testing.T) {
	tests := []struct {
		all, final []string
		want       pep440.PrereleasePolicy
	}{
		{[]string{"fred"}, nil, pep440.PrereleasesAllow},
		{[]string{"fred"}, []string{":all:"}, pep440.PrereleasesAllow},
		{nil, []string{"fred"}, pep440.PrereleasesDeny},
		{[]string{":all:"}, []string{"fred"}, pep440.PrereleasesDeny},
		{[]string{":all:"}, nil, pep440.PrereleasesAllow},
		{nil, []string{":all:"}, pep440.PrereleasesDeny},
		{nil, nil, pep440.PrereleasesDefault},
		{[]string{"wilma"}, []string{"barney"}, pep440.PrereleasesDefault},
	}
	for _, tt := range tests {
		f := &File{AllReleases: tt.all, OnlyFinal: tt.final}
		if got := f.PrereleasePolicy("Fred"); got != tt.want {
			t.Errorf("all-releases %q, only-final %q: policy for Fred = %v, want %v", tt.all, tt.final, got, tt.want)
		}
	}
}
