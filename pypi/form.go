package pypi

import (
	"encoding/binary"
	"errors"
	"time"
)

// A form is the compact binary shape in which a decoded document is kept
// in the cache (see diskCache), so that a warm run reads what the client
// needs without parsing the document again: a sequence of unsigned
// varints, strings (a varint length, then the bytes), booleans (one byte)
// and times (a boolean, false for the zero time, then a varint of Unix
// seconds and one of nanoseconds). Each
// document type writes and reads its fields in a fixed order; its form
// kind names that order and is bumped when it changes.

// formWriter appends values to a form.
type formWriter struct{ buf []byte }

func (w *formWriter) uint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }

func (w *formWriter) int(n int) { w.uint(uint64(n)) }

func (w *formWriter) str(s string) {
	w.int(len(s))
	w.buf = append(w.buf, s...)
}

func (w *formWriter) bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *formWriter) time(t time.Time) {
	w.bool(!t.IsZero())
	if !t.IsZero() {
		w.buf = binary.AppendVarint(w.buf, t.Unix())
		w.uint(uint64(t.Nanosecond()))
	}
}

// strs writes a list of strings, nil and empty told apart.
func (w *formWriter) strs(ss []string) {
	if ss == nil {
		w.uint(0)
		return
	}
	w.int(len(ss) + 1)
	for _, s := range ss {
		w.str(s)
	}
}

// errBadForm is any form that does not read back.
var errBadForm = errors.New("malformed cached form")

// formReader reads a form written by formWriter. Strings are substrings of
// one string holding the whole form, so reading allocates little. The
// first error sticks: later reads return zero values, and err reports it.
type formReader struct {
	src string
	pos int
	err error
}

func (r *formReader) fail() {
	if r.err == nil {
		r.err = errBadForm
	}
	r.pos = len(r.src)
}

func (r *formReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	n, size := uvarintString(r.src[r.pos:])
	if size <= 0 {
		r.fail()
		return 0
	}
	r.pos += size
	return n
}

// count reads a length or count, which cannot exceed what is left of the
// form (each element takes at least a byte): a corrupt count fails here
// rather than allocating without bound.
func (r *formReader) count() int {
	n := r.uint()
	if n > uint64(len(r.src)-r.pos) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *formReader) str() string {
	n := r.count()
	s := r.src[r.pos : r.pos+n]
	r.pos += n
	return s
}

func (r *formReader) bool() bool {
	if r.err != nil || r.pos >= len(r.src) || r.src[r.pos] > 1 {
		r.fail()
		return false
	}
	r.pos++
	return r.src[r.pos-1] == 1
}

func (r *formReader) time() time.Time {
	if !r.bool() {
		return time.Time{}
	}
	secs, size := varintString(r.src[r.pos:])
	if size <= 0 {
		r.fail()
		return time.Time{}
	}
	r.pos += size
	nanos := r.uint()
	if nanos >= 1e9 {
		r.fail()
		return time.Time{}
	}
	return time.Unix(secs, int64(nanos)).UTC()
}

func (r *formReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, n-1)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

// done reports the first error, or that bytes are left over.
func (r *formReader) done() error {
	if r.err == nil && r.pos != len(r.src) {
		r.err = errBadForm
	}
	return r.err
}

// uvarintString is binary.Uvarint over a string.
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -1 // overflow
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

// varintString is binary.Varint over a string.
func varintString(s string) (int64, int) {
	ux, n := uvarintString(s)
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, n
}
