go test fuzz v1
[]byte("\ndef setup(**kw):\n    pass\nimport other\nother.setup(name=\"no\")\nsetup(name=\"yes\")\n")
