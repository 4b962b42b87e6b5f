// Package lockfile reads the lock files other Python tools write — the
// standard pylock.toml (PEP 751, also pylock.<name>.toml), uv.lock,
// poetry.lock and Pipfile.lock — and the project file beside each
// (pyproject.toml, or Pipfile for Pipenv), into one plain Lock: packages with
// their name, version, marker, requires-python, group and extra membership,
// dependency edges, source (an index, git at a commit, a local directory, an
// archive URL or file) and files (name, URL or path, hashes).
//
// It owns the file formats only: which packages a target installs (markers
// evaluated for a Python and a platform, groups and extras selected), the
// files chosen for it and the checks against an index are the resolver's
// (resolver.FromLock). Nothing here does I/O beyond reading the lock and
// the project file beside it.
//
// The formats select packages in two ways, recorded in Lock.Walk:
//
//   - flat (pylock.toml, Pipfile.lock): every package carries its own
//     condition — a marker, which in pylock.toml may test the PEP 751
//     variables "extras" and "dependency_groups", and (Pipfile.lock) the
//     categories that list it;
//   - walked (uv.lock, poetry.lock): packages are reached from Lock.Roots
//     (the project's own dependencies, each tagged with the group or extra
//     that adds it) along dependency edges whose markers are evaluated on
//     the way.
//
// Errors in a lock are *reqfile.Error values naming the file and line.
package lockfile
