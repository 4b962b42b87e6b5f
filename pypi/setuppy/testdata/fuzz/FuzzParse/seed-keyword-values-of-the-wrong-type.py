go test fuzz v1
[]byte("\nfrom setuptools import setup\nsetup(name=[\"x\"], version=1.0, install_requires={\"a\": 1}, python_requires=None)\n")
