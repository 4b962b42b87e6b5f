package reqfile

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// writeFiles writes name -> content below a new temporary directory,
// makes it the current directory (so messages name files as written) and
// returns its path.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeInto(t, dir, files)
	t.Chdir(dir)
	return dir
}

// writeInto writes name -> content below dir; a name ending in "/" is an
// empty directory.
func writeInto(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		parent := filepath.Dir(p)
		if strings.HasSuffix(name, "/") {
			parent = p // a directory only
		}
		if err := os.MkdirAll(parent, 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// summarize lists what a File holds, one fact a line, so tables can state
// the expected result compactly. dir is replaced by "$DIR".
func summarize(f *File, dir string) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, strings.ReplaceAll(fmt.Sprintf(format, args...), dir, "$DIR"))
	}
	for _, r := range f.Requirements {
		add("req %s", describeRequirement(r))
	}
	for _, r := range f.Constraints {
		add("con %s", describeRequirement(r))
	}
	for _, r := range f.BuildRequires {
		add("build %s", describeRequirement(r))
	}
	if f.IndexURL != "" {
		add("index %s (%s)", f.IndexURL, f.IndexURLSource)
	}
	lists := []struct {
		name string
		vals []string
	}{
		{"extra-index", f.ExtraIndexURLs}, {"find-links", f.FindLinks}, {"trusted-host", f.TrustedHosts},
		{"no-binary", f.NoBinary}, {"only-binary", f.OnlyBinary},
		{"all-releases", f.AllReleases}, {"only-final", f.OnlyFinal},
	}
	for _, l := range lists {
		if len(l.vals) > 0 {
			add("%s %s", l.name, strings.Join(l.vals, " "))
		}
	}
	flags := []struct {
		name string
		on   bool
	}{{"no-index", f.NoIndex}, {"pre", f.Pre}, {"require-hashes", f.RequireHashes}}
	for _, fl := range flags {
		if fl.on {
			add("%s", fl.name)
		}
	}
	if f.RequiresPython != "" {
		add("requires-python %s (%s)", f.RequiresPython, f.RequiresPythonSource)
	}
	if f.ProjectName != "" {
		add("project %s", f.ProjectName)
	}
	for _, w := range f.Warnings {
		add("warning %s", w)
	}
	return out
}

// describeRequirement is "<source> <requirement>" and its flags.
func describeRequirement(r Requirement) string {
	s := r.Source.String() + " " + r.String()
	if r.Editable {
		s += " editable"
	}
	if len(r.Hashes) > 0 {
		s += " hashes=" + strings.Join(r.Hashes, ",")
	}
	if r.Version != "" {
		s += " version=" + r.Version
	}
	if r.AllowPrereleases {
		s += " allow-prereleases"
	}
	return s
}

// checkResult compares a parse result with the expected summary or error.
func checkResult(t *testing.T, dir string, f *File, err error, want []string, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("no error, want %q; got %q", wantErr, summarize(f, dir))
		}
		if got := strings.ReplaceAll(err.Error(), dir, "$DIR"); got != wantErr {
			t.Fatalf("error\n got %q\nwant %q", got, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	got := summarize(f, dir)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("result\n got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// utf16LE and utf16BE encode s as UTF-16 of that byte order, utf32 as
// UTF-32 (big-endian when be), all without a byte order mark.
func utf16LE(s string) string { return encodeUTF16(s, binary.LittleEndian) }
func utf16BE(s string) string { return encodeUTF16(s, binary.BigEndian) }

func encodeUTF16(s string, order binary.AppendByteOrder) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return string(b)
}

func utf32(s string, be bool) string {
	var order binary.AppendByteOrder = binary.LittleEndian
	if be {
		order = binary.BigEndian
	}
	var b []byte
	for _, r := range s {
		b = order.AppendUint32(b, uint32(r))
	}
	return string(b)
}
