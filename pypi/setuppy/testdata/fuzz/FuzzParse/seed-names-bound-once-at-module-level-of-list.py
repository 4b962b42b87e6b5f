go test fuzz v1
[]byte("\nimport setuptools\nNAME = \"demo\"\nBASE = [\"a\", \"b>1\"]\nREQUIRES = BASE + [\"c\"]\nMIN_PY: str = \">=\" \"3.\" + \"9\"\nsetuptools.setup(name=NAME, version=\"0.1\", install_requires=REQUIRES, python_requires=MIN_PY)\n")
