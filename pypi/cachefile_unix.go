//go:build unix

package pypi

import (
	"io/fs"
	"syscall"
)

// openFile is an open cache entry, read with plain system calls: a warm
// run opens hundreds of entries, and os.File's set-up for the runtime's
// poller (which regular files do not use) costs more than the read.
type openFile struct{ fd int }

func openEntry(path string) (openFile, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return openFile{}, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return openFile{fd}, nil
	}
}

// readAt reads into b from offset off until b is full or the file ends.
func (f openFile) readAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) {
		m, err := syscall.Pread(f.fd, b[n:], off+int64(n))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return n, err
		case m == 0:
			return n, nil
		}
		n += m
	}
	return n, nil
}

func (f openFile) close() { syscall.Close(f.fd) }
