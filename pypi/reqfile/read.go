package reqfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"unicode/utf8"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// maxFileSize bounds what is read from one input file.
const maxFileSize = 16 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readText reads path as UTF-8 text (a leading BOM is dropped), as TOML
// and configuration files are. name is how errors refer to the file.
func readText(path, name string) (string, error) {
	data, err := readBytes(path, name)
	if err != nil {
		return "", err
	}
	return decodeUTF8(data, name)
}

// readRequirementsText reads a requirements file and decodes it as pip
// does (see decodeRequirementsFile).
func readRequirementsText(path string) (string, error) {
	data, err := readBytes(path, path)
	if err != nil {
		return "", err
	}
	return decodeRequirementsFile(data, path)
}

// readBytes reads at most maxFileSize bytes of path.
func readBytes(path, name string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errorf(Source{File: name}, "cannot open: %v; check the path", unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, errorf(Source{File: name}, "cannot read: %v; check the file", unwrapPathError(err))
	}
	if len(data) > maxFileSize {
		return nil, errorf(Source{File: name}, "file is larger than %d MiB; is this really a dependency file?", maxFileSize>>20)
	}
	return data, nil
}

// otherBOMs are the byte order marks pip's auto_decode recognises besides
// UTF-8's, longest first.
var otherBOMs = []struct {
	bom      []byte
	encoding string
}{
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, "UTF-32"},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, "UTF-32"},
	{[]byte{0xFE, 0xFF}, "UTF-16"},
	{[]byte{0xFF, 0xFE}, "UTF-16"},
}

// decodeUTF8 checks that data is UTF-8 and drops a leading byte order mark.
func decodeUTF8(data []byte, name string) (string, error) {
	for _, b := range otherBOMs {
		if bytes.HasPrefix(data, b.bom) {
			return "", errorf(Source{File: name}, "file is %s (it starts with a %s byte order mark); save it as UTF-8", b.encoding, b.encoding)
		}
	}
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

// codingRE is pip's PEP263_ENCODING_RE.
var codingRE = lazyre.New(`coding[:=]\s*([-\w.]+)`)
