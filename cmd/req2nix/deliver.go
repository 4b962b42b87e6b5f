package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// deliver puts the output where it belongs: stdout, the -o file (written
// atomically, and not at all when unchanged), or, with --check, nowhere but
// a diff against the -o file.
func deliver(o *options, out []byte, stdout io.Writer) (int, error) {
	switch {
	case o.check:
		return check(o.output, out, stdout)
	case o.output != "":
		if err := writeFileAtomic(o.output, out); err != nil {
			return exitFailure, fmt.Errorf("-o %s: cannot write it (%v)", o.output, pathErrorCause(err))
		}
		return exitOK, nil
	default:
		_, err := stdout.Write(out)
		return exitOK, err
	}
}

// checkOutputPath fails early, before any resolving, when the -o file
// could not be written (or, with --check, read): it is a directory, or its
// directory is missing or not writable.
func checkOutputPath(o *options) error {
	if o.output == "" {
		return nil
	}
	if isDir(o.output) {
		return fmt.Errorf("-o %s is a directory; name the file to write, such as %s", o.output, filepath.Join(o.output, "shell.nix"))
	}
	target := o.output
	if t, err := filepath.EvalSymlinks(target); err == nil {
		target = t // written through the link, as writeFileAtomic does
	}
	dir := filepath.Dir(target)
	if !isDir(dir) {
		return fmt.Errorf("-o %s: directory %s does not exist; create it first (mkdir -p %s)", o.output, dir, shellQuote(dir))
	}
	if o.check {
		return nil
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("-o %s: cannot write in directory %s (%v); choose another place or fix its permissions", o.output, dir, pathErrorCause(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// pathErrorCause is the operating system's reason alone ("permission
// denied"), without the temporary file name the user never chose.
func pathErrorCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// check compares the regenerated output with the file: exit 0 when equal,
// else print a unified diff and exit 1.
func check(path string, out []byte, stdout io.Writer) (int, error) {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return exitFailure, err
	}
	if bytes.Equal(old, out) {
		return exitOK, nil
	}
	fmt.Fprint(stdout, unifiedDiff(path, path+" (regenerated)", string(old), string(out)))
	if errors.Is(err, os.ErrNotExist) {
		return exitFailure, &checkError{fmt.Sprintf("%s does not exist; run the command without --check to create it", path)}
	}
	return exitFailure, &checkError{fmt.Sprintf("%s is out of date; run the command without --check to update it", path)}
}

// checkError reports an out-of-date file: exit 1, diff already printed.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

// writeFileAtomic replaces path with data through a temporary file in the
// same directory and a rename, so that readers (and a failed run) never see
// a half-written file. An unchanged file is left alone, mtime included. A
// symlink is followed: its target is replaced, the link kept.
func writeFileAtomic(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
