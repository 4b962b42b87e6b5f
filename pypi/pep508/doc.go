// Package pep508 implements PEP 503 project names and PEP 508 dependency
// specifiers: requirements, extras, direct references and environment
// markers.
//
// Parsing and evaluation follow pypa/packaging 26 (the version vendored by
// current pip) exactly, including its error messages: a [*SyntaxError] prints
// like packaging's ParserSyntaxError, with the input and a caret line under
// the offending column. Marker comparisons follow packaging 26 and the
// current dependency specifiers spec: only python_version,
// python_full_version, implementation_version and platform_release compare
// as versions, and strings have no order (see [Marker.Evaluate]).
//
// Where this package knowingly differs from packaging:
//   - Evaluate returns false where packaging raises (an undefined comparison
//     or an unknown environment key); [Marker.EvaluateStrict] reports those
//     as an [*EvalError]. A variable missing from the [Environment] is empty
//     rather than an error.
//   - A quoted value is decoded with Python's string escapes, as packaging's
//     ast.literal_eval does, except \N{name}, which is refused.
//   - String writes a value packaging would print unreadably (one holding a
//     quote, a backslash escape or a line break) in a form that parses back.
//   - Set-valued variables ("extras", "dependency_groups") are given in an
//     Environment as comma-separated names.
package pep508
