// Package tags reads distribution filenames (PEP 427 wheels, PEP 625 and
// legacy sdists) and ranks wheels by their PEP 425 compatibility tags for a
// target interpreter and platform that need not be the host's.
//
// The ranking reproduces packaging.tags.sys_tags() for CPython on the target
// (pip's order of preference), with the platform facts of nixpkgs: glibc
// 2.40 on Linux (manylinux wheels up to manylinux_2_40; no musllinux) and
// macOS 15 on Darwin. A target may be CPython's free-threading build
// (cp313t), whose tags replace the ABI cp3N by cp3Nt and abi3 by abi3t.
package tags
