go test fuzz v1
[]byte("\nimport sys\nfrom setuptools import setup\nif sys.version_info < (3, 8):\n    deps = [\"importlib-metadata\"]\nelse:\n    deps = []\nextra = [\"a\"]\nextra.append(\"b\")\nVERSION = \"1.0\"; VERSION = \"2.0\"\nsetup(name=\"x\", version=VERSION, install_requires=deps, extras_require={\"e\": extra})\n")
