package resolver

import "math/bits"

// vset is an immutable set of versions of one package: a bitset over the
// package's universe, the ascending list of all its known versions (index i
// is the i-th version). Every release is known once the project document is
// fetched, so complements are exact and PEP 440 semantics only matter when a
// specifier is turned into a set.
//
// label, when non-empty, is the specifier text the set was built from
// (">=2.0,<3"); explanations prefer it over a rendering of index runs.
type vset struct {
	n     int
	words []uint64
	label string
}

func emptySet(n int) vset {
	return vset{n: n, words: make([]uint64, (n+63)/64)}
}

func fullSet(n int) vset {
	s := emptySet(n)
	for i := 0; i < n; i++ {
		s.words[i/64] |= 1 << (i % 64)
	}
	return s
}

func singleton(n, i int) vset {
	s := emptySet(n)
	s.words[i/64] |= 1 << (i % 64)
	return s
}

// setOf builds the set of indices for which keep returns true.
func setOf(n int, keep func(i int) bool) vset {
	s := emptySet(n)
	for i := 0; i < n; i++ {
		if keep(i) {
			s.words[i/64] |= 1 << (i % 64)
		}
	}
	return s
}

func (s vset) has(i int) bool { return i >= 0 && i < s.n && s.words[i/64]&(1<<(i%64)) != 0 }

func (s vset) isEmpty() bool {
	for _, w := range s.words {
		if w != 0 {
			return false
		}
	}
	return true
}

func (s vset) isFull() bool { return s.count() == s.n }

func (s vset) count() int {
	c := 0
	for _, w := range s.words {
		c += bits.OnesCount64(w)
	}
	return c
}

func (s vset) equal(t vset) bool {
	if s.n != t.n {
		return false
	}
	for i := range s.words {
		if s.words[i] != t.words[i] {
			return false
		}
	}
	return true
}

// combine applies op word by word. The result keeps the label of an operand
// it equals, so a specifier's text survives intersections that do not change
// it.
func (s vset) combine(t vset, op func(a, b uint64) uint64) vset {
	r := emptySet(s.n)
	for i := range r.words {
		r.words[i] = op(s.words[i], t.words[i])
	}
	r.trim()
	switch {
	case r.equal(s):
		r.label = s.label
	case r.equal(t):
		r.label = t.label
	}
	return r
}

func (s vset) intersect(t vset) vset { return s.combine(t, func(a, b uint64) uint64 { return a & b }) }
func (s vset) union(t vset) vset     { return s.combine(t, func(a, b uint64) uint64 { return a | b }) }
func (s vset) minus(t vset) vset     { return s.combine(t, func(a, b uint64) uint64 { return a &^ b }) }

func (s vset) complement() vset {
	r := emptySet(s.n)
	for i := range r.words {
		r.words[i] = ^s.words[i]
	}
	r.trim()
	return r
}

// subsetOf reports whether every element of s is in t.
func (s vset) subsetOf(t vset) bool {
	for i := range s.words {
		if s.words[i]&^t.words[i] != 0 {
			return false
		}
	}
	return true
}

// disjoint reports whether s and t share no element.
func (s vset) disjoint(t vset) bool {
	for i := range s.words {
		if s.words[i]&t.words[i] != 0 {
			return false
		}
	}
	return true
}

// trim clears the bits beyond the universe.
func (s vset) trim() {
	if r := s.n % 64; r != 0 {
		s.words[len(s.words)-1] &= 1<<r - 1
	}
}

// members lists the elements in ascending order.
func (s vset) members() []int {
	var out []int
	for i := 0; i < s.n; i++ {
		if s.has(i) {
			out = append(out, i)
		}
	}
	return out
}

// highest returns the largest element, or -1.
func (s vset) highest() int {
	for i := s.n - 1; i >= 0; i-- {
		if s.has(i) {
			return i
		}
	}
	return -1
}

// withLabel returns s labelled with the specifier text it came from.
func (s vset) withLabel(label string) vset {
	s.label = label
	return s
}
