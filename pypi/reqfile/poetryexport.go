package reqfile

// PoetryConstraint translates a Poetry version constraint ("^1.2", "~1.2",
// "1.2.*", ">=1,<2", "*") into PEP 440 specifiers ("" for any version), as
// poetry-core reads it; a union ("||") is an error. poetry.lock writes its
// dependency and python-versions constraints in the same syntax.
func PoetryConstraint(c string) (string, error) { return poetryConstraint(c) }
