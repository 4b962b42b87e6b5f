go test fuzz v1
[]byte("\nfrom setuptools import setup\nimport other\nsetup(name=\"x\", version=\"1\", install_requires=[\"a\"] + other.REQS + [\"b\"])\n")
