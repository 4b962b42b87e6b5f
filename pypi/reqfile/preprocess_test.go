package reqfile

import (
	"reflect"
	"testing"
)

func lines(pairs ...any) []logicalLine {
	var out []logicalLine
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, logicalLine{pairs[i].(int), pairs[i+1].(string)})
	}
	return out
}

// TestPreprocess ports pip's TestPreprocess, TestIgnoreComments and
// TestJoinLines (tests/unit/test_req_file.py) and adds the line-splitting
// and ${VAR} rules of req_file.py.
func TestPreprocess(t *testing.T) {
	env := map[string]string{"GITHUB_TOKEN": "notarealtoken", "DO_12_FACTOR": "awwyeah", "EMPTY": "", "NESTED": "${GITHUB_TOKEN}"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		content string
		want    []logicalLine
	}{
		// pip TestPreprocess
		{"comments and joins 1", "req1 \\\n# comment \\\nreq2\n", lines(1, "req1", 3, "req2")},
		{"comments and joins 2", "req1\\\n# comment\n", lines(1, "req1")},
		{"comments and joins 3", "req1 \\\n# comment\nreq2\n", lines(1, "req1", 3, "req2")},
		// pip TestIgnoreComments
		{"ignore empty line", "\nreq1\nreq2", lines(2, "req1", 3, "req2")},
		{"ignore comment line", "req1\n# comment\nreq2", lines(1, "req1", 3, "req2")},
		{"strip comment", "req1\nreq # comment\nreq2", lines(1, "req1", 2, "req", 3, "req2")},
		// pip TestJoinLines
		{"join lines", "line 1\nline 2:1 \\\nline 2:2\nline 3:1 \\\nline 3:2 \\\nline 3:3\nline 4",
			lines(1, "line 1", 2, "line 2:1 line 2:2", 4, "line 3:1 line 3:2 line 3:3", 7, "line 4")},
		{"last line with escape", "line 1\nline 2 \\", lines(1, "line 1", 2, "line 2")},
		{"backslashes stripped at both ends", "\\\\a\\\\\nb", lines(1, "ab")},
		{"indented comment ends continuation", "a \\\n   # c\nb", lines(1, "a", 3, "b")},
		// comments
		{"comment at start", "# Comment ", nil},
		{"comment after URL", "https://example.com/foo.tar.gz # Comment ", lines(1, "https://example.com/foo.tar.gz")},
		{"fragment is not a comment", "https://example.com/foo.tar.gz#egg=wat", lines(1, "https://example.com/foo.tar.gz#egg=wat")},
		{"comment after tab", "foo\t#c", lines(1, "foo")},
		{"hash inside word then comment", "a#b #c", lines(1, "a#b")},
		// line boundaries of str.splitlines
		{"CRLF", "a\r\nb\r\n", lines(1, "a", 2, "b")},
		{"CR", "a\rb", lines(1, "a", 2, "b")},
		{"form feed and vertical tab", "a\fb\vc", lines(1, "a", 2, "b", 3, "c")},
		{"unicode separators", "a\u2028b\u2029c\u0085d\x1ce", lines(1, "a", 2, "b", 3, "c", 4, "d", 5, "e")},
		{"continuation across CRLF", "a \\\r\nb", lines(1, "a b")},
		// ${VAR} expansion
		{"expand existing variables", "https://${GITHUB_TOKEN}:x-oauth-basic@github.com/user/${DO_12_FACTOR}/archive/master.zip",
			lines(1, "https://notarealtoken:x-oauth-basic@github.com/user/awwyeah/archive/master.zip")},
		{"missing and wrongly written variables stay", "https://${NON_EXISTENT_VARIABLE}:$WRONG_FORMAT@%WINDOWS_FORMAT%github.com/user/repo/archive/master.zip",
			lines(1, "https://${NON_EXISTENT_VARIABLE}:$WRONG_FORMAT@%WINDOWS_FORMAT%github.com/user/repo/archive/master.zip")},
		{"empty variable stays", "${EMPTY}x", lines(1, "${EMPTY}x")},
		{"lower-case names are not variables", "${github_token}", lines(1, "${github_token}")},
		{"expansion after comment stripping", "a # ${GITHUB_TOKEN}", lines(1, "a")},
		{"every occurrence replaced", "${DO_12_FACTOR}-${DO_12_FACTOR}", lines(1, "awwyeah-awwyeah")},
		{"values are expanded in order, as pip's replace loop does", "${NESTED} ${GITHUB_TOKEN}", lines(1, "notarealtoken notarealtoken")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := preprocess(tt.content, getenv)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("preprocess(%q)\n got %+v\nwant %+v", tt.content, got, tt.want)
			}
		})
	}
}

// TestBreakArgsOptions ports pip's TestBreakOptionsArgs.
func TestBreakArgsOptions(t *testing.T) {
	tests := []struct{ line, args, opts string }{
		{"--option", "", "--option"},
		{"arg arg", "arg arg", ""},
		{"arg arg -s", "arg arg", "-s"},
		{"arg arg --long", "arg arg", "--long"},
		{"foo ; python_version < '3' --hash=x", "foo ; python_version < '3'", "--hash=x"},
		{"foo\t--hash=x", "foo\t--hash=x", ""},
	}
	for _, tt := range tests {
		args, opts := breakArgsOptions(tt.line)
		if args != tt.args || opts != tt.opts {
			t.Errorf("breakArgsOptions(%q) = %q, %q; want %q, %q", tt.line, args, opts, tt.args, tt.opts)
		}
	}
}

// TestShlexSplit checks the POSIX shlex rules pip tokenises options with.
func TestShlexSplit(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr error
	}{
		{"-i url", []string{"-i", "url"}, nil},
		{"-i 'url'", []string{"-i", "url"}, nil},
		{"--index-url='url'", []string{"--index-url=url"}, nil},
		{`--global-option="yo3" --global-option "yo 4"`, []string{"--global-option=yo3", "--global-option", "yo 4"}, nil},
		{"  a\t b  ", []string{"a", "b"}, nil},
		{`a\ b`, []string{"a b"}, nil},
		{`"a\"b\\c\d"`, []string{`a"b\c\d`}, nil},
		{`'a\b'`, []string{`a\b`}, nil},
		{`'' ""`, []string{"", ""}, nil},
		{`a'b'"c"`, []string{"abc"}, nil},
		{`a # b`, []string{"a", "#", "b"}, nil},
		{`'open`, nil, errNoClosingQuote},
		{`"open\"`, nil, errNoClosingQuote},
		{`trailing\`, nil, errNoEscapedChar},
	}
	for _, tt := range tests {
		got, err := shlexSplit(tt.in)
		if err != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shlexSplit(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestStripExtras checks pip's _strip_extras, ^(.+)(\[[^\]]+\])$.
func TestStripExtras(t *testing.T) {
	tests := []struct{ in, path, extras string }{
		{"./x[a,b]", "./x", "[a,b]"},
		{"a[b][c]", "a[b]", "[c]"},
		{"[b]", "[b]", ""},
		{"a[]", "a[]", ""},
		{"a[b]]", "a[b]]", ""},
		{"a[b", "a[b", ""},
		{"a", "a", ""},
	}
	for _, tt := range tests {
		if p, e := stripExtras(tt.in); p != tt.path || e != tt.extras {
			t.Errorf("stripExtras(%q) = %q, %q; want %q, %q", tt.in, p, e, tt.path, tt.extras)
		}
	}
}
