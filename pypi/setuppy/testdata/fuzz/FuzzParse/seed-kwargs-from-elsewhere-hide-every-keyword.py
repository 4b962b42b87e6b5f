go test fuzz v1
[]byte("\nfrom setuptools import setup\nfrom config import options\nsetup(name=\"x\", **options)\n")
