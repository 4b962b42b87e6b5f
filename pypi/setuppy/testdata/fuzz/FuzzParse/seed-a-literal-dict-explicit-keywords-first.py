go test fuzz v1
[]byte("\nfrom setuptools import setup\nsetup(version=\"2\", **{\"name\": \"x\", \"version\": \"1\", \"install_requires\": \"a\\n  b>1  # why\\n\\n# comment\\n\"})\n")
