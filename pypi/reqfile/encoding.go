package reqfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Requirements files are decoded as pip's _decode_req_file decodes them: a
// byte order mark names the encoding (UTF-8, UTF-32, UTF-16: what
// `pip freeze >` writes in PowerShell), else a PEP 263 coding declaration
// on one of the first two lines ("# -*- coding: latin-1 -*-"), else
// UTF-8. (pip then falls back to the locale's encoding; req2nix's output
// must not depend on the machine, so it reports the bytes instead.)

// byteOrderMarks are pip's BOMS in pip's order (UTF-32's marks before
// UTF-16's, which are their prefixes; Python's native order is little-endian).
var byteOrderMarks = []struct {
	bom   []byte
	codec *codec
}{
	{[]byte{0xEF, 0xBB, 0xBF}, utf8Codec},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, &codec{"UTF-32-LE", decodeUTF32(binary.LittleEndian)}},
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, &codec{"UTF-32-BE", decodeUTF32(binary.BigEndian)}},
	{[]byte{0xFF, 0xFE}, &codec{"UTF-16-LE", decodeUTF16(binary.LittleEndian)}},
	{[]byte{0xFE, 0xFF}, &codec{"UTF-16-BE", decodeUTF16(binary.BigEndian)}},
}

// codec decodes bytes of one encoding. decode returns the text, or the
// offset of the first byte it cannot decode.
type codec struct {
	name   string
	decode func(data []byte) (string, int, bool)
}

var (
	utf8Codec   = &codec{"UTF-8", decodeStrictUTF8}
	asciiCodec  = &codec{"ASCII", decodeSingleByte(nil, 0x80)}
	latin1Codec = &codec{"Latin-1", decodeSingleByte(nil, 0x100)}
	cp1252Codec = &codec{"Windows-1252", decodeSingleByte(&cp1252High, 0x100)}
)

// pythonCodecs maps Python codec names and aliases (normalised as
// pythonCodecName does) to the codecs req2nix can decode: those of the
// files people have.
var pythonCodecs = map[string]*codec{}

func init() {
	for c, names := range map[*codec]string{
		utf8Codec:   "utf_8 utf8 u8 utf utf8_ucs2 utf8_ucs4 cp65001 utf_8_sig",
		asciiCodec:  "ascii 646 ansi_x3.4_1968 ansi_x3_4_1968 ansi_x3.4_1986 cp367 csascii ibm367 iso646_us iso_646.irv_1991 iso_ir_6 us us_ascii",
		latin1Codec: "latin_1 8859 cp819 csisolatin1 ibm819 iso8859 iso8859_1 iso_8859_1 iso_8859_1_1987 iso_ir_100 l1 latin latin1",
		cp1252Codec: "cp1252 windows_1252 1252",
	} {
		for _, n := range strings.Fields(names) {
			pythonCodecs[n] = c
		}
	}
}

// pythonCodecName normalises a codec name as Python's codec lookup does:
// lower case, each run of characters other than letters, digits and "."
// one "_", none at either end.
func pythonCodecName(name string) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.ToLower(name) {
		if r == '.' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}

// decodeRequirementsFile decodes the bytes of a requirements file named
// name (for messages).
func decodeRequirementsFile(data []byte, name string) (string, error) {
	for _, m := range byteOrderMarks {
		if bytes.HasPrefix(data, m.bom) {
			return decodeWith(m.codec, data[len(m.bom):], len(m.bom), name, "")
		}
	}
	if enc, line := codingDeclaration(data); enc != "" {
		c, ok := pythonCodecs[pythonCodecName(enc)]
		if !ok {
			return "", errorf(Source{File: name, Line: line}, "the file declares encoding %q, which req2nix cannot decode (it reads UTF-8, UTF-16 and UTF-32 with a byte order mark, ASCII, Latin-1 and Windows-1252); save the file as UTF-8", enc)
		}
		return decodeWith(c, data, 0, name, fmt.Sprintf(" (as line %d declares)", line))
	}
	return decodeWith(utf8Codec, data, 0, name, "")
}

// codingDeclaration returns the encoding a PEP 263 declaration names and
// its line, as pip finds it: a line among the first two that starts with
// "#" and matches ENCODING_RE.
func codingDeclaration(data []byte) (string, int) {
	lines := bytes.SplitN(data, []byte("\n"), 3)
	for i, line := range lines[:min(2, len(lines))] {
		if m := codingRE.R().FindSubmatch(line); len(line) > 0 && line[0] == '#' && m != nil {
			return string(m[1]), i + 1
		}
	}
	return "", 0
}

// decodeWith decodes data (which started skip bytes into the file) with c,
// reporting the first undecodable byte by line and column.
func decodeWith(c *codec, data []byte, skip int, name, why string) (string, error) {
	text, bad, ok := c.decode(data)
	if ok {
		return text, nil
	}
	good, _, _ := c.decode(data[:bad])
	line := 1 + strings.Count(good, "\n")
	col := 1 + utf8.RuneCountInString(good[strings.LastIndexByte(good, '\n')+1:])
	return "", &Error{
		Source: Source{File: name, Line: line},
		Col:    col,
		Msg:    fmt.Sprintf("invalid %s%s (byte 0x%s at offset %d); save the file as UTF-8", c.name, why, hexByte(data[bad]), skip+bad),
	}
}

// decodeStrictUTF8 accepts valid UTF-8 only, as Python's "utf-8" codec.
func decodeStrictUTF8(data []byte) (string, int, bool) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return "", i, false
		}
		i += size
	}
	return string(data), 0, true
}

// decodeSingleByte decodes an 8-bit encoding: bytes below limit map to
// the same code point, except 0x80-0x9F when high is given (0 there: no
// character, an error as in Python).
func decodeSingleByte(high *[32]rune, limit int) func([]byte) (string, int, bool) {
	return func(data []byte) (string, int, bool) {
		var b strings.Builder
		for i, c := range data {
			r := rune(c)
			if high != nil && 0x80 <= c && c <= 0x9F {
				r = high[c-0x80]
			}
			if int(c) >= limit || r == 0 {
				return "", i, false
			}
			b.WriteRune(r)
		}
		return b.String(), 0, true
	}
}

// cp1252High is Windows-1252 from 0x80 to 0x9F (Python's cp1252 table).
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// decodeUTF16 decodes UTF-16 of the given byte order; a truncated unit or
// an unpaired surrogate is an error, as in Python.
func decodeUTF16(order binary.ByteOrder) func([]byte) (string, int, bool) {
	return func(data []byte) (string, int, bool) {
		var b strings.Builder
		for i := 0; i < len(data); i += 2 {
			if i+1 >= len(data) {
				return "", i, false
			}
			u := rune(order.Uint16(data[i:]))
			switch {
			case utf16.IsSurrogate(u) && u < 0xDC00 && i+3 < len(data):
				r := utf16.DecodeRune(u, rune(order.Uint16(data[i+2:])))
				if r == utf8.RuneError {
					return "", i, false
				}
				b.WriteRune(r)
				i += 2
			case utf16.IsSurrogate(u):
				return "", i, false
			default:
				b.WriteRune(u)
			}
		}
		return b.String(), 0, true
	}
}

// decodeUTF32 decodes UTF-32 of the given byte order; a truncated unit, a
// surrogate or a value beyond U+10FFFF is an error, as in Python.
func decodeUTF32(order binary.ByteOrder) func([]byte) (string, int, bool) {
	return func(data []byte) (string, int, bool) {
		var b strings.Builder
		for i := 0; i < len(data); i += 4 {
			if i+3 >= len(data) {
				return "", i, false
			}
			u := order.Uint32(data[i:])
			if u > utf8.MaxRune || utf16.IsSurrogate(rune(u)) {
				return "", i, false
			}
			b.WriteRune(rune(u))
		}
		return b.String(), 0, true
	}
}
