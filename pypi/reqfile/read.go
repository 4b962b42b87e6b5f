package reqfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
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

// codingRE is pip's ENCODING_RE for PEP 263 declarations.
var codingRE = regexp.MustCompile(`coding[:=]\s*([-\w.]+)`)

// checkCoding rejects a requirements file whose PEP 263 coding declaration
// (a "#" line among the first two) names an encoding other than UTF-8 when
// that would change its text: pip would decode it that way, req2nix reads
// UTF-8 only. Pure ASCII reads the same in the encodings that matter.
func checkCoding(text, name string) error {
	firstTwo := strings.SplitN(text, "\n", 3)
	if len(firstTwo) > 2 {
		firstTwo = firstTwo[:2]
	}
	for i, line := range firstTwo {
		m := codingRE.FindStringSubmatch(line)
		if !strings.HasPrefix(line, "#") || m == nil || isUTF8Name(m[1]) || isASCII(text) {
			continue
		}
		return errorf(Source{File: name, Line: i + 1}, "the file declares encoding %s, but req2nix reads UTF-8 only; save it as UTF-8 and drop the coding line", m[1])
	}
	return nil
}

func isUTF8Name(enc string) bool {
	switch strings.ReplaceAll(strings.ToLower(enc), "_", "-") {
	case "utf-8", "utf8", "utf-8-sig", "u8", "utf", "cp65001", "ascii", "us-ascii":
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
