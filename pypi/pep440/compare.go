package pep440

import "cmp"

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w in the
// PEP 440 total order (packaging's _cmpkey): epoch, then release with
// trailing zeros ignored, then dev-only < pre-release < final < post-release
// (a dev release sorting just before what it is a dev release of), then the
// local label (none < any; compared part by part, numeric parts above
// alphanumeric ones, a shorter label first when it is a prefix).
// The zero Version sorts before every valid version.
func (v Version) Compare(w Version) int {
	if v.impl == nil || w.impl == nil {
		return cmp.Compare(boolInt(v.impl != nil), boolInt(w.impl != nil))
	}
	if c := comparePublic(v.impl, w.impl); c != 0 {
		return c
	}
	return compareLocal(v.impl.local, w.impl.local)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// comparePublic compares everything but the local label.
func comparePublic(a, b *version) int {
	if c := cmp.Compare(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := compareRelease(a.release, b.release); c != 0 {
		return c
	}
	if c := cmp.Compare(a.preKey(), b.preKey()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.preN, b.preN); c != 0 && a.preL != preNone {
		return c
	}
	if c := cmp.Compare(a.post, b.post); c != 0 {
		return c
	}
	// No dev segment sorts after every dev number.
	if c := cmp.Compare(boolInt(a.dev < 0), boolInt(b.dev < 0)); c != 0 {
		return c
	}
	return cmp.Compare(a.dev, b.dev)
}

// compareRelease compares release segments as if padded with zeros.
func compareRelease(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		if c := cmp.Compare(at(a, i), at(b, i)); c != 0 {
			return c
		}
	}
	return 0
}

func at(r []int, i int) int {
	if i < len(r) {
		return r[i]
	}
	return 0
}

// preKey orders the pre-release label: a dev release with neither pre nor
// post sorts below every pre-release, a version without a pre-release above.
func (v *version) preKey() int {
	switch {
	case v.preL != preNone:
		return int(v.preL)
	case v.post < 0 && v.dev >= 0:
		return -1
	default:
		return 256
	}
}

// compareLocal compares local labels: absent < present, then part by part.
func compareLocal(a, b []localSegment) int {
	for i := 0; i < min(len(a), len(b)); i++ {
		if c := compareLocalSegment(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareLocalSegment(a, b localSegment) int {
	switch {
	case a.numeric && b.numeric:
		if c := cmp.Compare(len(a.text), len(b.text)); c != 0 {
			return c
		}
		return cmp.Compare(a.text, b.text)
	case a.numeric != b.numeric:
		return cmp.Compare(boolInt(a.numeric), boolInt(b.numeric))
	}
	return cmp.Compare(a.text, b.text)
}
