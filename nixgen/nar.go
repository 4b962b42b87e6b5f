package nixgen

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// narHash returns the SRI sha256 of the Nix archive (NAR) serialisation
// of the directory root, as Nix computes it for fetchTarball's sha256 and
// a flake.lock's narHash (nix-hash --type sha256 DIR prints the same
// digest in hex). Symbolic links are hashed, never followed.
func narHash(root *os.Root) (string, error) {
	h := sha256.New()
	w := narWriter{h: h}
	w.str("nix-archive-1")
	if err := w.node(root, "."); err != nil {
		return "", err
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// narWriter writes the NAR format: every token a string of a 64-bit
// little-endian length, the bytes and zero padding to 8 bytes.
type narWriter struct{ h hash.Hash }

func (w narWriter) str(s string) {
	w.length(uint64(len(s)))
	io.WriteString(w.h, s)
	w.pad(uint64(len(s)))
}

func (w narWriter) length(n uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	w.h.Write(b[:])
}

func (w narWriter) pad(n uint64) {
	var zero [8]byte
	if r := n % 8; r != 0 {
		w.h.Write(zero[:8-r])
	}
}

func (w narWriter) node(root *os.Root, name string) error {
	st, err := root.Lstat(name)
	if err != nil {
		return err
	}
	w.str("(")
	switch {
	case st.Mode().IsRegular():
		w.str("type")
		w.str("regular")
		if st.Mode()&0o100 != 0 {
			w.str("executable")
			w.str("")
		}
		w.str("contents")
		if err := w.contents(root, name, st.Size()); err != nil {
			return err
		}
	case st.Mode()&fs.ModeSymlink != 0:
		target, err := root.Readlink(name)
		if err != nil {
			return err
		}
		w.str("type")
		w.str("symlink")
		w.str("target")
		w.str(target)
	case st.IsDir():
		w.str("type")
		w.str("directory")
		if err := w.entries(root, name); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: a %s cannot be put in a Nix archive", name, st.Mode().Type())
	}
	w.str(")")
	return nil
}

func (w narWriter) contents(root *os.Root, name string, size int64) error {
	f, err := root.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	w.length(uint64(size))
	n, err := io.Copy(w.h, f)
	if err == nil && n != size {
		err = fmt.Errorf("%s changed while it was hashed", name)
	}
	w.pad(uint64(size))
	return err
}

// entries writes a directory's entries sorted by name, byte by byte.
func (w narWriter) entries(root *os.Root, dir string) error {
	f, err := root.Open(dir)
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		w.str("entry")
		w.str("(")
		w.str("name")
		w.str(n)
		w.str("node")
		if err := w.node(root, path.Join(dir, n)); err != nil {
			return err
		}
		w.str(")")
	}
	return nil
}

// unpackTarball unpacks a gzip-compressed tar archive into dir (which must
// exist and be empty) and returns the directory fetchTarball would make of
// it: the single top-level directory when there is exactly one, else dir.
// The archive is untrusted: every entry is written through an os.Root, so
// no name or symbolic link can place a file outside dir; devices and other
// special files are refused.
func unpackTarball(r io.Reader, dir string) (string, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return "", fmt.Errorf("not a gzip-compressed tarball: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	tops := map[string]bool{}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the tarball: %w", err)
		}
		name, ok := cleanTarName(hdr.Name)
		if !ok {
			continue // "./" or pax global header: nothing to write
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if err := unpackEntry(root, tr, hdr, name); err != nil {
			return "", fmt.Errorf("tarball entry %q: %w", hdr.Name, err)
		}
		top, _, _ := strings.Cut(name, "/")
		tops[top] = true
	}
	if len(tops) == 1 {
		for top := range tops {
			if st, err := root.Lstat(top); err == nil && st.IsDir() {
				return path.Join(dir, top), nil
			}
		}
	}
	return dir, nil
}

// cleanTarName turns an entry name into a relative slash path, or reports
// false for the archive root itself.
func cleanTarName(name string) (string, bool) {
	name = path.Clean("/" + strings.TrimPrefix(name, "./"))
	name = strings.TrimPrefix(name, "/")
	return name, name != "" && name != "."
}

func unpackEntry(root *os.Root, tr *tar.Reader, hdr *tar.Header, name string) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	mode := os.FileMode(0o644)
	if hdr.Mode&0o100 != 0 {
		mode = 0o755
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return root.MkdirAll(name, 0o755)
	case tar.TypeReg:
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = root.Chmod(name, mode) // an existing file keeps its old mode otherwise
		}
		return err
	case tar.TypeSymlink:
		return root.Symlink(hdr.Linkname, name)
	case tar.TypeLink:
		target, ok := cleanTarName(hdr.Linkname)
		if !ok {
			return errors.New("a hard link to the archive root")
		}
		return root.Link(target, name)
	}
	return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
}
