// Package pep440 implements PEP 440 versions and version specifiers exactly,
// behaving as pypa/packaging 26 (vendored by current pip) where the PEP
// leaves room.
//
// Versions are parsed by a hand-written scanner equivalent to the PEP's
// Appendix B regular expression (and packaging's VERSION_PATTERN), restricted
// to ASCII. Every number in epoch, release, pre-, post- and dev-release
// segments must fit in an int64; larger numbers are rejected with an error
// (packaging accepts arbitrary-precision integers; no real project needs
// them). Numeric local segments have no size limit.
package pep440
