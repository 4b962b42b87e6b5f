go test fuzz v1
[]byte("\nfrom setuptools import setup\nwith open(\"requirements.txt\") as f:\n    reqs = f.read().splitlines()\nsetup(name=\"x\", version=\"1\", install_requires=reqs, extras_require={k: [k] for k in (\"a\", \"b\")})\n")
