// Package pep508 implements PEP 503 project names and PEP 508 dependency
// specifiers: requirements, extras, direct references and environment
// markers.
//
// Parsing and evaluation follow pypa/packaging 26 (the version vendored by
// current pip) exactly, including its error messages: a [*SyntaxError] prints
// like packaging's ParserSyntaxError, with the input and a caret line under
// the offending column.
package pep508
