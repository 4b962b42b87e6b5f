package vcs

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/vcs/vcstest"
)

// nixHashHex is `nix-hash --type sha256 DIR`: Nix's own NAR hash, in hex.
func nixHashHex(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("nix-hash", "--type", "sha256", dir).Output()
	if err != nil {
		t.Fatalf("nix-hash %s: %v", dir, err)
	}
	return strings.TrimSpace(string(out))
}

// sriHex turns "sha256-<base64>" into hex.
func sriHex(t *testing.T, sri string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sri, "sha256-"))
	if err != nil || !strings.HasPrefix(sri, "sha256-") || len(raw) != 32 {
		t.Fatalf("%q is not an SRI sha256", sri)
	}
	return hex.EncodeToString(raw)
}

// makeTree writes files (see vcstest.WriteTree) and empty directories
// (paths ending in "/") under a new directory.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name := range files {
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
			delete(files, name)
		}
	}
	vcstest.WriteTree(t, dir, files)
	return dir
}

// TestNARHash: NARHash equals Nix's own hash of the same tree, for every
// kind of node NAR has and the corners of its encoding (padding, sorting,
// executable bits, empty files and directories, odd names).
func TestNARHash(t *testing.T) {
	vcstest.NeedTool(t, "nix-hash")
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"one file", map[string]string{"a": "hello\n"}},
		{"empty file", map[string]string{"empty": ""}},
		{"contents of 8 bytes, no padding", map[string]string{"eight": "12345678"}},
		{"executable and not", map[string]string{"run.sh*": "#!/bin/sh\n", "data": "x"}},
		{"symlinks, dangling too", map[string]string{"target": "t", "link": "->target", "dangling": "->nowhere/at/all"}},
		{"nested and empty directories", map[string]string{"a/b/c.txt": "deep", "a/empty/": "", "z/": ""}},
		{"bytewise sorting: upper case, dots, dashes", map[string]string{"B": "1", "a": "2", "a.b": "3", "a-b": "4", "_x": "5", "Z/z": "6"}},
		{"non-ASCII and spaces in names", map[string]string{"café/naïve file.txt": "ü", "日本": "x"}},
		{"larger file", map[string]string{"big": strings.Repeat("0123456789abcdef", 70000) + "tail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeTree(t, tt.files)
			got, err := NARHash(dir)
			if err != nil {
				t.Fatal(err)
			}
			if want := nixHashHex(t, dir); sriHex(t, got) != want {
				t.Errorf("NARHash = %s (hex %s), nix-hash says %s", got, sriHex(t, got), want)
			}
		})
	}
}

// TestNARHashRefuses: what NAR cannot hold (a named pipe) is an error.
func TestNARHashRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := exec.Command("mkfifo", filepath.Join(dir, "fifo")).Run(); err != nil {
		t.Skip("mkfifo:", err)
	}
	if _, err := NARHash(dir); err == nil || !strings.Contains(err.Error(), "cannot be put in a Nix archive") {
		t.Errorf("got %v", err)
	}
}

// BenchmarkNARHash hashes a tree of 2000 files (sizes from bytes to a
// MiB, 40 directories) and reports the time against
// nix-hash's on the same tree, measured in the same process
// ("nix-hash-ratio" < 1: faster than Nix).
func BenchmarkNARHash(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 2000; i++ {
		size := (i * 7919) % (1 << 20 / (1 + i%64))
		p := filepath.Join(dir, "d"+strconv.Itoa(i%40), "f"+strconv.Itoa(i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte(i)}, size), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var nixTime time.Duration
	if _, err := exec.LookPath("nix-hash"); err == nil {
		for range 2 { // the second run, with the files in the page cache as for NARHash
			start := time.Now()
			if err := exec.Command("nix-hash", "--type", "sha256", dir).Run(); err != nil {
				b.Fatal(err)
			}
			nixTime = time.Since(start)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NARHash(dir); err != nil {
			b.Fatal(err)
		}
	}
	if nixTime > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(nixTime), "nix-hash-ratio")
	}
}
