package reqfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"unicode/utf8"
)

// maxFileSize bounds what is read from one input file.
const maxFileSize = 16 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readText reads path as UTF-8 text (a leading BOM is dropped). name is how
// errors refer to the file.
func readText(path, name string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errorf(Source{File: name}, "cannot open: %v; check the path", unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return "", errorf(Source{File: name}, "cannot read: %v; check the file", unwrapPathError(err))
	}
	if len(data) > maxFileSize {
		return "", errorf(Source{File: name}, "file is larger than %d MiB; is this really a dependency file?", maxFileSize>>20)
	}
	return decodeUTF8(data, name)
}

// decodeUTF8 checks that data is UTF-8 and drops a leading byte order mark.
func decodeUTF8(data []byte, name string) (string, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return string(data), nil
	}
	bad := 0
	for bad < len(data) {
		r, size := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	line := 1 + bytes.Count(data[:bad], []byte{'\n'})
	col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:bad], '\n')+1:bad])
	return "", &Error{
		Source: Source{File: name, Line: line},
		Col:    col,
		Msg:    "invalid UTF-8 (byte 0x" + hexByte(data[bad]) + "); save the file as UTF-8",
	}
}

func hexByte(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// unwrapPathError drops the *os.PathError wrapper, whose text repeats the
// path the caller already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
