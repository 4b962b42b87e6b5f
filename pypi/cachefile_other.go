//go:build !unix

package pypi

import (
	"errors"
	"io"
	"os"
)

// openFile is an open cache entry.
type openFile struct{ f *os.File }

func openEntry(path string) (openFile, error) {
	f, err := os.Open(path)
	return openFile{f}, err
}

// readAt reads into b from offset off until b is full or the file ends.
func (f openFile) readAt(b []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(b, off)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

func (f openFile) close() { f.f.Close() }
