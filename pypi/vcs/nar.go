package vcs

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// NARHash is the content hash Nix gives the directory dir (a fixed-output
// fetch with outputHashMode = "recursive", as pkgs.fetchgit's): the sha256
// of the directory's NAR serialisation, in SRI form ("sha256-<base64>").
// `nix-hash --type sha256 DIR` prints the same digest in hex.
func NARHash(dir string) (string, error) {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 64<<10)
	n := narWriter{w: w}
	n.str("nix-archive-1")
	if err := n.node(dir); err != nil {
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// narWriter writes the NAR serialisation (Eelco Dolstra's thesis, fig.
// 5.2): every string is its length as a little-endian uint64, its bytes
// and zero padding to a multiple of 8; a node is "(" "type" <type> ...
// ")"; directory entries are sorted by name, bytewise.
type narWriter struct {
	w   *bufio.Writer
	buf [8]byte
}

func (n *narWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(n.buf[:], v)
	n.w.Write(n.buf[:])
}

func (n *narWriter) pad(size uint64) {
	if r := size % 8; r != 0 {
		n.w.Write(make([]byte, 8-r))
	}
}

func (n *narWriter) str(s string) {
	n.u64(uint64(len(s)))
	n.w.WriteString(s)
	n.pad(uint64(len(s)))
}

// node writes the file, symlink or directory at p.
func (n *narWriter) node(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	n.str("(")
	n.str("type")
	switch mode := fi.Mode(); {
	case mode.IsRegular():
		err = n.regular(p, fi)
	case mode&fs.ModeSymlink != 0:
		err = n.symlink(p)
	case mode.IsDir():
		err = n.directory(p)
	default:
		err = fmt.Errorf("%s: a %s cannot be put in a Nix archive", p, mode.Type())
	}
	if err != nil {
		return err
	}
	n.str(")")
	return nil
}

func (n *narWriter) regular(p string, fi fs.FileInfo) error {
	n.str("regular")
	if fi.Mode()&0o100 != 0 { // Nix records the owner's execute bit only
		n.str("executable")
		n.str("")
	}
	n.str("contents")
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	size := uint64(fi.Size())
	n.u64(size)
	copied, err := io.Copy(n.w, io.LimitReader(f, int64(size)))
	if err != nil {
		return err
	}
	if uint64(copied) != size {
		return fmt.Errorf("%s changed while it was hashed", p)
	}
	n.pad(size)
	return nil
}

func (n *narWriter) symlink(p string) error {
	target, err := os.Readlink(p)
	if err != nil {
		return err
	}
	n.str("symlink")
	n.str("target")
	n.str(target)
	return nil
}

func (n *narWriter) directory(p string) error {
	n.str("directory")
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	sort.Strings(names) // bytewise, as Nix sorts them
	for _, name := range names {
		n.str("entry")
		n.str("(")
		n.str("name")
		n.str(name)
		n.str("node")
		if err := n.node(filepath.Join(p, name)); err != nil {
			return err
		}
		n.str(")")
	}
	return nil
}
