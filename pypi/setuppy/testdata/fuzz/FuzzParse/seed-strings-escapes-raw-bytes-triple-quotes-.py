go test fuzz v1
[]byte("\nfrom setuptools import setup\nsetup(name=u\"caf\\u00e9\\x21\", version=R\"1\\.0\", python_requires=\"\"\">=3.8\"\"\",\n      install_requires=['a\\tb', \"c\\\\d\", 'e' 'f', '\\101'], extras_require={b\"x\": [\"y\"]})\n")
